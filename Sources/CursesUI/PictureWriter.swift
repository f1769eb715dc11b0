import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// The terminal's output of pictures: written without blocking, so the key loop never waits on a slow
/// link, and on a thin link paced at the link's rate, so the bytes not yet sent stay here, where a newer
/// picture can still replace them (bytes handed to ssh cannot be called back). One picture at a time;
/// one cut short is closed, so the terminal's parser is back in text before anything else is written.
final class PictureWriter {
  private var bytes: [UInt8] = []
  private var offset = 0
  private var closing: [UInt8] = []
  private var startedAt = 0.0

  /// Bytes a second and a head start in bytes: the most written `t` seconds after the start is
  /// `window + rate * t`. Nil: as fast as the terminal takes them.
  var pace: (bytesPerSecond: Double, window: Int)?

  /// A picture is partly written: nothing else may go to the terminal until it is done or cut.
  var busy: Bool { offset < bytes.count }
  /// Bytes of the picture not written yet.
  var remaining: Int { bytes.count - offset }

  /// Starts writing `frame`; `closing` ends it if it has to be cut (and asks for the acknowledgement
  /// the frame's own end would have asked for).
  func start(_ frame: [UInt8], closing: [UInt8], at now: Double) {
    bytes = frame
    offset = 0
    self.closing = closing
    startedAt = now
    flush(at: now)
  }

  /// How many bytes the pace allows written by `now`.
  private func allowed(at now: Double) -> Int {
    guard let pace else { return bytes.count }
    return min(bytes.count, pace.window + Int(pace.bytesPerSecond * max(0, now - startedAt)))
  }

  /// Bytes worth a write: a kilobyte, or what is left (the loop must not wake for every few bytes).
  private var step: Int { min(1024, remaining) }

  /// When the pace lets the next kilobyte go (nil: it may go now, or nothing is waiting).
  func nextWrite(at now: Double) -> Double? {
    guard busy, let pace, allowed(at: now) - offset < step else { return nil }
    return startedAt + Double(offset + step - pace.window) / pace.bytesPerSecond
  }

  /// Writes what the pace allows and the terminal takes now, without waiting.
  func flush(at now: Double) {
    let limit = allowed(at: now)
    guard busy, limit - offset >= step else { return }
    let flags = fcntl(1, F_GETFL)
    guard flags >= 0 else { return drop() }
    _ = fcntl(1, F_SETFL, flags | O_NONBLOCK)
    defer { _ = fcntl(1, F_SETFL, flags) }
    while offset < limit {
      let n = bytes.withUnsafeBytes { raw in write(1, raw.baseAddress! + offset, limit - offset) }
      if n > 0 {
        offset += n
      } else if n < 0 && errno == EINTR {
        continue
      } else {
        // EAGAIN: the terminal is full for now. Anything else: it is gone, and so is the picture.
        if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { drop() }
        return
      }
    }
  }

  /// Drops what is not written yet, closing the picture if any of it was; returns the bytes the
  /// terminal gets of it after all (nil when nothing was cut).
  @discardableResult
  func cut() -> Int? {
    guard busy else { return nil }
    let sent = offset > 0 ? offset + closing.count : 0
    if offset > 0 { SystemIO.writeAll(1, closing) }
    drop()
    return sent
  }

  private func drop() {
    bytes = []
    offset = 0
  }
}
