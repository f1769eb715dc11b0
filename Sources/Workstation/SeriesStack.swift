import Archive
import DICOM

/// A series as the reader scrolls it: every frame of every object, in the archive's order. The index
/// says how many frames each object holds; the one file opened is the first multi-frame object's, for
/// the rate it plays at. Rows indexed before frames were kept are counted from their headers, but for
/// classes that hold one frame by definition.
enum SeriesStack {
  /// SOP classes of one frame each (PS3.4 B.5): CT, MR, CR, PET, Secondary Capture, DX, MG, IO.
  static let singleFrameClasses: Set<String> = [
    "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.5.1.4.1.1.1",
    "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.1.1",
    "1.2.840.10008.5.1.4.1.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1.2", "1.2.840.10008.5.1.4.1.1.1.2.1",
    "1.2.840.10008.5.1.4.1.1.1.3", "1.2.840.10008.5.1.4.1.1.1.3.1",
  ]

  struct Stack {
    var slices: [StackSlice] = []
    var frameRate: Double?
    /// What the corner says of the spacing when it is not even (nil when it is, or cannot be known).
    var spacingNote: String?
  }

  /// The stack of a series' instances; `frameRate` false when only the slices are wanted (a series
  /// growing as it is retrieved).
  static func stack(_ instances: [SliceOrder.Slice], frameRate wantsRate: Bool = true) -> Stack {
    var stack = Stack()
    stack.spacingNote = spacingNote(instances.map(\.position))
    stack.slices.reserveCapacity(instances.count)
    var rateRead = !wantsRate
    for instance in instances {
      let frames = instance.frames ?? framesFromHeader(instance)
      stack.slices += (0..<frames).map { StackSlice(path: instance.path, frame: $0) }
      if frames > 1 && !rateRead {
        rateRead = true
        stack.frameRate = (try? DICOMFile.read(path: instance.path, options: .headerOnly)).flatMap {
          frameRate($0.dataset)
        }
      }
    }
    return stack
  }

  /// Frames of an object indexed before the index kept them: one for single-frame classes, else its header's.
  static func framesFromHeader(_ instance: SliceOrder.Slice) -> Int {
    guard !singleFrameClasses.contains(instance.sopClassUID),
      let header = try? DICOMFile.read(path: instance.path, options: .headerOnly).dataset
    else { return 1 }
    return min(InstanceRecord.maxFrames, max(1, header.int(Tag.numberOfFrames) ?? 1))
  }

  /// "gap" when a step between neighbouring slices is more than 1.5 times the usual one (a slice may be
  /// missing), "uneven" when steps differ by more than a tenth; nil for an even stack, or one with fewer
  /// than three positioned slices (a stack of several planes has no one spacing).
  static func spacingNote(_ positions: [Double?]) -> String? {
    let known = positions.compactMap { $0 }
    guard known.count >= 3, known.count == positions.count else { return nil }
    let steps = zip(known, known.dropFirst()).map { abs($1 - $0) }
    let usual = steps.sorted()[steps.count / 2]
    guard usual > 0 else { return nil }
    if steps.contains(where: { $0 > 1.5 * usual }) { return "gap" }
    if (steps.max() ?? usual) - (steps.min() ?? usual) > 0.1 * usual { return "uneven" }
    return nil
  }

  /// Frames a second as the object asks to be played (PS3.3 C.7.6.5, C.8.7.2): Recommended Display
  /// Frame Rate, else Cine Rate, else one over Frame Time (milliseconds); within 1 to 60.
  static func frameRate(_ header: Dataset) -> Double? {
    let rate =
      header.double(Tag.recommendedDisplayFrameRate) ?? header.double(Tag.cineRate)
      ?? header.double(Tag.frameTime).flatMap { $0 > 0 ? 1000 / $0 : nil }
    guard let rate, rate.isFinite, rate > 0 else { return nil }
    return min(60, max(1, rate))
  }
}
