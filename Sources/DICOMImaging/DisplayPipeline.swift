import DICOM
public import RasterCore

/// What to show: which VOI, whether to invert, whether to draw the overlay planes over it, and through
/// which presentation state (its VOI replaces the file's while the VOI is automatic).
public struct DisplayOptions: Sendable, Equatable {
  public var voi: VOISelection
  public var invert: Bool
  /// Overlay Planes drawn over the image (on by default, as DCMTK and the workstations draw them).
  public var overlays: Bool
  public var presentationState: PresentationState?

  public init(
    voi: VOISelection = .automatic, invert: Bool = false, overlays: Bool = true,
    presentationState: PresentationState? = nil
  ) {
    self.voi = voi
    self.invert = invert
    self.overlays = overlays
    self.presentationState = presentationState
  }
}

/// A frame ready for the screen, with what the annotations need to say about it.
public struct RenderedFrame: Sendable {
  public let raster: Raster
  /// The window applied, when one was (nil for a VOI LUT or colour).
  public let window: Window?
  public let isLossy: Bool
}

/// Stored values to display values: modality LUT, VOI LUT or window, presentation LUT and MONOCHROME1
/// inversion (PS3.3 C.11), or colour conversion; one table lookup a pixel for images up to 16 bits.
public enum DisplayPipeline {
  public static func render(
    _ frame: DecodedFrame, of image: DICOMImage, frameIndex: Int = 0,
    options: DisplayOptions = DisplayOptions()
  ) throws(ImagingError) -> RenderedFrame {
    let ds = image.dataset
    if image.pixel.isPalette && frame.samplesPerPixel == 1 {
      let palette = try Palette(dataset: ds)
      var pixels = [UInt8](repeating: 0, count: frame.width * frame.height * 3)
      for i in 0..<(frame.width * frame.height) {
        let (r, g, b) = palette.rgb8(frame.values[i])
        pixels[3 * i] = r
        pixels[3 * i + 1] = g
        pixels[3 * i + 2] = b
      }
      if options.invert { pixels = pixels.map { 255 - $0 } }
      drawOverlays(options, image, &pixels, frame, channels: 3, frameIndex: frameIndex)
      image.shutter?.apply(
        to: &pixels, width: frame.width, height: frame.height, channels: 3, frame: frameIndex,
        downscale: frame.downscale)
      return RenderedFrame(
        raster: Raster(width: frame.width, height: frame.height, format: .rgb8, pixels: pixels),
        window: nil, isLossy: image.isLossy)
    }
    if frame.samplesPerPixel == 3 {
      let rgb = Photometric.toRGB(frame)
      let shift = Int64(max(0, rgb.bitsStored - 8))
      var pixels = rgb.values.map { UInt8(clamping: rgb.numeric($0) >> shift) }
      if options.invert { pixels = pixels.map { 255 - $0 } }
      drawOverlays(options, image, &pixels, frame, channels: 3, frameIndex: frameIndex)
      image.shutter?.apply(
        to: &pixels, width: frame.width, height: frame.height, channels: 3, frame: frameIndex,
        downscale: frame.downscale)
      return RenderedFrame(
        raster: Raster(width: frame.width, height: frame.height, format: .rgb8, pixels: pixels),
        window: nil, isLossy: image.isLossy)
    }
    // A presentation state for this frame: its modality transform, VOI (while the reader has not chosen
    // one), presentation LUT, shutter, annotations and rotation replace or add to the image's own.
    let uid = ds.string(Tag.sopInstanceUID) ?? ""
    let state = options.presentationState.flatMap { $0.applies(to: uid, frame: frameIndex) ? $0 : nil }
    let modality: ModalityTransform
    if let given = state?.modality {
      modality = given
    } else {
      modality = try ModalityTransform.from(ds, frame: frameIndex)
    }
    var (voi, window) = try resolveVOI(
      options.voi, frame: frame, image: image, frameIndex: frameIndex,
      modality: modality)
    if let state, options.voi == .automatic, let given = state.voi(for: uid, frame: frameIndex) {
      (voi, window) = given
    }
    let shape = state.map { $0.presentationLUTShape ?? "IDENTITY" } ?? ds.string(Tag.presentationLUTShape)
    let invert =
      (state == nil ? image.pixel.isMonochrome1 != (shape == "INVERSE") : shape == "INVERSE") != options.invert
    var pixels = grayscale(
      frame, modality: modality, voi: voi, presentationLUT: state?.presentationLUT, invert: invert)
    drawOverlays(options, image, &pixels, frame, channels: 1, frameIndex: frameIndex)
    let (width, height) = (frame.width, frame.height)
    (state == nil ? image.shutter : state?.shutter)?.apply(
      to: &pixels, width: width, height: height, channels: 1, frame: frameIndex, downscale: frame.downscale)
    guard let state else {
      return RenderedFrame(
        raster: Raster(width: width, height: height, format: .gray8, pixels: pixels), window: window,
        isLossy: image.isLossy)
    }
    let annotations = state.annotations(for: uid, frame: frameIndex)
    for a in annotations {
      a.draw(over: &pixels, width: width, height: height, channels: 1, inPixels: true, downscale: frame.downscale)
    }
    var raster = SpatialTransform.apply(
      Raster(width: width, height: height, format: .gray8, pixels: pixels), rotation: state.rotation, flip: state.flip)
    for a in annotations {
      a.draw(
        over: &raster.pixels, width: raster.width, height: raster.height, channels: 1, inPixels: false,
        downscale: frame.downscale)
    }
    return RenderedFrame(raster: raster, window: window, isLossy: image.isLossy)
  }

  private static func drawOverlays(
    _ options: DisplayOptions, _ image: DICOMImage, _ pixels: inout [UInt8], _ frame: DecodedFrame,
    channels: Int, frameIndex: Int
  ) {
    guard options.overlays, !image.overlayPlanes.isEmpty, pixels.count == frame.width * frame.height * channels
    else { return }
    let planes = image.overlays(frame: frameIndex)
    OverlayPlane.draw(
      planes, over: &pixels, width: frame.width, height: frame.height, channels: channels, imageFrame: frameIndex,
      downscale: frame.downscale)
  }

  /// A VOI as a function from modality value to [0, 1].
  enum VOI {
    case window(Window)
    case lut(LookupTable)

    @inline(__always) func apply(_ x: Double) -> Double {
      switch self {
      case .window(let w): w.apply(x)
      case .lut(let t): Double(t.lookup(Int(x.rounded(.down)))) / Double(t.maxOutput)
      }
    }
  }

  static func resolveVOI(
    _ selection: VOISelection, frame: DecodedFrame, image: DICOMImage, frameIndex: Int,
    modality: ModalityTransform
  ) throws(ImagingError) -> (VOI, Window?) {
    let padding = image.dataset.int(Tag.pixelPaddingValue).map { Int32(truncatingIfNeeded: $0) }
    switch selection {
    case .window(let w):
      return (.window(w), w)
    case .fileWindow(let n):
      let windows = Window.fromFile(image.dataset, frame: frameIndex)
      guard windows.indices.contains(n) else {
        throw ImagingError.invalidAttribute("WindowCenter", reason: "window \(n + 1) of \(windows.count)")
      }
      return (.window(windows[n]), windows[n])
    case .voiLUT(let n):
      guard let items = image.dataset.items(Tag.voilutSequence), items.indices.contains(n) else {
        throw ImagingError.missingAttribute("VOI LUT \(n + 1)")
      }
      return (.lut(try LookupTable(dataset: items[n], name: "VOI LUT")), nil)
    case .automatic:
      if let w = Window.fromFile(image.dataset, frame: frameIndex).first { return (.window(w), w) }
      if let item = image.dataset.items(Tag.voilutSequence)?.first {
        return (.lut(try LookupTable(dataset: item, name: "VOI LUT")), nil)
      }
      let w = Window.auto(frame, modality: modality, padding: padding)
      return (.window(w), w)
    case .histogram:
      let w = Window.auto(frame, modality: modality, padding: padding)
      return (.window(w), w)
    }
  }

  /// Builds one table over every stored value the frame can hold, then maps each pixel through it.
  static func grayscale(
    _ frame: DecodedFrame, modality: ModalityTransform, voi: VOI, presentationLUT: LookupTable? = nil, invert: Bool
  ) -> [UInt8] {
    // A presentation LUT maps the VOI's output, spread over its entries, to P-values.
    let plut = presentationLUT.map { t in
      (t, Double(t.entries.count - 1), Double((1 << t.bits) - 1))
    }
    @inline(__always) func display(_ stored: Int32) -> UInt8 {
      var v = voi.apply(modality.apply(frame.numeric(stored)))
      if let (table, last, top) = plut {
        v = Double(table.lookup(table.firstMapped + Int(v * last))) / top
      }
      let y = UInt8(clamping: Int((v * 255).rounded()))
      return invert ? 255 - y : y
    }
    // Bit patterns of unsigned 32-bit samples do not order as their numbers: no table over a range.
    if frame.holdsUnsigned32 { return frame.values.map(display) }
    // The table spans the values present (a CT slice uses a few thousand of its 65,536 possible ones).
    var low = Int32.max
    var high = Int32.min
    frame.values.withUnsafeBufferPointer { v in
      for x in v {
        if x < low { low = x }
        if x > high { high = x }
      }
    }
    guard low <= high else { return [] }
    let span = Int64(high) - Int64(low) + 1
    guard span <= 1 << 20 else { return frame.values.map(display) }
    let base = low
    let table = (0..<Int(span)).map { display(base + Int32($0)) }
    return frame.values.withUnsafeBufferPointer { v in
      table.withUnsafeBufferPointer { t in
        [UInt8](unsafeUninitializedCapacity: v.count) { o, initialized in
          for i in 0..<v.count { o[i] = t[Int(v[i] &- base)] }
          initialized = v.count
        }
      }
    }
  }
}
