import Archive
import DICOM

/// A series as the reader scrolls it: every frame of every object, in the archive's order. Objects of
/// classes that hold one frame by definition are not opened; the others' headers say how many frames
/// they hold and at what rate they play.
enum SeriesStack {
  /// SOP classes of one frame each (PS3.4 B.5): CT, MR, CR, PET, Secondary Capture, DX, MG, IO.
  static let singleFrameClasses: Set<String> = [
    "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.5.1.4.1.1.1",
    "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.1.1",
    "1.2.840.10008.5.1.4.1.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1.2", "1.2.840.10008.5.1.4.1.1.1.2.1",
    "1.2.840.10008.5.1.4.1.1.1.3", "1.2.840.10008.5.1.4.1.1.1.3.1",
  ]
  /// Frames taken from one object at most: a header that claims more is not believed further.
  static let maxFrames = 100_000

  struct Stack {
    var slices: [StackSlice] = []
    var frameRate: Double?
  }

  static func stack(_ instances: [(path: String, sopClassUID: String)]) -> Stack {
    var stack = Stack()
    stack.slices.reserveCapacity(instances.count)
    for (path, sopClass) in instances {
      guard !singleFrameClasses.contains(sopClass),
        let header = try? DICOMFile.read(path: path, options: .headerOnly).dataset
      else {
        stack.slices.append(StackSlice(path: path, frame: 0))
        continue
      }
      let frames = min(maxFrames, max(1, header.int(Tag.numberOfFrames) ?? 1))
      stack.slices += (0..<frames).map { StackSlice(path: path, frame: $0) }
      if frames > 1, stack.frameRate == nil { stack.frameRate = frameRate(header) }
    }
    return stack
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
