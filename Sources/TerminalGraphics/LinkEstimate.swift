/// What the link to the terminal carries, learned from the terminal's own answers: each picture is
/// followed by a device status request, and the answer coming back says the picture reached the
/// terminal (terminals answer in order, after drawing what came before). From those answers come the
/// round trip, the drain rate (bytes the terminal takes a second) and so the bytes a picture may have to
/// arrive in time. Pure: times are given, in seconds.
public struct LinkEstimate: Sendable {
  /// Bytes a second the terminal took, smoothed; nil until measured.
  public private(set) var bytesPerSecond: Double?
  /// The shortest answer time seen recently, in seconds: the round trip without queued bytes.
  public private(set) var roundTrip: Double?
  /// False once the terminal left several requests unanswered (pictures are then paced by writes alone),
  /// true again when an answer comes after all.
  public private(set) var answers = true

  struct Frame {
    var bytes: Int
    var written: Double
    var expectedDone: Double
  }
  private var outstanding: [Frame] = []
  private var lastAnswer: Double?
  private var recentTrips: [Double] = []
  private var missed = 0

  /// Frames in flight at most: the newest state is rendered only when the link nears free, so nothing
  /// stale queues up even when the estimate is off.
  public static let maxInFlight = 2
  /// A frame of fewer bytes says nothing about the rate: its time is the round trip, and on a local
  /// terminal the terminal's own wake-ups (a 10 kB thumbnail read as 250 kB/s in xterm).
  static let rateSampleBytes = 16384

  public init() {}

  public var inFlightBytes: Int { outstanding.reduce(0) { $0 + $1.bytes } }
  public var inFlightFrames: Int { outstanding.count }

  /// A frame of `bytes` (its acknowledgement request at its end) was handed to the terminal at `now`.
  public mutating func sent(bytes: Int, at now: Double) {
    guard answers else { return }
    let previous = outstanding.last?.expectedDone ?? now
    let start = max(now, previous)
    outstanding.append(Frame(bytes: bytes, written: now, expectedDone: start + transferTime(bytes)))
  }

  /// The last frame was cut short: the terminal gets `bytes` of it (none: it never left).
  public mutating func cutLast(to bytes: Int) {
    guard var last = outstanding.popLast() else { return }
    guard bytes > 0 else { return }
    let start = last.expectedDone - transferTime(last.bytes)
    last.bytes = bytes
    last.expectedDone = start + transferTime(bytes)
    outstanding.append(last)
  }

  func transferTime(_ bytes: Int) -> Double { bytesPerSecond.map { Double(bytes) / $0 } ?? 0 }

  /// The terminal answered the oldest request at `now`.
  public mutating func acknowledged(at now: Double) {
    answers = true
    missed = 0
    guard !outstanding.isEmpty else { return }
    let frame = outstanding.removeFirst()
    let trip = roundTrip ?? 0
    let elapsed = now - frame.written
    // The link worked on this frame from when it reached the link (written, half a round trip on: one
    // round trip in answer time) or, if the one before was still on its way then, from that one's answer.
    // (Equal for the calibration's filler, written with the request before it: the gap between the two
    // answers is its transfer.)
    let busySince = lastAnswer.map { $0 >= frame.written + trip } ?? false
    let duration = now - max(lastAnswer ?? -.infinity, frame.written + trip)
    // A sample only when carrying the bytes took a fair part of the time: answers read together, or a
    // frame small against the round trip's jitter, say nothing of the rate.
    if frame.bytes >= Self.rateSampleBytes && duration > 0.002 && (busySince || duration > elapsed / 4) {
      let sample = Double(frame.bytes) / duration
      let rate = bytesPerSecond.map { 0.6 * $0 + 0.4 * sample } ?? sample
      bytesPerSecond = rate
      if rate < Self.thinBelow { isThin = true } else if rate > Self.thinUntil { isThin = false }
    }
    if !busySince {
      // What the answer took beyond carrying the bytes: the round trip.
      let tripSample = max(0.0005, elapsed - transferTime(frame.bytes))
      recentTrips.append(tripSample)
      if recentTrips.count > 8 { recentTrips.removeFirst() }
      roundTrip = recentTrips.min()
    }
    lastAnswer = now
  }

  /// How long past its expected arrival a frame's answer may be late before it counts as lost: long,
  /// since a first estimate can be several times too high (a token bucket's burst) and three losses
  /// stop the pacing for good.
  func overdue(_ frame: Frame) -> Double { frame.written + max(3.0, 8 * (frame.expectedDone - frame.written)) }

  /// Frames whose answer is long overdue count as delivered; after three in a row the terminal is taken
  /// not to answer at all.
  public mutating func expire(at now: Double) {
    while let first = outstanding.first, now > overdue(first) {
      outstanding.removeFirst()
      missed += 1
      if missed >= 3 {
        answers = false
        outstanding.removeAll()
      }
    }
  }

  /// When an overdue answer should be given up on (for the caller's wait), nil with nothing in flight.
  public var expiryDeadline: Double? { outstanding.first.map(overdue) }

  /// Whether a new frame may go now: nothing in flight, or the frames in flight should have arrived by now
  /// (their answers are on the way back), so the new one follows them without waiting in a queue.
  public func ready(at now: Double) -> Bool {
    guard let last = outstanding.last else { return true }
    return outstanding.count < Self.maxInFlight && bytesPerSecond != nil && now >= last.expectedDone
  }

  /// When `ready` may turn true by itself (nil: only an answer can make it so).
  public func readyAt() -> Double? {
    guard let last = outstanding.last, outstanding.count < Self.maxInFlight, bytesPerSecond != nil else { return nil }
    return last.expectedDone
  }

  /// The time a preview may take on the link: eight pictures a second while keys come, five at least
  /// with the round trip and the terminal's own work.
  public static let previewSeconds = 0.12

  /// The bytes a picture may have to arrive within `seconds`; nil while the rate is unknown.
  public func budget(seconds: Double) -> Int? {
    bytesPerSecond.map { Int($0 * seconds) }
  }

  /// A link slower than the first (5.6 Mbit/s) is thin: sixel pictures are then sent at no more than the
  /// image's own pixels, and paced; it is thin until faster than the second. Apart, so the choice does not
  /// flap: xterm itself takes sixel at 0.8 to 1.1 MB/s, and a picture should not change size at each one.
  public static let thinBelow = 700_000.0
  public static let thinUntil = 1_400_000.0
  public private(set) var isThin = false

  /// The request whose answer acknowledges everything before it: a device status report (DSR 5), which
  /// every VT100-compatible terminal (xterm, kitty, VTE, iTerm2, tmux) answers with `ESC [ 0 n`; it
  /// moves nothing on the screen.
  public static let request: [UInt8] = Array("\u{1B}[5n".utf8)
  public static let answer = "\u{1B}[0n"

  /// The request as written: inside tmux with passthrough, wrapped, so that the outer terminal answers
  /// (tmux passes the answer on to the pane) and the link measured is the one to the reader, not the one
  /// to tmux, which answers an unwrapped request itself.
  public static func request(passthrough: Bool) -> [UInt8] {
    passthrough ? TmuxPassthrough.wrap(request) : request
  }

  /// A harmless filler (SGR resets) that measures the rate at start: a request, then `bytes` of filler,
  /// then a request; the time between the two answers is the filler's transfer time. With `passthrough`,
  /// all of it goes to the outer terminal.
  public static func calibration(bytes: Int = 16384, passthrough: Bool = false) -> [UInt8] {
    let plain = request + Array(repeating: Array("\u{1B}[m".utf8), count: bytes / 3).flatMap { $0 } + request
    return passthrough ? TmuxPassthrough.wrap(plain) : plain
  }

  /// Records a calibration of `total` bytes written at `now`: the first request, then the filler with
  /// the second request.
  public mutating func calibrationSent(total: Int, at now: Double) {
    sent(bytes: Self.request.count, at: now)
    sent(bytes: total - Self.request.count, at: now)
  }
}
