/// What a terminal said about itself, parsed strictly from its replies to the probe's queries.
/// Replies are untrusted input: bounded in size, numbers bounded in digits, unknown sequences skipped.
public struct ProbeReplies: Sendable, Equatable {
  /// DA1 attributes (`ESC [ ? 63 ; 4 ; ... c`): 4 means sixel.
  public var deviceAttributes: [Int]? = nil
  /// XTSMGRAPHICS colour registers (`ESC [ ? 1 ; 0 ; N S`).
  public var colorRegisters: Int? = nil
  /// XTVERSION (`ESC P > | text ESC \`), control characters removed.
  public var version: String? = nil
  /// The kitty graphics query was answered OK.
  public var kittyGraphics = false
  /// CSI 16t: cell size in pixels (width, height).
  public var cellPixels: (width: Int, height: Int)? = nil
  /// CSI 14t: text area size in pixels (width, height).
  public var windowPixels: (width: Int, height: Int)? = nil

  public init() {}

  public static func == (a: ProbeReplies, b: ProbeReplies) -> Bool {
    a.deviceAttributes == b.deviceAttributes && a.colorRegisters == b.colorRegisters && a.version == b.version
      && a.kittyGraphics == b.kittyGraphics && a.cellPixels?.width == b.cellPixels?.width
      && a.cellPixels?.height == b.cellPixels?.height && a.windowPixels?.width == b.windowPixels?.width
      && a.windowPixels?.height == b.windowPixels?.height
  }
}

/// Incremental parser of terminal replies: feed bytes as they arrive; `isComplete` once the DA1 reply,
/// which the probe sends last as a sentinel, has been seen.
public struct ProbeReplyParser: Sendable {
  public static let maxBytes = 4096
  public private(set) var replies = ProbeReplies()
  public private(set) var isComplete = false
  /// More than `maxBytes` arrived: the rest is ignored.
  public private(set) var overflowed = false
  /// Keys the reader typed while the probe waited, in order and at most `maxTyped`: given back to the
  /// program, so a key typed at once is not lost. Only plain characters, Enter, Tab and Backspace that
  /// came before the first reply or after the last (DA1): escape sequences may be replies this parser
  /// does not know, and bytes among the replies are more likely a garbled reply than keys.
  public private(set) var typed: [UInt8] = []
  public static let maxTyped = 64
  private var repliesBegan = false
  private var buffer: [UInt8] = []
  private var total = 0

  public init() {}

  public mutating func feed<S: Sequence<UInt8>>(_ bytes: S) {
    for b in bytes {
      total += 1
      guard total <= Self.maxBytes else {
        overflowed = true
        return
      }
      buffer.append(b)
    }
    parse()
  }

  private mutating func parse() {
    var i = 0
    while i < buffer.count {
      guard buffer[i] == 0x1B else {
        if (!repliesBegan || isComplete) && Self.isTypedKey(buffer[i]) && typed.count < Self.maxTyped {
          typed.append(buffer[i])
        }
        i += 1
        continue
      }
      repliesBegan = true
      guard let (length, complete) = sequenceLength(at: i) else { break }  // incomplete: wait for more
      if complete { interpret(Array(buffer[i..<(i + length)])) }
      i += length
    }
    buffer.removeFirst(i)
  }

  /// Length of the escape sequence at `i`, or nil if it is not finished yet.
  private func sequenceLength(at i: Int) -> (Int, Bool)? {
    guard i + 1 < buffer.count else { return nil }
    switch buffer[i + 1] {
    case 0x5B:  // CSI: parameters and intermediates, then a final byte 0x40...0x7E
      var j = i + 2
      while j < buffer.count {
        let c = buffer[j]
        if (0x40...0x7E).contains(c) { return (j - i + 1, true) }
        if !(0x20...0x3F).contains(c) { return (j - i, false) }  // malformed: drop what came before
        j += 1
      }
      return nil
    case 0x50, 0x5F, 0x5D:  // DCS, APC, OSC: up to ST (ESC \) or BEL
      var j = i + 2
      while j < buffer.count {
        if buffer[j] == 0x07 { return (j - i + 1, true) }
        if buffer[j] == 0x1B {
          guard j + 1 < buffer.count else { return nil }
          return buffer[j + 1] == 0x5C ? (j - i + 2, true) : (j - i, false)
        }
        j += 1
      }
      return nil
    default:
      return (2, false)
    }
  }

  private mutating func interpret(_ s: [UInt8]) {
    if s[1] == 0x5B {
      let final = s[s.count - 1]
      let body = Array(s[2..<(s.count - 1)])
      if final == 0x63, body.first == 0x3F, let params = Self.numbers(Array(body.dropFirst())) {  // DA1
        replies.deviceAttributes = params
        isComplete = true
      } else if final == 0x53, body.first == 0x3F, let p = Self.numbers(Array(body.dropFirst())), p.count >= 3,
        p[0] == 1, p[1] == 0
      {
        replies.colorRegisters = p[2]  // XTSMGRAPHICS: item 1 (colour registers), status 0 (success)
      } else if final == 0x74, let p = Self.numbers(body), p.count == 3, p[1] > 0, p[2] > 0 {
        if p[0] == 6 { replies.cellPixels = (p[2], p[1]) }  // CSI 6 ; height ; width t
        if p[0] == 4 { replies.windowPixels = (p[2], p[1]) }  // CSI 4 ; height ; width t
      }
    } else if s[1] == 0x50, s.count > 4, s[2] == 0x3E, s[3] == 0x7C {  // DCS > | text ST
      let end = s[s.count - 1] == 0x07 ? s.count - 1 : s.count - 2
      let text = s[4..<max(4, end)].filter { (0x20..<0x7F).contains($0) }
      replies.version = String(decoding: text.prefix(128), as: UTF8.self)
    } else if s[1] == 0x5F, s.count > 3, s[2] == 0x47 {  // APC G ... ; OK ST
      let text = String(decoding: s[3...], as: UTF8.self)
      if text.contains("i=31") && text.contains(";OK") { replies.kittyGraphics = true }
    }
  }

  /// A byte outside every reply that a reader types: printable ASCII, CR or LF (Enter), Tab, Backspace.
  static func isTypedKey(_ b: UInt8) -> Bool {
    (0x20...0x7E).contains(b) || b == 0x0D || b == 0x0A || b == 0x09 || b == 0x08 || b == 0x7F
  }

  /// Semicolon-separated decimal numbers of at most 6 digits each; nil when anything else is there.
  static func numbers(_ bytes: [UInt8]) -> [Int]? {
    var out: [Int] = []
    var current = 0
    var digits = 0
    for b in bytes {
      if (0x30...0x39).contains(b) {
        digits += 1
        guard digits <= 6 else { return nil }
        current = current * 10 + Int(b - 0x30)
      } else if b == 0x3B {
        out.append(current)
        current = 0
        digits = 0
      } else {
        return nil
      }
    }
    out.append(current)
    return out.count <= 64 ? out : nil
  }
}
