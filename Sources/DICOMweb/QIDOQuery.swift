public import DICOM

/// A C-FIND identifier as a QIDO-RS search (PS3.18 10.6): the level and the UIDs that scope it make the
/// path (`studies`, `studies/{uid}/series`, `studies/{uid}/series/{uid}/instances`), each value a match
/// parameter (keyword=value: wildcards, date ranges and UID lists as C-FIND has them), each empty
/// attribute an `includefield`.
public struct QIDOQuery: Sendable, Equatable {
  public var path: String
  public var parameters: [Parameter]

  public struct Parameter: Sendable, Equatable {
    public var name: String
    public var value: String
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
        parameters.append(Parameter(name: name, value: value))
      }
    }
  }
}
