/// An instance on its way (a retrieve has listed it, it has not arrived): a slice of its series' stack
/// before it is here, so the reader sees the whole stack and can go to a slice the retrieve then fetches
/// first. Its path names no file: the one place that spelling is made and read.
public struct PendingInstance: Sendable, Equatable {
  public var sopInstanceUID: String
  public var sopClassUID: String
  public var instanceNumber: Int
  /// The plane's key and the place along its normal, when the query told them (else it goes last).
  public var orientation: String?
  public var position: Double?
  /// Its size in pixels, when the listing told it.
  public var columns: Int?
  public var rows: Int?

  public init(
    sopInstanceUID: String, sopClassUID: String, instanceNumber: Int, orientation: String?, position: Double?,
    columns: Int? = nil, rows: Int? = nil
  ) {
    self.columns = columns
    self.rows = rows
    self.sopInstanceUID = sopInstanceUID
    self.sopClassUID = sopClassUID
    self.instanceNumber = instanceNumber
    self.orientation = orientation
    self.position = position
  }

  /// A NUL cannot be in a file's path: nothing opens this one by mistake.
  static let prefix = "\u{0}pending:"

  /// The path that stands for a pending instance in a stack.
  public static func path(_ sopInstanceUID: String) -> String { prefix + sopInstanceUID }

  /// The SOP Instance UID a stand-in path is for; nil for a real file's path.
  public static func sopInstanceUID(ofPath path: String) -> String? {
    path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
  }

  var slice: SliceOrder.Slice {
    SliceOrder.Slice(
      path: Self.path(sopInstanceUID), sopClassUID: sopClassUID, orientation: orientation, position: position,
      frames: 1)
  }
}
