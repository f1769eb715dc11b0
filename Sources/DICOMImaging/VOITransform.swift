public import DICOM
import Foundation

/// The VOI LUT function of a window (PS3.3 C.11.2.1.3).
public enum VOIFunction: String, Sendable, Equatable {
  case linear = "LINEAR"
  case linearExact = "LINEAR_EXACT"
  case sigmoid = "SIGMOID"
}

/// A window: centre and width in modality units, with its function and the file's explanation.
public struct Window: Sendable, Equatable {
  public var center: Double
  public var width: Double
  public var function: VOIFunction
  public var explanation: String?

  public init(center: Double, width: Double, function: VOIFunction = .linear, explanation: String? = nil) {
    self.center = center
    self.width = max(width, 1)
    self.function = function
    self.explanation = explanation
  }

  /// CT presets as OHIF ships them, with the common additions (width / level).
  public static let presets: [String: Window] = [
    "soft-tissue": Window(center: 40, width: 400, explanation: "Soft tissue"),
    "lung": Window(center: -600, width: 1500, explanation: "Lung"),
    "liver": Window(center: 90, width: 150, explanation: "Liver"),
    "bone": Window(center: 480, width: 2500, explanation: "Bone"),
    "brain": Window(center: 40, width: 80, explanation: "Brain"),
    "mediastinum": Window(center: 50, width: 350, explanation: "Mediastinum"),
    "subdural": Window(center: 75, width: 215, explanation: "Subdural"),
    "stroke": Window(center: 40, width: 40, explanation: "Stroke"),
  ]

  /// The output in [0, 1] for a modality value (C.11.2.1.2).
  @inline(__always) public func apply(_ x: Double) -> Double {
    switch function {
    case .linear:
      let low = center - 0.5 - (width - 1) / 2
      let high = center - 0.5 + (width - 1) / 2
      if x <= low { return 0 }
      if x > high { return 1 }
      return width <= 1 ? 1 : (x - (center - 0.5)) / (width - 1) + 0.5
    case .linearExact:
      if x <= center - width / 2 { return 0 }
      if x > center + width / 2 { return 1 }
      return (x - center) / width + 0.5
    case .sigmoid:
      return 1 / (1 + exp(-4 * (x - center) / width))
    }
  }

  /// The windows a file offers for a frame: per-frame functional groups, shared groups, then the top level.
  public static func fromFile(_ ds: Dataset, frame: Int = 0) -> [Window] {
    for group in FunctionalGroups.lookups(ds, frame: frame, sequence: Tag.frameVOILUTSequence) {
      let w = windows(in: group)
      if !w.isEmpty { return w }
    }
    return windows(in: ds)
  }

  private static func windows(in ds: Dataset) -> [Window] {
    guard let centers = ds.doubles(Tag.windowCenter), let widths = ds.doubles(Tag.windowWidth) else { return [] }
    let function = ds.string(Tag.voilutFunction).flatMap(VOIFunction.init(rawValue:)) ?? .linear
    let explanations = ds.strings(Tag.windowCenterWidthExplanation) ?? []
    return zip(centers, widths).enumerated().compactMap { i, pair in
      guard pair.1 >= 1 else { return nil }
      return Window(
        center: pair.0, width: pair.1, function: function,
        explanation: i < explanations.count ? explanations[i] : nil)
    }
  }

  /// A window from the 1st to the 99th percentile of modality values, for images without their own.
  public static func auto(_ frame: DecodedFrame, modality: ModalityTransform, padding: Int32? = nil) -> Window {
    var values: [Double] = []
    values.reserveCapacity(frame.values.count / max(1, frame.samplesPerPixel))
    for i in stride(from: 0, to: frame.values.count, by: max(1, frame.samplesPerPixel)) {
      let v = frame.values[i]
      if let padding, v == padding { continue }
      values.append(modality.apply(frame.numeric(v)))
    }
    guard !values.isEmpty else { return Window(center: 0, width: 1, explanation: "Auto") }
    values.sort()
    let low = values[values.count / 100]
    let high = values[min(values.count - 1, values.count * 99 / 100)]
    return Window(center: (low + high) / 2, width: max(1, high - low), explanation: "Auto")
  }
}

/// How modality values become display values: a window, a VOI LUT, or none (the full range).
public enum VOISelection: Sendable, Equatable {
  case window(Window)
  /// The n-th window the file offers (0-based).
  case fileWindow(Int)
  /// The n-th item of the VOI LUT Sequence (0-based).
  case voiLUT(Int)
  /// The file's first window if it has one, else its first VOI LUT, else the automatic window.
  case automatic
  /// The 1st-99th percentile window, whatever the file says.
  case histogram
}
