public import DICOM
import Foundation

/// A C-FIND identifier as a QIDO-RS search (PS3.18 10.6): the level and the UIDs that scope it make the
/// path (`studies`, `studies/{uid}/series`, `studies/{uid}/series/{uid}/instances`), each value a match
/// parameter (keyword=value: wildcards, date ranges and UID lists as C-FIND has them), each empty
/// attribute an `includefield`.
///
/// A value with a character a URL must percent-encode (a space, `^` between name components, anything
/// not ASCII) is sent with `?` in its place, and the matches are then held to the value as it was: not
/// every server decodes its query (Orthanc's plugin does not), and a `?` matches the character either way.
public struct QIDOQuery: Sendable, Equatable {
  public var path: String
  public var parameters: [Parameter]
  /// Values sent widened, each with the value its matches must meet.
  public var localFilters: [Tag: String] = [:]

  public struct Parameter: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  public init(identifier: Dataset) throws(DICOMwebError) {
    let level = identifier.string(Tag.queryRetrieveLevel)?.trimmingCharacters(in: .whitespaces).uppercased() ?? "STUDY"
    func uid(_ tag: Tag) throws(DICOMwebError) -> String? {
      guard let values = identifier.strings(tag), values.count == 1, let value = values.first, !value.isEmpty else {
        return nil
      }
      guard UIDSyntax.isValid(value) else { throw .unsupported("\(tag) is not a UID") }
      return value
    }
    var scoped: Set<Tag> = [Tag.queryRetrieveLevel, Tag.specificCharacterSet]
    switch level {
    case "STUDY":
      path = "studies"
    case "SERIES":
      if let study = try uid(Tag.studyInstanceUID) {
        path = "studies/\(study)/series"
        scoped.insert(Tag.studyInstanceUID)
      } else {
        path = "series"
      }
    case "IMAGE":
      if let study = try uid(Tag.studyInstanceUID) {
        scoped.insert(Tag.studyInstanceUID)
        if let series = try uid(Tag.seriesInstanceUID) {
          path = "studies/\(study)/series/\(series)/instances"
          scoped.insert(Tag.seriesInstanceUID)
        } else {
          path = "studies/\(study)/instances"
        }
      } else {
        path = "instances"
      }
    default:
      throw .unsupported("DICOMweb searches studies, series and instances; there is no \(level.lowercased()) level")
    }
    parameters = []
    for element in identifier.elements where !scoped.contains(element.tag) && !element.tag.isGroupLength {
      let name = DataDictionary.entry(for: element.tag)?.keyword ?? element.tag.jsonKey
      let values = element.vr == .SQ ? [] : (identifier.strings(element.tag) ?? [])
      let value = values.joined(separator: ",")
      if value.trimmingCharacters(in: .whitespaces).isEmpty {
        parameters.append(Parameter(name: "includefield", value: name))
      } else {
        let sendable = Self.sendable(value)
        parameters.append(Parameter(name: name, value: sendable))
        if sendable != value {
          localFilters[element.tag] = value
          parameters.append(Parameter(name: "includefield", value: name))
        }
      }
    }
  }

  /// Characters a query carries as they are (RFC 3986 unreserved and the sub-delimiters C-FIND uses);
  /// each other one becomes the single-character wildcard.
  static func sendable(_ value: String) -> String {
    String(
      value.unicodeScalars.map { c -> Character in
        let safe =
          c.isASCII
          && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "-._~*?,:@/!$'()".unicodeScalars.contains(c))
        return safe ? Character(c) : "?"
      })
  }

  /// Whether a match meets the values that were sent widened.
  public func accepts(_ match: Dataset) -> Bool {
    localFilters.allSatisfy { tag, pattern in
      let values = (match.strings(tag) ?? [""]).map { $0.trimmingCharacters(in: .whitespaces) }
      let alternatives = pattern.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      return values.contains { value in
        alternatives.contains { Self.matches(Array($0.unicodeScalars), Array(value.unicodeScalars)) }
      }
    }
  }

  /// C-FIND wildcard matching (PS3.4 C.2.2.2.4): `*` any run, `?` any one character, else equal.
  static func matches(_ pattern: [Unicode.Scalar], _ value: [Unicode.Scalar]) -> Bool {
    var (p, v) = (0, 0)
    var star: (p: Int, v: Int)?
    while v < value.count {
      if p < pattern.count && (pattern[p] == "?" || pattern[p] == value[v]) {
        p += 1
        v += 1
      } else if p < pattern.count && pattern[p] == "*" {
        star = (p, v)
        p += 1
      } else if let s = star {
        p = s.p + 1
        v = s.v + 1
        star = (s.p, s.v + 1)
      } else {
        return false
      }
    }
    while p < pattern.count && pattern[p] == "*" { p += 1 }
    return p == pattern.count
  }
}
