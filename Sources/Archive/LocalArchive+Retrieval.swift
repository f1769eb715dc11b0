public import Foundation
import GRDB

/// Retrieval bookkeeping: which instances of a remote study are already here (so an interrupted retrieve
/// asks only for the rest), and the state of queued and running retrieves (prefetch queue).
extension LocalArchive {
  public struct Retrieval: Sendable, Equatable {
    public enum State: String, Sendable { case queued, running, done, failed, cancelled }
    public var id: Int64
    public var node: String
    public var studyInstanceUID: String
    public var seriesInstanceUID: String?
    public var state: State
    public var completed: Int
    public var failed: Int
    public var remaining: Int?
  }

  /// The SOP Instance UIDs of `uids` that the archive does not hold yet, in the order given.
  public func missing(sopInstanceUIDs uids: [String]) throws(ArchiveError) -> [String] {
    do {
      let present = try index.database.read { db -> Set<String> in
        var found = Set<String>()
        for chunk in stride(from: 0, to: uids.count, by: 500).map({ Array(uids[$0..<min($0 + 500, uids.count)]) }) {
          let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
          found.formUnion(
            try String.fetchAll(
              db, sql: "SELECT sopInstanceUID FROM instance WHERE sopInstanceUID IN (\(marks))",
              arguments: StatementArguments(chunk)))
        }
        return found
      }
      return uids.filter { !present.contains($0) }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  @discardableResult
  public func enqueueRetrieval(
    node: String, studyInstanceUID: String, seriesInstanceUID: String? = nil,
    at time: Date = Date()
  ) throws(ArchiveError) -> Int64 {
    do {
      return try index.database.write { db in
        try db.execute(
          sql: """
            INSERT INTO retrieval (node, studyInstanceUID, seriesInstanceUID, state, created, updated)
            VALUES (?, ?, ?, 'queued', ?, ?)
            """,
          arguments: [
            node, studyInstanceUID, seriesInstanceUID, time.timeIntervalSince1970, time.timeIntervalSince1970,
          ])
        return db.lastInsertedRowID
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  public func updateRetrieval(_ id: Int64, state: Retrieval.State, completed: Int, failed: Int, remaining: Int?)
    throws(ArchiveError)
  {
    try execute(
      "UPDATE retrieval SET state = ?, completed = ?, failed = ?, remaining = ?, updated = ? WHERE id = ?",
      [state.rawValue, completed, failed, remaining, Date().timeIntervalSince1970, id])
  }

  /// Retrievals in the given states, oldest first: `[.queued, .running]` after a restart are the ones to resume.
  public func retrievals(in states: [Retrieval.State]) throws(ArchiveError) -> [Retrieval] {
    do {
      return try index.database.read { db in
        let marks = Array(repeating: "?", count: states.count).joined(separator: ",")
        return try Row.fetchAll(
          db, sql: "SELECT * FROM retrieval WHERE state IN (\(marks)) ORDER BY id",
          arguments: StatementArguments(states.map(\.rawValue))
        ).map { row in
          Retrieval(
            id: row["id"], node: row["node"], studyInstanceUID: row["studyInstanceUID"],
            seriesInstanceUID: row["seriesInstanceUID"], state: Retrieval.State(rawValue: row["state"]) ?? .failed,
            completed: row["completed"], failed: row["failed"], remaining: row["remaining"])
        }
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }
}
