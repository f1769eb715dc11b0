public import Foundation
import GRDB

/// A measurement the reader kept: a distance or a rectangle on one frame of an image, its two points in
/// image pixels (column, row). Its values (mm, mean and SD) are computed from the image when shown or
/// exported, never stored: they cannot disagree with the pixels.
public struct KeptMeasurement: Sendable, Hashable {
  public enum Kind: String, Sendable, CaseIterable { case distance, rectangle }

  public var sopInstanceUID: String
  /// Counted from 0, as the viewer counts frames.
  public var frame: Int
  public var kind: Kind
  public var from: Point
  public var to: Point

  public struct Point: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) {
      self.x = x
      self.y = y
    }
  }

  public init(sopInstanceUID: String, frame: Int, kind: Kind, from: Point, to: Point) {
    self.sopInstanceUID = sopInstanceUID
    self.frame = frame
    self.kind = kind
    self.from = from
    self.to = to
  }
}

extension LocalArchive {
  /// The largest pixel coordinate kept: images are far smaller (rows and columns are 16-bit).
  static let measurementCoordinateLimit = 65_535

  /// Keeps a measurement.
  public func keep(_ m: KeptMeasurement, at time: Date = Date()) throws(ArchiveError) {
    let range = 0...Self.measurementCoordinateLimit
    guard m.frame >= 0, [m.from.x, m.from.y, m.to.x, m.to.y].allSatisfy(range.contains) else {
      throw ArchiveError.invalidQuery("a measurement outside any image")
    }
    do {
      try index.database.write { db in
        try db.execute(
          sql: """
            INSERT INTO measurement (sopInstanceUID, frame, kind, x1, y1, x2, y2, created)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            m.sopInstanceUID, m.frame, m.kind.rawValue, m.from.x, m.from.y, m.to.x, m.to.y,
            ISO8601DateFormatter().string(from: time),
          ])
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// Takes away the measurements kept on one frame of an image; returns how many there were.
  @discardableResult
  public func removeMeasurements(sopInstanceUID: String, frame: Int) throws(ArchiveError) -> Int {
    do {
      return try index.database.write { db in
        try db.execute(
          sql: "DELETE FROM measurement WHERE sopInstanceUID = ? AND frame = ?", arguments: [sopInstanceUID, frame])
        return db.changesCount
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }

  /// The measurements kept on the images of a series, with each image's stored file, in the order made.
  public func measurements(seriesInstanceUID: String) throws(ArchiveError) -> [(path: String, KeptMeasurement)] {
    try measurements(where: "series.seriesInstanceUID = ?", seriesInstanceUID)
  }

  /// The measurements kept on the images of a study that the archive holds, in the order made.
  public func measurements(studyInstanceUID: String) throws(ArchiveError) -> [(path: String, KeptMeasurement)] {
    try measurements(where: "study.studyInstanceUID = ?", studyInstanceUID)
  }

  private func measurements(where condition: String, _ uid: String) throws(ArchiveError) -> [(
    path: String, KeptMeasurement
  )] {
    do {
      let rows = try index.database.read { db in
        try Row.fetchAll(
          db,
          sql: """
            SELECT measurement.*, instance.path, instance.linked FROM measurement
            JOIN instance ON instance.sopInstanceUID = measurement.sopInstanceUID
            JOIN series ON series.id = instance.series JOIN study ON study.id = series.study
            WHERE \(condition) ORDER BY measurement.id
            """, arguments: [uid])
      }
      return rows.compactMap { row in
        guard let kind = KeptMeasurement.Kind(rawValue: row["kind"]) else { return nil }
        let path: String = (row["linked"] as Bool) ? row["path"] : store.absolute(row["path"])
        return (
          path,
          KeptMeasurement(
            sopInstanceUID: row["sopInstanceUID"], frame: row["frame"], kind: kind,
            from: .init(x: row["x1"], y: row["y1"]), to: .init(x: row["x2"], y: row["y2"]))
        )
      }
    } catch {
      throw ArchiveError.database("\(error)")
    }
  }
}
