import Foundation

/// Items of the functional group sequences of enhanced multi-frame images (PS3.3 C.7.6.16): what one
/// frame says of itself overrides what all frames share, which overrides the top level.
public enum FunctionalGroups {
  /// The first item of the macro `sequence` for a frame: from the frame's own group, then from the shared group.
  public static func lookups(_ ds: Dataset, frame: Int, sequence: Tag) -> [Dataset] {
    var out: [Dataset] = []
    if let perFrame = ds[Tag.perFrameFunctionalGroupsSequence]?.items, perFrame.indices.contains(frame),
      let item = perFrame[frame].dataset.items(sequence)?.first
    {
      out.append(item)
    }
    if let shared = ds.items(Tag.sharedFunctionalGroupsSequence)?.first, let item = shared.items(sequence)?.first {
      out.append(item)
    }
    return out
  }

  /// The numbers of `tag` for a frame: in the macro `sequence` of its functional groups, else at the top level.
  static func doubles(_ ds: Dataset, frame: Int, sequence: Tag, _ tag: Tag) -> [Double]? {
    for item in lookups(ds, frame: frame, sequence: sequence) {
      if let values = item.doubles(tag) { return values }
    }
    return ds.doubles(tag)
  }
}

/// Where a frame lies in the patient (PS3.3 C.7.6.2, C.7.6.16.2.2-4): its position, orientation, pixel
/// spacing and thickness, per frame for enhanced images, else the image's own.
public struct FrameGeometry: Sendable, Equatable {
  /// Image Position (Patient): the centre of the first pixel, in mm.
  public var position: [Double]?
  /// Image Orientation (Patient): row direction, then column direction.
  public var orientation: [Double]?
  /// Pixel Spacing: between rows, then between columns, in mm.
  public var pixelSpacing: [Double]?
  public var sliceThickness: Double?

  public init(_ ds: Dataset, frame: Int = 0) {
    func finite(_ values: [Double]?, count: Int) -> [Double]? {
      guard let values, values.count == count, values.allSatisfy(\.isFinite) else { return nil }
      return values
    }
    position = finite(
      FunctionalGroups.doubles(ds, frame: frame, sequence: Tag.planePositionSequence, Tag.imagePositionPatient),
      count: 3)
    orientation = finite(
      FunctionalGroups.doubles(ds, frame: frame, sequence: Tag.planeOrientationSequence, Tag.imageOrientationPatient),
      count: 6)
    pixelSpacing = finite(
      FunctionalGroups.doubles(ds, frame: frame, sequence: Tag.pixelMeasuresSequence, Tag.pixelSpacing), count: 2)
    sliceThickness = FunctionalGroups.doubles(
      ds, frame: frame, sequence: Tag.pixelMeasuresSequence, Tag.sliceThickness)?
      .first.flatMap { $0.isFinite ? $0 : nil }
  }

  /// The plane's normal: row direction x column direction.
  public var normal: [Double]? {
    guard let o = orientation else { return nil }
    return [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]]
  }

  /// The frame's place along its plane's normal, in mm: what orders a stack, and the position the corner shows.
  public var location: Double? {
    guard let position, let normal else { return nil }
    return zip(position, normal).map { $0 * $1 }.reduce(0, +)
  }

  /// The orientation rounded to 1/10,000 as text: frames with equal keys share a plane.
  public var planeKey: String? {
    orientation?.map(Self.fourDecimals).joined(separator: "\\")
  }

  /// A value rounded to 1/10,000, written as `%.4f` writes it (the keys in archives already made were
  /// written so), negative zero as zero; in integers, not through `String(format:)`, which every object
  /// indexed would pay for six times.
  static func fourDecimals(_ value: Double) -> String {
    let scaled = (value * 10_000).rounded()
    // Far below where a Double's error reaches the fourth decimal; beyond (and NaN, infinities): printf.
    guard scaled.magnitude < 1e15 else { return String(format: "%.4f", scaled / 10_000 + 0) }
    let units = Int(scaled)
    let fraction = String(units.magnitude % 10_000)
    return (units < 0 ? "-" : "") + String(units.magnitude / 10_000) + "."
      + String(repeating: "0", count: 4 - fraction.count) + fraction
  }
}
