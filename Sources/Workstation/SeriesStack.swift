import Archive
import DICOM

/// A series as the reader scrolls it: every frame of every object, in space, one stack a plane and
/// acquisition. The index says how many frames each object holds and where single frames lie; the files
/// opened are multi-frame objects' headers, for the rate they play at and, in enhanced objects, where each
/// frame lies. Rows indexed before frames were kept are counted from their headers, but for
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
    // Every frame its own slice; an enhanced object's frames each with their own place and acquisition.
    var frames: [SliceOrder.Slice] = []
    for instance in instances {
      let count = instance.frames ?? framesFromHeader(instance)
      let header = count > 1 ? (try? DICOMFile.read(path: instance.path, options: .headerOnly))?.dataset : nil
      if let header, !rateRead {
        rateRead = true
        out.frameRate = frameRate(header)
      }
      if let header, header[Tag.perFrameFunctionalGroupsSequence] != nil {
        frames += (0..<count).map { enhancedFrame(instance, header, $0) }
      } else {
        frames += (0..<count).map {
          SliceOrder.Slice(
            path: instance.path, sopClassUID: instance.sopClassUID, orientation: instance.orientation,
            position: instance.position, frames: 1, stack: instance.stack, frame: $0)
        }
      }
    }
    // Enhanced frames are put in space like files; the files are in order already.
    let ordered = frames.count > instances.count ? SliceOrder.ordered(frames) : frames
    // Acquisitions are named only when the series has several (a multi-echo or dynamic series).
    let acquisitions = Set(ordered.map { $0.stack ?? "" })
    var start = ordered.startIndex
    while start < ordered.endIndex {
      let key = ordered[start].stackKey
      var end = start + 1
      while end < ordered.endIndex, ordered[end].stackKey == key { end += 1 }
      let members = ordered[start..<end]
      let first = ordered[start]
      let plane = key == nil ? nil : first.orientation.flatMap(planeName)
      let acquisition = acquisitions.count > 1 ? first.stack : nil
      let label = [plane, acquisition].compactMap { $0 }.joined(separator: " ")
      out.stacks.append(
        ViewerStack(
          slices: members.map { StackSlice(path: $0.path, frame: $0.frame) },
          spacingNote: spacingNote(members.map(\.position)), plane: label.isEmpty ? nil : label,
          positions: members.map(\.position)))
      start = end
    }
    out.largest = out.stacks.indices.max { out.stacks[$0].slices.count < out.stacks[$1].slices.count } ?? 0
    return out
  }

  /// One frame of an enhanced multi-frame object as a slice: its place from its functional groups, its
  /// acquisition from its Frame Content (Stack ID, Temporal Position Index).
  static func enhancedFrame(_ instance: SliceOrder.Slice, _ header: Dataset, _ frame: Int) -> SliceOrder.Slice {
    let geometry = FrameGeometry(header, frame: frame)
    let content = FunctionalGroups.lookups(header, frame: frame, sequence: Tag.frameContentSequence).first
    let parts = [
      content?.string(Tag.stackID).map { "S" + TextSafety.text($0) },
      content?.int(Tag.temporalPositionIndex).map { "T\($0)" },
    ].compactMap { $0 }
    return SliceOrder.Slice(
      path: instance.path, sopClassUID: instance.sopClassUID, orientation: geometry.planeKey,
      position: geometry.location, frames: 1, stack: parts.isEmpty ? nil : parts.joined(separator: " "), frame: frame)
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
  /// Frame Rate, else Cine Rate, else one over Frame Time (milliseconds), else one over the mean of the
  /// Frame Time Vector's increments (its first entry is 0); within 1 to 60.
  static func frameRate(_ header: Dataset) -> Double? {
    let increments = (header.doubles(Tag.frameTimeVector) ?? []).dropFirst().filter { $0.isFinite && $0 > 0 }
    let meanIncrement = increments.isEmpty ? nil : increments.reduce(0, +) / Double(increments.count)
    let rate =
      header.double(Tag.recommendedDisplayFrameRate) ?? header.double(Tag.cineRate)
      ?? header.double(Tag.frameTime).flatMap { $0 > 0 ? 1000 / $0 : nil } ?? meanIncrement.map { 1000 / $0 }
    guard let rate, rate.isFinite, rate > 0 else { return nil }
    return min(60, max(1, rate))
  }

}
