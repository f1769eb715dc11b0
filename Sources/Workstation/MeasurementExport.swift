public import Archive
import DICOM
import DICOMImaging
public import Foundation

/// A study's kept measurements with their values, computed from the images as they are now: for
/// `:measurements`, `:measurements export FILE` and `biloba measurements`.
public enum MeasurementExport {
  public struct Row: Sendable {
    public var measurement: KeptMeasurement
    public var seriesInstanceUID: String
    public var seriesNumber: Int?
    public var instanceNumber: Int?
    /// The two points in patient coordinates (mm), when the image says where it lies.
    public var patient: [[Double]]?
    public var measured: Measured
    /// The modality values' unit (HU for CT), for a rectangle's mean and SD.
    public var units: String?
  }

  /// What went wrong with one measurement (its image cannot be read): the rest are still given.
  public struct Problem: Sendable, Equatable {
    public var sopInstanceUID: String
    public var reason: String
  }

  /// Every measurement kept on the study's images, with its values.
  public static func rows(studyInstanceUID: String, in archive: LocalArchive) throws(ArchiveError) -> (
    rows: [Row], problems: [Problem]
  ) {
    let kept = try archive.measurements(studyInstanceUID: studyInstanceUID)
    // Each image opened once, and let go before the next (a study's worth would not fit in memory);
    // each frame decoded once for all the rectangles on it. Rows come out in the order kept.
    var byImage: [String: [Int]] = [:]
    var order: [String] = []
    for (i, (path, _)) in kept.enumerated() {
      if byImage[path] == nil { order.append(path) }
      byImage[path, default: []].append(i)
    }
    var rows: [(Int, Row)] = []
    var problems: [Problem] = []
    for path in order {
      let indices = byImage[path] ?? []
      do throws(ImagingError) {
        let image = try DICOMImage(path: path)
        var frames: [Int: DecodedFrame] = [:]
        for i in indices {
          let m = kept[i].1
          do throws(ImagingError) {
            rows.append((i, try row(m, image: image, frames: &frames)))
          } catch {
            problems.append(Problem(sopInstanceUID: m.sopInstanceUID, reason: "\(error)"))
          }
        }
      } catch {
        problems += indices.map { Problem(sopInstanceUID: kept[$0].1.sopInstanceUID, reason: "\(error)") }
      }
    }
    return (rows.sorted { $0.0 < $1.0 }.map(\.1), problems)
  }

  /// One measurement's values on its frame, at the image's full resolution.
  static func row(_ m: KeptMeasurement, image: DICOMImage, frames: inout [Int: DecodedFrame]) throws(ImagingError)
    -> Row
  {
    guard m.frame < image.pixel.numberOfFrames else {
      throw ImagingError.frameOutOfRange(index: m.frame, count: image.pixel.numberOfFrames)
    }
    let geometry = image.geometry(frame: m.frame)
    let spacing = Measurements.Spacing(geometry.pixelSpacing)
    // Points beyond the image (a file replaced by a smaller one) are brought to its edge.
    let clamp = { (p: KeptMeasurement.Point) in
      (x: min(max(0, p.x), image.pixel.columns - 1), y: min(max(0, p.y), image.pixel.rows - 1))
    }
    let a = clamp(m.from)
    let b = clamp(m.to)
    let measured: Measured
    switch m.kind {
    case .distance:
      measured = Measurements.distance(from: a, to: b, spacing: spacing)
    case .rectangle:
      let frame: DecodedFrame
      if let known = frames[m.frame] {
        frame = known
      } else {
        frame = try image.decodeFrame(m.frame)
        frames[m.frame] = frame
      }
      guard frame.samplesPerPixel == 1 else {
        throw ImagingError.invalidAttribute("Samples per Pixel", reason: "statistics of a colour image")
      }
      let modality = try ModalityTransform.from(image.dataset, frame: m.frame)
      measured = Measurements.region(from: a, to: b, spacing: spacing) { x, y in
        modality.apply(frame.numeric(frame.values[y * frame.width + x]))
      }
    }
    return Row(
      measurement: m, seriesInstanceUID: image.dataset.string(Tag.seriesInstanceUID) ?? "",
      seriesNumber: image.dataset.int(Tag.seriesNumber), instanceNumber: image.dataset.int(Tag.instanceNumber),
      patient: patientPoints([a, b], geometry), measured: measured,
      units: image.units(frame: m.frame).map(TextSafety.text))
  }

  /// Pixel centres in patient coordinates (PS3.3 C.7.6.2.1.1): position + column x row direction x column
  /// spacing + row x column direction x row spacing.
  static func patientPoints(_ points: [(x: Int, y: Int)], _ g: FrameGeometry) -> [[Double]]? {
    guard let p = g.position, let o = g.orientation, let s = g.pixelSpacing else { return nil }
    return points.map { pt in
      (0..<3).map { p[$0] + Double(pt.x) * s[1] * o[$0] + Double(pt.y) * s[0] * o[3 + $0] }
    }
  }

  /// One line for the status line: "Se 1 Im 4 distance 42.1 mm".
  public static func summary(_ row: Row) -> String {
    let frame = row.measurement.frame > 0 ? " fr \(row.measurement.frame + 1)" : ""
    return "Se \(row.seriesNumber.map(String.init) ?? "-") Im \(row.instanceNumber.map(String.init) ?? "-")\(frame) "
      + ScreenText.measured(row.measured, units: row.units)
  }

  /// The rows as a JSON array: image, series, frame (counted from 1, as DICOM does), kind, points in
  /// pixels and mm, values with units.
  public static func json(_ rows: [Row]) throws -> Data {
    let objects: [[String: Any]] = rows.map { row in
      let m = row.measurement
      var o: [String: Any] = [
        "image": m.sopInstanceUID, "series": row.seriesInstanceUID, "frame": m.frame + 1, "kind": m.kind.rawValue,
        "points_px": [[m.from.x, m.from.y], [m.to.x, m.to.y]],
      ]
      o["points_mm"] = row.patient ?? NSNull()
      switch row.measured {
      case .distance(let length, let mm):
        o["length"] = ["value": length, "unit": mm ? "mm" : "px"]
      case .region(let r):
        o["mean"] = ["value": r.mean, "unit": row.units ?? ""]
        o["sd"] = ["value": r.standardDeviation, "unit": row.units ?? ""]
        o["area"] = ["value": r.area, "unit": r.inMillimetres ? "mm2" : "px"]
        o["pixels"] = r.pixelCount
      }
      return o
    }
    return try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
  }
}
