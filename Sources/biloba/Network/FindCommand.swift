public import ArgumentParser
import DICOM
public import DICOMNetwork
import Foundation
import DICOMweb
import Retrieval

extension ServiceClasses.Level: ExpressibleByArgument {
  public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
extension ServiceClasses.Root: ExpressibleByArgument {}

/// `biloba find`: C-FIND, as DCMTK's findscu; matches print as they arrive.
struct FindCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "find", abstract: "Query a DICOM peer with C-FIND.",
    discussion: """
      -k Keyword=Value matches (wildcards * and ?, date ranges 20260101-20260131, UID lists a\\b); -k Keyword \
      or -k Keyword= asks for the attribute back. Common return keys for the level are asked for too unless \
      --no-default-keys. Matches print one per line as they arrive (tab-separated, keywords on the first \
      line), or as the DICOM JSON model with --json.
      """)

  @OptionGroup var peer: PeerOptions
  @OptionGroup var local: LocalOptions

  @Option(name: .long, help: "Query level: patient, study, series or image.")
  var level: ServiceClasses.Level = .study

  @Option(name: .long, help: "Information model: patient or study root.")
  var root: ServiceClasses.Root = .study

  @Option(name: .customShort("k"), help: "A matching or return key: Keyword=Value, Keyword, or gggg,eeee=Value.")
  var keys: [String] = []

  @Flag(name: .long, help: "Ask only for the keys given with -k.")
  var noDefaultKeys = false

  @Flag(name: .long, help: "Print matches as the DICOM JSON model (PS3.18 F).")
  var json = false

  @Option(name: .long, help: "Stop after this many matches (C-CANCEL).")
  var limit: Int?

  func validate() throws {
    if let limit { try CheckedNumber.count(limit, option: "--limit", range: 1...Association.defaultMaxMatches) }
  }

  func run() async throws {
    let config = try local.loadConfig()
    let identifier = try QueryKeys.identifier(level: level, keys: keys, defaults: !noDefaultKeys)
    let columns = identifier.elements.map(\.tag).filter { $0 != Tag.queryRetrieveLevel }
    let remote = try peer.remote(config, entity: local.entity(config), logger: local.logger(label: "biloba.find"))
    var count = 0
    let json = json
    let limit = limit
    if json {
      StandardOutput.write("[")
    } else {
      StandardOutput.write(
        columns.map { DataDictionary.entry(for: $0)?.keyword ?? $0.description }.joined(separator: "\t") + "\n")
    }
    do {
      let status = try await remote.find(root: root, identifier: identifier) { match in
        count += 1
        // Each match is written at once, so a pipe sees it as it arrives.
        if json {
          let text = (try? DICOMJSON.encode(match, pretty: false)) ?? "{}"
          StandardOutput.write((count > 1 ? ",\n" : "\n") + text)
        } else {
          StandardOutput.write(columns.map { Self.cell(match, $0) }.joined(separator: "\t") + "\n")
        }
        if let limit, count >= limit { return .cancel }
        return .proceed
      }
      if json { StandardOutput.write("\n]\n") }
      StandardError.line("\(count) match\(count == 1 ? "" : "es"); \(status)")
      if status.kind == .failure { throw ExitCode.failure }
    } catch let error as NetworkError {
      if json { StandardOutput.write("\n]\n") }
      throw CommandFailure("find: \(error)")
    } catch let error as DICOMwebError {
      if json { StandardOutput.write("\n]\n") }
      throw CommandFailure("find: \(error)")
    }
  }

  /// One value for a terminal line: all values joined by `\`, control characters and tabs removed.
  static func cell(_ ds: Dataset, _ tag: Tag) -> String {
    guard let e = ds[tag] else { return "" }
    if e.vr == .SQ { return "(\(ds.items(tag)?.count ?? 0) items)" }
    let values = ds.strings(tag) ?? ds.ints(tag)?.map(String.init) ?? []
    return values.joined(separator: "\\").strippingControlCharacters.replacingOccurrences(of: "\t", with: " ")
  }
}
