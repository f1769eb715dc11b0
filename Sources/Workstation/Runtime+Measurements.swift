import Archive
import DICOMImaging
import Foundation
import RasterCore
import DICOM

extension Runtime {
  /// The measurements kept on a series' frames, for the message that draws them when it opens.
  func measurementsLoaded(_ series: String) throws -> Msg {
    var kept: [StackSlice: [KeptMeasurement]] = [:]
    for (path, m) in try archive.measurements(seriesInstanceUID: series) {
      kept[StackSlice(path: path, frame: m.frame), default: []].append(m)
    }
    return .measurementsLoaded(seriesInstanceUID: series, kept)
  }

  /// `:measurements`, `:measurements export FILE`, keeping and taking away.
  func performMeasurements(_ effect: Effect) throws -> [Msg] {
    switch effect {
    case .keepMeasurement(let m):
      try archive.keep(m)
      return []
    case .removeMeasurements(let uid, let frame):
      try archive.removeMeasurements(sopInstanceUID: uid, frame: frame)
      return []
    case .listMeasurements(let study):
      let (rows, problems) = try MeasurementExport.rows(studyInstanceUID: study, in: archive)
      guard !rows.isEmpty || !problems.isEmpty else {
        return [.notice("no measurement is kept in this study (m or r twice keeps one)")]
      }
      let unread = problems.isEmpty ? "" : "; \(problems.count) on images that cannot be read"
      return [
        .notice(
          "\(rows.count) measurement\(rows.count == 1 ? "" : "s"): "
            + rows.map(MeasurementExport.summary).joined(separator: "; ") + unread)
      ]
    case .exportMeasurements(let study, let file):
      let (rows, problems) = try MeasurementExport.rows(studyInstanceUID: study, in: archive)
      try AtomicFile.write(Array(try MeasurementExport.json(rows)), to: file, permissions: 0o600)
      let unread = problems.isEmpty ? "" : " (\(problems.count) on images that cannot be read left out)"
      return [.notice("wrote \(rows.count) measurement\(rows.count == 1 ? "" : "s") to \(file)" + unread)]
    default:
      return []
    }
  }

  /// Draws the measurements kept on a frame: their points in full-resolution pixels, scaled to the frame
  /// as decoded (smaller when the image is decoded for a smaller display) and placed by `place`.
  static func drawKept(
    _ kept: [KeptMeasurement], on raster: inout Raster, scale: (x: Double, y: Double),
    place: (Int, Int) -> (x: Int, y: Int)
  ) {
    for m in kept {
      let a = (x: Int(Double(m.from.x) * scale.x), y: Int(Double(m.from.y) * scale.y))
      let b = (x: Int(Double(m.to.x) * scale.x), y: Int(Double(m.to.y) * scale.y))
      let corners =
        m.kind == .distance ? [a, b] : [a, (b.x, a.y), b, (a.x, b.y), a]
      mark(
        &raster, zip(corners, corners.dropFirst()).flatMap { Measurements.segment(from: $0, to: $1) }.map(place))
    }
  }

  /// Draws a reference line dashed (six pixels on, three off), so it is not taken for a measurement.
  static func drawReferenceLine(
    _ line: ReferenceLine, on raster: inout Raster, scale: (x: Double, y: Double), place: (Int, Int) -> (x: Int, y: Int)
  ) {
    let a = (x: Int((line.x1 * scale.x).rounded()), y: Int((line.y1 * scale.y).rounded()))
    let b = (x: Int((line.x2 * scale.x).rounded()), y: Int((line.y2 * scale.y).rounded()))
    let dashed = Measurements.segment(from: a, to: b).enumerated().filter { $0.offset % 9 < 6 }.map(\.element)
    mark(&raster, dashed.map(place))
  }
}
