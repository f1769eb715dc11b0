public import GRDB

#if canImport(Glibc)
  import Glibc
#endif

/// The SQLite index of the archive (GRDB): patients, studies, series, instances, with migrations.
public final class ArchiveIndex: Sendable {
  public let database: DatabaseQueue
  /// A read-only connection for lookups on the receiving path: in WAL mode it reads while the receive
  /// journal's flusher writes, so a C-STORE never waits on another batch's transaction.
  let lookups: DatabaseQueue

  public init(path: String) throws(ArchiveError) {
    // Patient data: the index is private to its owner, like the files (SQLite gives -wal and -shm the
    // database file's permissions).
    let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
    fchmod(fd, 0o600)
    close(fd)
    do {
      var configuration = Configuration()
      configuration.prepareDatabase { db in
        try db.execute(sql: "PRAGMA journal_mode = WAL")
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
      }
      database = try DatabaseQueue(path: path, configuration: configuration)
      try Self.migrator.migrate(database)
      var readOnly = Configuration()
      readOnly.readonly = true
      lookups = try DatabaseQueue(path: path, configuration: readOnly)
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// Schema history: add a migration, never edit one that shipped.
  static var migrator: DatabaseMigrator {
    var m = DatabaseMigrator()
    m.registerMigration("v1: patients, studies, series, instances") { db in
      try db.execute(
        sql: """
          CREATE TABLE patient (
            id INTEGER PRIMARY KEY,
            patientID TEXT NOT NULL,
            name TEXT NOT NULL,
            nameKey TEXT NOT NULL,           -- upper-cased name, for case-insensitive PN matching
            birthDate TEXT NOT NULL,
            sex TEXT NOT NULL,
            UNIQUE (patientID, name)
          );
          CREATE TABLE study (
            id INTEGER PRIMARY KEY,
            studyInstanceUID TEXT NOT NULL UNIQUE,
            patient INTEGER NOT NULL REFERENCES patient(id) ON DELETE CASCADE,
            studyDate TEXT NOT NULL,
            studyTime TEXT NOT NULL,
            accessionNumber TEXT NOT NULL,
            studyID TEXT NOT NULL,
            description TEXT NOT NULL,
            referringPhysician TEXT NOT NULL,
            lastViewed REAL,
            pinned INTEGER NOT NULL DEFAULT 0
          );
          CREATE INDEX study_date ON study(studyDate);
          CREATE INDEX study_patient ON study(patient);
          CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            seriesInstanceUID TEXT NOT NULL UNIQUE,
            study INTEGER NOT NULL REFERENCES study(id) ON DELETE CASCADE,
            modality TEXT NOT NULL,
            seriesNumber INTEGER,
            description TEXT NOT NULL,
            bodyPart TEXT NOT NULL
          );
          CREATE INDEX series_study ON series(study);
          CREATE TABLE instance (
            id INTEGER PRIMARY KEY,
            sopInstanceUID TEXT NOT NULL UNIQUE,
            sopClassUID TEXT NOT NULL,
            series INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
            instanceNumber INTEGER,
            transferSyntaxUID TEXT NOT NULL,
            path TEXT NOT NULL,              -- relative to the store, or absolute when linked in place
            linked INTEGER NOT NULL,
            size INTEGER NOT NULL,
            source TEXT NOT NULL,            -- 'import', or the calling AE title of a receive
            added REAL NOT NULL
          );
          CREATE INDEX instance_series ON instance(series);
          """)
    }
    m.registerMigration("v2: retrieval bookkeeping") { db in
      try db.execute(
        sql: """
          CREATE TABLE retrieval (
            id INTEGER PRIMARY KEY,
            node TEXT NOT NULL,
            studyInstanceUID TEXT NOT NULL,
            seriesInstanceUID TEXT,
            state TEXT NOT NULL,             -- queued, running, done, failed, cancelled
            completed INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            remaining INTEGER,
            created REAL NOT NULL,
            updated REAL NOT NULL
          );
          CREATE INDEX retrieval_state ON retrieval(state);
          """)
    }
    // Where each slice lies (a series is scrolled in space, not by a number a device chose) and how many
    // frames it holds (a stack is built without opening the files). Rows indexed before this have none
    // of them: they keep their instance-number order, and their files are read for their frames.
    m.registerMigration("v3: slice orientation, position and frames") { db in
      try db.execute(
        sql: """
          ALTER TABLE instance ADD COLUMN orientation TEXT;  -- Image Orientation (Patient), rounded
          ALTER TABLE instance ADD COLUMN position REAL;     -- Image Position (Patient) along the normal, mm
          ALTER TABLE instance ADD COLUMN frames INTEGER;    -- Number of Frames (1 when absent)
          """)
    }
    // Which acquisition of a plane a slice belongs to (echo, temporal position): a multi-echo or dynamic
    // series is one stack of each, not their slices interleaved. Rows indexed before stay in one stack.
    m.registerMigration("v4: slice stack") { db in
      try db.execute(
        sql: """
          ALTER TABLE instance ADD COLUMN stack TEXT;         -- e.g. "E2 T3": Echo Numbers, Temporal Position Identifier
          ALTER TABLE instance ADD COLUMN acquisition INTEGER; -- Acquisition Number
          """)
    }
    // Measurements the reader kept, by the image they were made on (its SOP Instance UID, not its file:
    // they stay with the image when it is retrieved again or replaced). Points in image pixels.
    m.registerMigration("v5: kept measurements") { db in
      try db.execute(
        sql: """
          CREATE TABLE measurement (
            id INTEGER PRIMARY KEY,
            sopInstanceUID TEXT NOT NULL,
            frame INTEGER NOT NULL,       -- counted from 0
            kind TEXT NOT NULL,           -- distance | rectangle
            x1 INTEGER NOT NULL, y1 INTEGER NOT NULL, x2 INTEGER NOT NULL, y2 INTEGER NOT NULL,
            created TEXT NOT NULL         -- ISO 8601
          );
          CREATE INDEX measurement_image ON measurement(sopInstanceUID, frame);
          """)
    }
    // Issuer of Patient ID, by study (where each study's objects said it): a patient's history matches
    // the ID and the issuer, so one hospital's patient 123 is not another's. Rows before this have none,
    // which matches any issuer.
    m.registerMigration("v6: issuer of patient ID") { db in
      try db.execute(sql: "ALTER TABLE study ADD COLUMN issuerOfPatientID TEXT NOT NULL DEFAULT ''")
    }
    // The files of each send the node has not confirmed yet: a send broken off resumes with them, after a
    // restart too. A row goes once the node confirmed its file.
    m.registerMigration("v7: sends not finished") { db in
      try db.execute(
        sql: """
          CREATE TABLE pendingSend (
            id INTEGER PRIMARY KEY,
            send TEXT NOT NULL,       -- a UUID for one send
            node TEXT NOT NULL, study TEXT NOT NULL, detail TEXT NOT NULL,
            path TEXT NOT NULL        -- the stored file, as sent
          );
          CREATE INDEX pendingSend_send ON pendingSend(send, path);
          """)
    }
    return m
  }
}
