import Foundation
import GRDB

/// Sends the node has not confirmed yet, kept in the index so that one broken off (by the node, the link,
/// the reader, or the workstation quitting) can be resumed later, even after a restart.
extension LocalArchive {
  /// A send not finished: where it goes and the files the node has not confirmed.
  public struct UnfinishedSend: Sendable, Equatable {
    public var id: String
    public var node: String
    public var study: String
    public var detail: String
    public var files: [String]
  }

  /// Notes a send about to begin; returns its id.
  public func beginSend(node: String, study: String, detail: String, files: [String]) throws(ArchiveError) -> String {
    let id = UUID().uuidString
    do {
      try index.database.write { db in
        for file in files {
          try db.cachedStatement(
            sql: "INSERT INTO pendingSend (send, node, study, detail, path) VALUES (?, ?, ?, ?, ?)"
          ).execute(arguments: [id, node, study, detail, file])
        }
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
    return id
  }

  /// The node confirmed these files.
  public func confirmSent(_ id: String, files: [String]) throws(ArchiveError) {
    do {
      try index.database.write { db in
        for file in files {
          try db.cachedStatement(sql: "DELETE FROM pendingSend WHERE send = ? AND path = ?").execute(arguments: [
            id, file,
          ])
        }
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// Sends with files left, oldest first; files no longer in the archive are left out (and forgotten).
  public func unfinishedSends() throws(ArchiveError) -> [UnfinishedSend] {
    do {
      let rows = try index.database.read { db in
        try Row.fetchAll(db, sql: "SELECT send, node, study, detail, path FROM pendingSend ORDER BY id")
      }
      var out: [UnfinishedSend] = []
      var gone: [String: [String]] = [:]
      for row in rows {
        let (id, path): (String, String) = (row["send"], row["path"])
        guard FileManager.default.fileExists(atPath: path) else {
          gone[id, default: []].append(path)
          continue
        }
        if let i = out.firstIndex(where: { $0.id == id }) {
          out[i].files.append(path)
        } else {
          out.append(
            UnfinishedSend(id: id, node: row["node"], study: row["study"], detail: row["detail"], files: [path]))
        }
      }
      // One write a send, not one a file.
      for (id, paths) in gone { try confirmSent(id, files: paths) }
      return out
    } catch let error as ArchiveError {
      throw error
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }
}
