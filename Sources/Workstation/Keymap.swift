import Foundation
import TOMLKit

/// Key bindings as data: per screen, a key (or a sequence such as "g g") to an action. Loaded from
/// `Keymaps/default.toml` or `vim.toml`, then a user's `keymap.toml` on top.
public struct Keymap: Sendable, Equatable {
  public enum Context: String, Sendable, CaseIterable { case global, studies, series, viewer }

  /// Context -> key sequence (keys joined by a space) -> action.
  public private(set) var bindings: [Context: [String: Action]] = [:]

  public init(bindings: [Context: [String: Action]] = [:]) { self.bindings = bindings }

  public struct Failure: Error, Sendable, CustomStringConvertible {
    public let description: String
  }

  /// Parses a keymap file: tables named by context, `"key" = "action"` in each.
  public init(toml text: String, file: String) throws(Failure) {
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw Failure(description: "\(file): line \(error.source.begin.line): \(error.description)")
    } catch {
      throw Failure(description: "\(file): \(error)")
    }
    for (name, value) in table {
      guard let context = Context(rawValue: name) else {
        throw Failure(description: "\(file): [\(name)] is not a screen (global, studies, series, viewer)")
      }
      guard let keys = value.table else { throw Failure(description: "\(file): [\(name)] must be a table") }
      for (key, actionValue) in keys {
        guard let actionName = actionValue.string, let action = Action(rawValue: actionName) else {
          throw Failure(description: "\(file): [\(name)] \"\(key)\": unknown action \(actionValue)")
        }
        bindings[context, default: [:]][key] = action
      }
    }
  }

  /// This keymap with `other`'s bindings on top (a user's overrides).
  public func merged(with other: Keymap) -> Keymap {
    var out = self
    for (context, keys) in other.bindings { out.bindings[context, default: [:]].merge(keys) { $1 } }
    return out
  }

  static func context(for screen: Model.Screen) -> Context {
    switch screen {
    case .studies, .help: .studies
    case .series, .history, .jobs: .series
    case .viewer, .tags: .viewer
    }
  }

  /// What a key sequence means on a screen: an action, a prefix of a longer binding, or nothing.
  public enum Lookup: Equatable { case action(Action), prefix, none }

  public func lookup(_ keys: [String], on screen: Model.Screen) -> Lookup {
    let sequence = keys.joined(separator: " ")
    for context in [Self.context(for: screen), .global] {
      if let action = bindings[context]?[sequence] { return .action(action) }
    }
    for context in [Self.context(for: screen), .global]
    where bindings[context]?.keys.contains(where: {
      $0.hasPrefix(sequence + " ")
    }) == true {
      return .prefix
    }
    return .none
  }

  /// The first key (shortest, then alphabetical) bound to an action on a screen, for hints.
  public func key(for action: Action, on screen: Model.Screen) -> String? {
    var keys: [String] = []
    for context in [Self.context(for: screen), .global] {
      keys += (bindings[context] ?? [:]).filter { $0.value == action }.map(\.key)
    }
    return keys.sorted { ($0.count, $0) < ($1.count, $1) }.first?.replacingOccurrences(of: " ", with: "")
  }

  /// Every binding of a screen, for the help screen: "keys  action", sorted by action.
  public func help(for screen: Model.Screen) -> [(keys: String, summary: String)] {
    var byAction: [Action: [String]] = [:]
    for context in [Self.context(for: screen), .global] {
      for (key, action) in bindings[context] ?? [:] { byAction[action, default: []].append(key) }
    }
    return Action.allCases.compactMap { action in
      byAction[action].map {
        (
          keys: $0.sorted().map { $0.replacingOccurrences(of: " ", with: "") }.joined(separator: " "),
          summary: action.summary
        )
      }
    }
  }

  /// The keymaps shipped in `Keymaps/`, found beside the executable's package or installed copy.
  public static func shipped(_ name: String, searching roots: [String]) throws(Failure) -> Keymap {
    for root in roots {
      let path = root + "/Keymaps/" + name + ".toml"
      if let text = try? String(contentsOfFile: path, encoding: .utf8) { return try Keymap(toml: text, file: path) }
    }
    throw Failure(description: "keymap \(name).toml not found in \(roots.joined(separator: ", "))")
  }
}
