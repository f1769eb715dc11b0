public import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif

/// Size budget and eviction, viewing and pinning, consistency checks and statistics.
extension LocalArchive {
  public struct Stats: Sendable, Equatable, Codable {
    public var patients = 0, studies = 0, series = 0, instances = 0
    public var storedBytes = 0, linkedInstances = 0, pinnedStudies = 0
  }

  public func stats() throws(ArchiveError) -> Stats {
    do {
      return try index.database.read { db in
        var s = Stats()
        s.patients = try Int.fetchOne(db, sql: "SELECT count(*) FROM patient") ?? 0
        s.studies = try Int.fetchOne(db, sql: "SELECT count(*) FROM study") ?? 0
        s.series = try Int.fetchOne(db, sql: "SELECT count(*) FROM series") ?? 0
        s.instances = try Int.fetchOne(db, sql: "SELECT count(*) FROM instance") ?? 0
        s.storedBytes = try Int.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM instance WHERE linked = 0") ?? 0
        s.linkedInstances = try Int.fetchOne(db, sql: "SELECT count(*) FROM instance WHERE linked = 1") ?? 0
        s.pinnedStudies = try Int.fetchOne(db, sql: "SELECT count(*) FROM study WHERE pinned = 1") ?? 0
        return s
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// Records that a study was opened (eviction removes the least recently viewed first).
  public func markViewed(studyInstanceUID: String, at time: Date = Date()) throws(ArchiveError) {
    try execute(
      "UPDATE study SET lastViewed = ? WHERE studyInstanceUID = ?", [time.timeIntervalSince1970, studyInstanceUID])
  }

  /// Pinned studies are never evicted.
  public func pin(studyInstanceUID: String, _ pinned: Bool = true) throws(ArchiveError) {
    try execute("UPDATE study SET pinned = ? WHERE studyInstanceUID = ?", [pinned, studyInstanceUID])
  }

  func execute(_ sql: String, _ arguments: StatementArguments) throws(ArchiveError) {
    do { try index.database.write { db in try db.execute(sql: sql, arguments: arguments) } } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// Evicts whole studies, least recently viewed (or added) first, pinned ones never, until the stored
  /// bytes fit `budget`. Rows go first, files after, so a kill in between leaves an orphan file (removed
  /// by `check`), never a row without its file. Returns the evicted Study Instance UIDs.
  @discardableResult
  public func evict(toFit budget: Int) throws(ArchiveError) -> [String] {
    var evicted: [String] = []
    do {
      var total = try index.database.read { db in
        try Int.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM instance WHERE linked = 0") ?? 0
      }
      let candidates = try index.database.read { db in
        try Row.fetchAll(
          db,
          sql: """
            SELECT study.id, study.studyInstanceUID,
                   coalesce(study.lastViewed, (SELECT max(added) FROM instance i JOIN series s ON s.id = i.series
                                               WHERE s.study = study.id)) AS used,
                   (SELECT coalesce(sum(i.size), 0) FROM instance i JOIN series s ON s.id = i.series
                    WHERE s.study = study.id AND i.linked = 0) AS bytes
            FROM study WHERE pinned = 0 ORDER BY used ASC, study.id ASC
            """)
      }
      for row in candidates where total > budget {
        let id: Int64 = row["id"]
        let paths = try index.database.write { db -> [String] in
          let paths = try String.fetchAll(
            db,
            sql: """
              SELECT i.path FROM instance i JOIN series s ON s.id = i.series WHERE s.study = ? AND i.linked = 0
              """, arguments: [id])
          try db.execute(
            sql: "DELETE FROM instance WHERE series IN (SELECT id FROM series WHERE study = ?)", arguments: [id])
          try db.execute(sql: "DELETE FROM series WHERE study = ?", arguments: [id])
          try db.execute(sql: "DELETE FROM study WHERE id = ?", arguments: [id])
          try db.execute(sql: "DELETE FROM patient WHERE id NOT IN (SELECT patient FROM study)")
          return paths
        }
        for p in paths { store.remove(p) }
        total -= row["bytes"] as Int
        evicted.append(row["studyInstanceUID"])
      }
    } catch let error as ArchiveError {
      throw error
    } catch {
      throw ArchiveError.database("\(error)")
    }
    return evicted
  }

  public struct CheckReport: Sendable, Equatable, CustomStringConvertible {
    /// Rows whose file is gone (removed from the index when repairing).
    public var missingFiles = 0
    /// Files in the store that no row names (deleted when repairing).
    public var orphanFiles = 0
    /// Temporary files of interrupted writes (always deleted).
    public var temporaryFiles = 0
    /// Received objects a killed process had acknowledged but not yet filed: filed now.
    public var recoveredReceives = 0

    public var isConsistent: Bool { missingFiles == 0 && orphanFiles == 0 }
    public var description: String {
      "missing files \(missingFiles), orphan files \(orphanFiles), temporary files removed \(temporaryFiles), received objects recovered \(recoveredReceives)"
    }
  }

  /// What a quick check found: SQLite's own check of the index (`PRAGMA quick_check`, no file walked)
  /// and how many files of the index are missing among a sample, without changing anything.
  public struct QuickCheckReport: Sendable, Equatable, CustomStringConvertible {
    /// SQLite's findings; empty when the index is sound.
    public var indexProblems: [String] = []
    /// Instances whose file was looked for (the most recently added, up to the sample size).
    public var sampled = 0
    /// Of those, the ones whose file is gone.
    public var missingInSample = 0

    public var isConsistent: Bool { indexProblems.isEmpty && missingInSample == 0 }
    public var description: String {
      let index =
        indexProblems.isEmpty ? "index sound" : "index damaged: \(indexProblems.prefix(3).joined(separator: "; "))"
      return "\(index), \(missingInSample) of \(sampled) newest files missing"
    }
  }

  /// The check `biloba doctor` and `archive check --quick` run: fast on any archive size, read-only
  /// (the full `check` also files interrupted receives and removes temporaries).
  public func quickCheck(sample: Int = 200) throws(ArchiveError) -> QuickCheckReport {
    var report = QuickCheckReport()
    do {
      let (findings, rows) = try index.database.read { db in
        (
          try String.fetchAll(db, sql: "PRAGMA quick_check"),
          try Row.fetchAll(db, sql: "SELECT path, linked FROM instance ORDER BY id DESC LIMIT ?", arguments: [sample])
        )
      }
      report.indexProblems = findings.filter { $0 != "ok" }
      report.sampled = rows.count
      for row in rows {
        let linked: Bool = row["linked"]
        let path: String = row["path"]
        if !FileManager.default.fileExists(atPath: linked ? path : store.absolute(path)) { report.missingInSample += 1 }
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
    return report
  }

  /// Compares the index with the files; with `repair`, drops rows without files and files without rows.
  public func check(repair: Bool) throws(ArchiveError) -> CheckReport {
    var report = CheckReport()
    report.recoveredReceives = recoverReceived()
    report.temporaryFiles = store.removeOrphanTemporaries()
    do {
      let rows = try index.database.read { db in
        try Row.fetchAll(db, sql: "SELECT id, path, linked FROM instance")
      }
      var known = Set<String>()
      var missing: [Int64] = []
      for row in rows {
        let linked: Bool = row["linked"]
        let path: String = row["path"]
        if !linked { known.insert(path) }
        if !FileManager.default.fileExists(atPath: linked ? path : store.absolute(path)) { missing.append(row["id"]) }
      }
      report.missingFiles = missing.count
      if repair && !missing.isEmpty {
        try index.database.write { db in
          for id in missing { try db.execute(sql: "DELETE FROM instance WHERE id = ?", arguments: [id]) }
          try db.execute(sql: "DELETE FROM series WHERE id NOT IN (SELECT series FROM instance)")
          try db.execute(sql: "DELETE FROM study WHERE id NOT IN (SELECT study FROM series)")
          try db.execute(sql: "DELETE FROM patient WHERE id NOT IN (SELECT patient FROM study)")
        }
      }
      if let walker = FileManager.default.enumerator(atPath: store.root + "/objects") {
        while let item = walker.nextObject() as? String {
          guard item.hasSuffix(".dcm") else { continue }
          let relative = "objects/" + item
          if !known.contains(relative) {
            report.orphanFiles += 1
            if repair { store.remove(relative) }
          }
        }
      }
    } catch let error as ArchiveError {
      throw error
    } catch {
      throw ArchiveError.database("\(error)")
    }
    return report
  }
}
