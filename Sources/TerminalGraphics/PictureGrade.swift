public import RasterCore

/// How much of a picture is sent: all of it, or a preview with fewer pixels (kitty and iTerm2 scale it
/// back up in the terminal) or fewer grays (fewer colours a sixel band, longer runs of blocks). Previews
/// go out while keys come faster than full pictures fit the link; the full picture follows at rest.
public struct PictureGrade: Sendable, Hashable, CustomStringConvertible {
  /// The raster is 1/scale of the full one's width and height.
  public var scale: Int
  /// Distinct levels a channel keeps (256: all).
  public var levels: Int

  public init(scale: Int, levels: Int) {
    self.scale = max(1, scale)
    self.levels = max(2, min(256, levels))
  }

  public static let full = PictureGrade(scale: 1, levels: 256)
  public var isPreview: Bool { self != .full }
  public var description: String { isPreview ? "preview 1/\(scale) \(levels) levels" : "full" }

  /// The grades a protocol offers, best first: those that scale in the terminal drop pixels, sixel and
  /// the text protocols drop grays.
  public static func ladder(_ proto: GraphicsProtocol) -> [PictureGrade] {
    switch proto {
    case .kitty, .iterm:
      [
        .full, PictureGrade(scale: 2, levels: 256), PictureGrade(scale: 3, levels: 64),
        PictureGrade(scale: 4, levels: 32),
      ]
    case .sixel, .blocks:
      [
        .full, PictureGrade(scale: 1, levels: 32), PictureGrade(scale: 1, levels: 16),
        PictureGrade(scale: 1, levels: 8),
      ]
    case .ascii:
      [.full]
    }
  }

  /// A first guess of a grade's bytes against the full picture's, until one has been measured.
  var guessedShare: Double {
    let pixels = 1 / Double(scale * scale)
    let grays = levels >= 256 ? 1 : levels >= 64 ? 0.7 : levels >= 32 ? 0.4 : levels >= 16 ? 0.25 : 0.15
    return pixels * grays
  }

  /// Keeps `levels` evenly spaced values of each channel (0 and 255 among them).
  public static func posterize(_ raster: Raster, levels: Int) -> Raster {
    guard levels < 256 else { return raster }
    let steps = levels - 1
    let table = (0..<256).map { v in UInt8((((v * steps) + 127) / 255) * 255 / steps) }
    var out = raster
    out.pixels.withUnsafeMutableBufferPointer { px in
      table.withUnsafeBufferPointer { t in
        for i in px.indices { px[i] = t[Int(px[i])] }
      }
    }
    return out
  }
}

/// What pictures of each grade cost, learned from those sent: bytes per pixel of the full-size raster
/// (so grades compare on one scale), smoothed. Chooses the best grade that fits a byte budget.
public struct PictureCosts: Sendable {
  private var bytesPerPixel: [PictureGrade: Double] = [:]

  public init() {}

  public mutating func record(_ grade: PictureGrade, bytes: Int, fullPixels: Int) {
    guard fullPixels > 0 else { return }
    let sample = Double(bytes) / Double(fullPixels)
    bytesPerPixel[grade] = bytesPerPixel[grade].map { 0.5 * $0 + 0.5 * sample } ?? sample
  }

  /// The expected bytes of `grade` for a full raster of `fullPixels`; nil when nothing is known yet.
  public func estimate(_ grade: PictureGrade, fullPixels: Int) -> Int? {
    if let bpp = bytesPerPixel[grade] { return Int(bpp * Double(fullPixels)) }
    guard let full = bytesPerPixel[.full] else { return nil }
    return Int(full * grade.guessedShare * Double(fullPixels))
  }

  /// The first grade of `ladder` expected to fit `budget` bytes (the last when none does); full when the
  /// budget or the costs are unknown.
  public func choose(_ ladder: [PictureGrade], fullPixels: Int, budget: Int?) -> PictureGrade {
    guard let budget else { return .full }
    for grade in ladder {
      guard let bytes = estimate(grade, fullPixels: fullPixels) else { return grade }
      if bytes <= budget { return grade }
    }
    return ladder.last ?? .full
  }
}
