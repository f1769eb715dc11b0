/// A registered UID of PS3.6 table A-1: transfer syntaxes, SOP classes, and the rest.
public struct RegisteredUID: Sendable, Equatable {
  public let uid: String
  public let name: String
  /// "Transfer Syntax", "SOP Class", "Well-known SOP Instance", ...
  public let type: String
  public let keyword: String
  public let isRetired: Bool
}

/// Lookups in the generated UID registry.
public enum UIDRegistry {
  public static func lookup(_ uid: String) -> RegisteredUID? { tables.byUID[uid] }

  public static func lookup(keyword: String) -> RegisteredUID? { tables.byKeyword[keyword] }

  /// The registered name, or the UID itself when it is not registered.
  public static func name(of uid: String) -> String { lookup(uid)?.name ?? uid }

  public static var all: [RegisteredUID] { tables.all }

  struct Tables: Sendable {
    var byUID: [String: RegisteredUID] = [:]
    var byKeyword: [String: RegisteredUID] = [:]
    var all: [RegisteredUID] = []
  }

  static let tables: Tables = {
    var t = Tables()
    for line in table.split(separator: "\n") {
      let f = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard f.count == 5 else { continue }
      let r = RegisteredUID(
        uid: String(f[0]), name: String(f[1]), type: String(f[2]), keyword: String(f[3]),
        isRetired: f[4] == "1")
      t.byUID[r.uid] = r
      if !r.keyword.isEmpty { t.byKeyword[r.keyword] = r }
      t.all.append(r)
    }
    return t
  }()
}
