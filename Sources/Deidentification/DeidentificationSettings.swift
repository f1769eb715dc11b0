/// What a de-identification run does beyond the basic profile: the options, what to do with burned-in
/// text, and which private attributes are safe to keep.
public struct DeidentificationSettings: Sendable {
  public var options: ProfileOptions
  /// Write images that may show burned-in text without cleaning them (the reader has checked them).
  public var allowBurnedIn: Bool
  /// Regions set to zero in every frame before writing (the Clean Pixel Data option).
  public var blank: [PixelRegion]
  /// Private attributes kept under the Retain Safe Private option (PS3.15 E.3.10: known to carry no
  /// identity), by private creator and element within the block.
  public var safePrivate: Set<SafePrivateAttribute>

  public init(
    options: ProfileOptions = [], allowBurnedIn: Bool = false, blank: [PixelRegion] = [],
    safePrivate: Set<SafePrivateAttribute> = []
  ) {
    self.options = options
    self.allowBurnedIn = allowBurnedIn
    self.blank = blank
    self.safePrivate = safePrivate
  }
}

/// A rectangle of pixels, from the top left corner, in image columns and rows.
public struct PixelRegion: Sendable, Equatable {
  public let x: Int
  public let y: Int
  public let width: Int
  public let height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }
}

/// A private attribute by what names it across objects: its creator's text and its group and element
/// byte within the block (the block number differs from object to object).
public struct SafePrivateAttribute: Sendable, Hashable {
  public let creator: String
  public let group: UInt16
  public let elementByte: UInt8

  public init(creator: String, group: UInt16, elementByte: UInt8) {
    self.creator = creator
    self.group = group
    self.elementByte = elementByte
  }
}
