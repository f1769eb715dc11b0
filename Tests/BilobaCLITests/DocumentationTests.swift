import Foundation
import Testing

/// The documents say what the code does: the module map's "may import" column is Package.swift's
/// dependency list, and the README names every subcommand and the commands it tells users to run.
@Suite struct DocumentationTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  static func read(_ path: String) throws -> String { try String(contentsOfFile: root + "/" + path, encoding: .utf8) }

  /// Each target of Package.swift with the package's own targets it depends on.
  static func targetDependencies() throws -> [String: Set<String>] {
    let manifest = try read("Package.swift")
    var result: [String: Set<String>] = [:]
    let target = try Regex(#"\.(?:target|executableTarget)\(\s*name: "([^"]+)"(.*?)swiftSettings"#)
      .dotMatchesNewlines()
    for match in manifest.matches(of: target) {
      guard let name = match.output[1].substring, let rest = match.output[2].substring else { continue }
      var dependencies = Set<String>()
      if let list = rest.firstRange(of: "dependencies: [").map({ rest[$0.upperBound...] }),
        let end = list.firstIndex(of: "]")
      {
        // Plain strings are the package's own targets; .product(...) are other packages'.
        let plain = list[..<end].replacing(try Regex(#"\.product\([^)]*\)"#), with: "")
        for quoted in plain.matches(of: try Regex(#""([^"]+)""#)) {
          if let dep = quoted.output[1].substring { dependencies.insert(String(dep)) }
        }
      }
      result[String(name)] = dependencies
    }
    return result
  }

  @Test func the_module_map_lists_each_targets_real_dependencies() throws {
    let packaged = try Self.targetDependencies()
    #expect(packaged["TerminalGraphics"]?.contains("Spawn") == true, "the manifest was read: \(packaged)")
    var checked = 0
    for line in try Self.read("docs/ARCHITECTURE.md").split(separator: "\n") where line.hasPrefix("| `") {
      let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard cells.count >= 6 else {
        Issue.record("a row of the module map with \(cells.count) cells: \(line)")
        continue
      }
      let named = cells[1].matches(of: try Regex("`([^`]+)`")).compactMap { $0.output[1].substring.map(String.init) }
      // One target a row, whose column lists modules (the executable's "all" and the shims' "—" aside).
      guard named.count == 1, let target = named.first, let dependencies = packaged[target] else { continue }
      let documented = Set(
        cells[4].matches(of: try Regex("`([^`]+)`")).compactMap { $0.output[1].substring.map(String.init) })
      guard cells[4] != "all" else { continue }
      #expect(
        documented == dependencies,
        "\(target): the map says \(documented.sorted()), Package.swift \(dependencies.sorted())")
      checked += 1
    }
    #expect(checked >= 12, "every library target is checked (\(checked))")
  }

  @Test func the_readme_names_every_subcommand_and_no_make_target_that_does_not_exist() throws {
    let readme = try Self.read("README.md")
    let makefile = try Self.read("Makefile")
    for command in [
      "dump", "export", "show", "probe", "import", "studies", "archive", "echo", "find", "move", "get",
      "send", "listen", "config init", "doctor", "audit", "--version",
    ] {
      #expect(readme.contains("biloba \(command)"), "the README says how to use biloba \(command)")
    }
    for target in readme.matches(of: try Regex(#"make ([a-z][a-z-]+)"#)).compactMap({ $0.output[1].substring }) {
      #expect(makefile.contains("\n\(target):"), "make \(target), named in the README, is in the Makefile")
    }
  }
}
