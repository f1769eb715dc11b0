import DICOM
import Foundation
import GRDB
import Synchronization

/// The local archive: a file store and its index, opened from one root directory.
public final class LocalArchive: Sendable {
  public let store: FileStore
  public let index: ArchiveIndex

  private let journalBox = Mutex<ReceiveJournal?>(nil)
  /// Held while a received object is checked against what the archive holds and queued.
  let receiveGate = Mutex(())

  public init(root: String) throws(ArchiveError) {
    store = try FileStore(root: root)
    index = try ArchiveIndex(path: root + "/index.sqlite")
  }

  /// Where network receives wait for the disk (made on first use).
  public func journal() throws(ArchiveError) -> ReceiveJournal {
    let made: Result<ReceiveJournal, ArchiveError> = journalBox.withLock { box in
      if let box { return .success(box) }
      do throws(ArchiveError) {
        let j = try ReceiveJournal(store: store) { [weak self] entries in
          try self?.add(contentsOf: entries, duplicates: .keep) ?? entries.map { _ in false }
        }
        box = j
        return .success(j)
      } catch {
        return .failure(error)
      }
    }
    return try made.get()
  }

  /// What to do with an instance whose SOP Instance UID is already in the archive.
  public enum DuplicatePolicy: String, Sendable { case keep, replace }

  /// Adds one instance whose file is already in place (`path` relative to the store, or absolute when
  /// linked). Returns false when it was a duplicate kept as it was.
  @discardableResult
  public func add(
    _ r: InstanceRecord, path: String, linked: Bool, size: Int, source: String,
    duplicates: DuplicatePolicy = .keep
  ) throws(ArchiveError) -> Bool {
    try add(
      contentsOf: [Entry(record: r, path: path, linked: linked, size: size, source: source)],
      duplicates: duplicates)[0]
  }

  /// One instance to index, with where its file is.
  public struct Entry: Sendable {
    public var record: InstanceRecord
    public var path: String
    public var linked: Bool
    public var size: Int
    public var source: String
    /// This entry takes the place of the instance indexed under its SOP Instance UID, whatever the
    /// batch's duplicate policy.
    public var replaces: Bool

    public init(record: InstanceRecord, path: String, linked: Bool, size: Int, source: String, replaces: Bool = false) {
      self.record = record
      self.path = path
      self.linked = linked
      self.size = size
      self.source = source
      self.replaces = replaces
    }
  }

  /// Adds many instances in one transaction; returns for each whether it was added (false: a duplicate
  /// kept). Files of replaced instances are removed once the transaction has committed.
  public func add(contentsOf entries: [Entry], duplicates: DuplicatePolicy = .keep) throws(ArchiveError) -> [Bool] {
    do {
      let outcomes = try index.database.write { db in
        try entries.map { e in
          try Self.insert(
            e.record, path: e.path, linked: e.linked, size: e.size, source: e.source,
            duplicates: e.replaces ? .replace : duplicates, db: db)
        }
      }
      let kept = Set(entries.map(\.path))
      for outcome in outcomes { if let old = outcome.replacedFile, !kept.contains(old) { store.remove(old) } }
      return outcomes.map(\.added)
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  struct InsertOutcome {
    var added: Bool
    /// The stored file of the instance this one replaced.
    var replacedFile: String?
  }

  static func insert(
    _ r: InstanceRecord, path: String, linked: Bool, size: Int, source: String,
    duplicates: DuplicatePolicy, db: Database
  ) throws -> InsertOutcome {
    // A batch runs these statements for every instance: each is compiled once per connection, not per row.
    func execute(sql: String, arguments: StatementArguments) throws {
      try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }
    func fetchID(sql: String, arguments: StatementArguments) throws -> Int64? {
      try Int64.fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
    var replacedFile: String? = nil
    /// The rows the replaced instance hung from: removed below if it leaves them empty.
    var formerParents: (series: Int64, study: Int64, patient: Int64)? = nil
    if let existing = try Row.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT instance.id, instance.path, instance.linked, series.id AS series, study.id AS study,
                 study.patient AS patient
          FROM instance LEFT JOIN series ON series.id = instance.series LEFT JOIN study ON study.id = series.study
          WHERE instance.sopInstanceUID = ?
          """), arguments: [r.sopInstanceUID])
    {
      guard duplicates == .replace else { return InsertOutcome(added: false) }
      try execute(sql: "DELETE FROM instance WHERE id = ?", arguments: [existing["id"] as Int64])
      if !(existing["linked"] as Bool) { replacedFile = existing["path"] }
      if let series: Int64 = existing["series"], let study: Int64 = existing["study"],
        let patient: Int64 = existing["patient"]
      {
        formerParents = (series, study, patient)
      }
    }
    // A replacing object brings its own patient, study and series attributes: the rows follow it.
    let replacing = duplicates == .replace
    let studyConflict =
      replacing
      ? """
      DO UPDATE SET patient = excluded.patient, studyDate = excluded.studyDate, studyTime = excluded.studyTime,
        accessionNumber = excluded.accessionNumber, studyID = excluded.studyID,
        description = excluded.description, referringPhysician = excluded.referringPhysician,
        issuerOfPatientID = excluded.issuerOfPatientID
      """ : "DO NOTHING"
    let seriesConflict =
      replacing
      ? """
      DO UPDATE SET study = excluded.study, modality = excluded.modality, seriesNumber = excluded.seriesNumber,
        description = excluded.description, bodyPart = excluded.bodyPart
      """ : "DO NOTHING"
    try execute(
      sql: """
        INSERT INTO patient (patientID, name, nameKey, birthDate, sex) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (patientID, name) DO NOTHING
        """, arguments: [r.patientID, r.patientName, r.patientName.uppercased(), r.birthDate, r.sex])
    let patient = try fetchID(
      sql: "SELECT id FROM patient WHERE patientID = ? AND name = ?",
      arguments: [r.patientID, r.patientName])!
    try execute(
      sql: """
        INSERT INTO study (studyInstanceUID, patient, studyDate, studyTime, accessionNumber, studyID, description,
                           referringPhysician, issuerOfPatientID)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (studyInstanceUID) \(studyConflict)
        """,
      arguments: [
        r.studyInstanceUID, patient, r.studyDate, r.studyTime, r.accessionNumber, r.studyID,
        r.studyDescription, r.referring, r.issuerOfPatientID,
      ])
    let study = try fetchID(
      sql: "SELECT id FROM study WHERE studyInstanceUID = ?",
      arguments: [r.studyInstanceUID])!
    try execute(
      sql: """
        INSERT INTO series (seriesInstanceUID, study, modality, seriesNumber, description, bodyPart)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (seriesInstanceUID) \(seriesConflict)
        """, arguments: [r.seriesInstanceUID, study, r.modality, r.seriesNumber, r.seriesDescription, r.bodyPart])
    let series = try fetchID(
      sql: "SELECT id FROM series WHERE seriesInstanceUID = ?",
      arguments: [r.seriesInstanceUID])!
    try execute(
      sql: """
        INSERT INTO instance (sopInstanceUID, sopClassUID, series, instanceNumber, transferSyntaxUID, path, linked,
                              size, source, added, orientation, position, frames, stack, acquisition)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        r.sopInstanceUID, r.sopClassUID, series, r.instanceNumber, r.transferSyntaxUID, path, linked, size,
        source, Date().timeIntervalSince1970, r.orientation, r.position, r.frames, r.stack,
        r.acquisition,
      ])
    if let former = formerParents {
      // Rows the replaced instance leaves empty go with it (only its own: no scan of the tables). Three
      // statements: compiled each time (a replacement is rare).
      try db.execute(
        sql: """
          DELETE FROM series WHERE id = ? AND NOT EXISTS (SELECT 1 FROM instance WHERE instance.series = ?);
          DELETE FROM study WHERE id = ? AND NOT EXISTS (SELECT 1 FROM series WHERE series.study = ?);
          DELETE FROM patient WHERE id = ? AND NOT EXISTS (SELECT 1 FROM study WHERE study.patient = ?);
          """,
        arguments: [former.series, former.series, former.study, former.study, former.patient, former.patient])
    }
    return InsertOutcome(added: true, replacedFile: replacedFile)
  }

  /// The absolute path of the file the index holds for an instance.
  public func storedPath(sopInstanceUID: String) throws(ArchiveError) -> String? {
    do {
      let row = try index.lookups.read { db in
        // Asked for every object received (the duplicate check): compiled once per connection.
        try Row.fetchOne(
          db.cachedStatement(sql: "SELECT path, linked FROM instance WHERE sopInstanceUID = ?"),
          arguments: [sopInstanceUID])
      }
      guard let row else { return nil }
      return (row["linked"] as Bool) ? row["path"] : store.absolute(row["path"])
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// Whether the archive holds an instance.
  public func contains(sopInstanceUID: String) throws(ArchiveError) -> Bool {
    do {
      return try index.database.read { db in
        try Bool.fetchOne(
          db, sql: "SELECT EXISTS (SELECT 1 FROM instance WHERE sopInstanceUID = ?)",
          arguments: [sopInstanceUID]) ?? false
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// Paths of the instances of a series in instance-number order, for opening it.
  public func instancePaths(seriesInstanceUID: String) throws(ArchiveError) -> [String] {
    try instances(seriesInstanceUID: seriesInstanceUID).map(\.path)
  }

  /// The instances of a series in the order a reader scrolls them (`SliceOrder`), with what the index
  /// knows of each: SOP Class, plane, position along its normal, frames.
  public func instances(seriesInstanceUID: String, pending: [PendingInstance] = []) throws(ArchiveError)
    -> [SliceOrder.Slice]
  {
    do {
      let rows = try index.database.read { db in
        try Row.fetchAll(
          db,
          sql: """
            SELECT instance.path, instance.linked, instance.sopClassUID, instance.orientation, instance.position,
              instance.frames, instance.stack, instance.acquisition, instance.instanceNumber, instance.sopInstanceUID
            FROM instance JOIN series ON series.id = instance.series
            WHERE series.seriesInstanceUID = ? ORDER BY instance.instanceNumber, instance.id
            """, arguments: [seriesInstanceUID])
      }
      var ranked: [(number: Int, slice: SliceOrder.Slice)] = rows.map { row in
        (
          (row["instanceNumber"] as Int?) ?? Int.max,
          SliceOrder.Slice(
            path: (row["linked"] as Bool) ? row["path"] : store.absolute(row["path"]), sopClassUID: row["sopClassUID"],
            orientation: row["orientation"], position: row["position"], frames: row["frames"], stack: row["stack"],
            acquisition: row["acquisition"])
        )
      }
      // Slices on their way take their place among those here, by instance number as the archive orders.
      let here = Set(rows.map { $0["sopInstanceUID"] as String })
      let coming = pending.filter { !here.contains($0.sopInstanceUID) }
      if !coming.isEmpty {
        ranked += coming.map { ($0.instanceNumber, $0.slice) }
        ranked = ranked.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
          .map(\.element)
      }
      return SliceOrder.ordered(ranked.map(\.slice))
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }
}
