import Archive
import DICOM

/// A series as the reader scrolls it: every frame of every object, in the archive's order, one stack a
/// plane. The index says how many frames each object holds; the one file opened is the first
/// multi-frame object's, for the rate it plays at. Rows indexed before frames were kept are counted from their headers, but for
/// classes that hold one frame by definition.
enum SeriesStack {
  /// SOP classes of one frame each (PS3.4 B.5): CT, MR, CR, PET, Secondary Capture, DX, MG, IO.
  static let singleFrameClasses: Set<String> = [
    "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.5.1.4.1.1.1",
    "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.1.1",
    "1.2.840.10008.5.1.4.1.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1.2", "1.2.840.10008.5.1.4.1.1.1.2.1",
    "1.2.840.10008.5.1.4.1.1.1.3", "1.2.840.10008.5.1.4.1.1.1.3.1",
  ]

  /// A series as the viewer shows it: its stacks, the one to open on, and the rate it plays at.
  struct Stacks {
    var stacks: [ViewerStack] = []
    /// The stack with the most frames (the axial slices rather than their scout).
    var largest = 0
    var frameRate: Double?
    /// Every frame of every stack, in order.
    var allSlices: [StackSlice] { stacks.flatMap(\.slices) }
  }

  /// The stacks of a series' instances (in the archive's reading order, where the slices of each plane and
  /// acquisition follow one another); `frameRate` false when only the slices are wanted (a series growing as it is retrieved).
  static func stacks(_ instances: [SliceOrder.Slice], frameRate wantsRate: Bool = true) -> Stacks {
    var out = Stacks()
    var rateRead = !wantsRate
    // Acquisitions are named only when the series has several (a multi-echo or dynamic series).
    let acquisitions = Set(instances.map { $0.stack ?? "" })
    var start = instances.startIndex
    while start < instances.endIndex {
      let key = instances[start].stackKey
      var end = start + 1
      while end < instances.endIndex, instances[end].stackKey == key { end += 1 }
      let members = instances[start..<end]
      let first = instances[start]
      let plane = key == nil ? nil : first.orientation.flatMap(planeName)
      let acquisition = acquisitions.count > 1 ? first.stack : nil
      let label = [plane, acquisition].compactMap { $0 }.joined(separator: " ")
      var stack = ViewerStack(
        slices: [], spacingNote: spacingNote(members.map(\.position)), plane: label.isEmpty ? nil : label)
      for instance in members {
        let frames = instance.frames ?? framesFromHeader(instance)
        stack.slices += (0..<frames).map { StackSlice(path: instance.path, frame: $0) }
        if frames > 1 && !rateRead {
          rateRead = true
          out.frameRate = (try? DICOMFile.read(path: instance.path, options: .headerOnly)).flatMap {
            frameRate($0.dataset)
          }
        }
      }
      out.stacks.append(stack)
      start = end
    }
    out.largest = out.stacks.indices.max { out.stacks[$0].slices.count < out.stacks[$1].slices.count } ?? 0
    return out
  }

  /// What a radiologist calls a plane: the patient axis its normal runs closest to (PS3.3 C.7.6.2.1.1),
  /// or oblique when none is within about 10 degrees (cosine 0.985).
  static func planeName(_ key: String) -> String? {
    let o = key.split(separator: "\\").compactMap { Double($0) }
    guard o.count == 6 else { return nil }
    let normal = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]].map(abs)
    guard let axis = normal.indices.max(by: { normal[$0] < normal[$1] }) else { return nil }
    guard normal[axis] >= 0.985 else { return "OBL" }
    return ["SAG", "COR", "AX"][axis]
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
