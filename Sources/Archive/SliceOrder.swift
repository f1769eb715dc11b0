/// The order a series is scrolled in: in space. Slices that share a plane (Image Orientation) and an
/// acquisition in it (echo, temporal position, and Acquisition Number where positions repeat) are ordered
/// by their position along its normal, in the direction their instance numbers mostly run (so a CT
/// numbered head to feet still reads head to feet, whatever numbers a device gave single slices);
/// planes follow one another in the order of their first instance number; slices without a position
/// keep their instance-number order, after those with one.
public enum SliceOrder {
  public struct Slice: Sendable, Equatable {
    public let path: String
    public let sopClassUID: String
    public let orientation: String?
    public let position: Double?
    /// Number of Frames as indexed; nil for rows indexed before frames were kept.
    public let frames: Int?
    /// The acquisition within the plane (echo, temporal position), as indexed.
    public let stack: String?
    /// Which frame of the object it is, when it stands for one frame of an enhanced multi-frame object.
    public let frame: Int
    /// Acquisition Number: what tells apart repeated acquisitions of the same positions.
    public let acquisition: Int?

    public init(
      path: String, sopClassUID: String, orientation: String?, position: Double?, frames: Int? = nil,
      stack: String? = nil, frame: Int = 0, acquisition: Int? = nil
    ) {
      self.acquisition = acquisition
      self.path = path
      self.sopClassUID = sopClassUID
      self.orientation = orientation
      self.position = position
      self.frames = frames
      self.stack = stack
      self.frame = frame
    }

    /// The stack it belongs to: its plane and acquisition; nil without a position.
    public var stackKey: String? {
      guard let orientation, position != nil else { return nil }
      return orientation + "|" + (stack ?? "")
    }
  }

  /// `slices` in instance-number order in, the reading order out.
  public static func ordered(_ slices: [Slice]) -> [Slice] {
    var planes: [String: [(rank: Int, slice: Slice)]] = [:]
    var planeOrder: [String] = []
    var unplaced: [Slice] = []
    for (rank, slice) in slices.enumerated() {
      guard let key = slice.stackKey else {
        unplaced.append(slice)
        continue
      }
      if planes[key] == nil { planeOrder.append(key) }
      planes[key, default: []].append((rank, slice))
    }
    var out: [Slice] = []
    for key in planeOrder {
      for group in acquisitions(planes[key] ?? []) {
        var sorted = group.sorted { ($0.slice.position ?? 0, $0.rank) < ($1.slice.position ?? 0, $1.rank) }
        // Which way the numbers run: pairs of slices whose rank order agrees with position order, or not.
        var agree = 0
        for (a, b) in zip(sorted, sorted.dropFirst()) { agree += a.rank < b.rank ? 1 : -1 }
        if agree < 0 { sorted.reverse() }
        out += sorted.map(\.slice)
      }
    }
    return out + unplaced
  }

  /// A plane's slices as one group, or, when positions repeat and Acquisition Numbers tell the repeats
  /// apart (a scan done twice: before and after contrast, at two phases), one group an acquisition, each
  /// named by it ("A2"). A series whose every slice has its own acquisition number stays one stack.
  static func acquisitions(_ plane: [(rank: Int, slice: Slice)]) -> [[(rank: Int, slice: Slice)]] {
    let positions = plane.compactMap(\.slice.position)
    guard Set(positions).count < positions.count, Set(plane.map(\.slice.acquisition)).count > 1 else { return [plane] }
    var groups: [Int?: [(rank: Int, slice: Slice)]] = [:]
    var order: [Int?] = []
    for member in plane {
      let a = member.slice.acquisition
      if groups[a] == nil { order.append(a) }
      let named = Slice(
        path: member.slice.path, sopClassUID: member.slice.sopClassUID, orientation: member.slice.orientation,
        position: member.slice.position, frames: member.slice.frames,
        stack: ([member.slice.stack] + [a.map { "A\($0)" }]).compactMap { $0 }.joined(separator: " "),
        frame: member.slice.frame, acquisition: a)
      groups[a, default: []].append((member.rank, named))
    }
    return order.map { groups[$0] ?? [] }
  }
}
