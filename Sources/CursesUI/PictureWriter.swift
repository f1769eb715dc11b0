import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// The terminal's output of pictures: written without blocking, as fast as the terminal takes them, so
/// the key loop never waits on a slow link. One picture at a time; one cut short is closed, so the
/// terminal's parser is back in text before anything else is written.
final class PictureWriter {
  private var bytes: [UInt8] = []
  private var offset = 0
  private var closing: [UInt8] = []

  /// A picture is partly written: nothing else may go to the terminal until it is done or cut.
  var busy: Bool { offset < bytes.count }

  /// Starts writing `frame`; `closing` ends it if it has to be cut (and asks for the acknowledgement
  /// the frame's own end would have asked for).
  func start(_ frame: [UInt8], closing: [UInt8]) {
    bytes = frame
    offset = 0
    self.closing = closing
    flush()
  }

  /// Writes what the terminal takes now, without waiting.
  func flush() {
    guard busy else { return }
    let flags = fcntl(1, F_GETFL)
    guard flags >= 0 else { return drop() }
    _ = fcntl(1, F_SETFL, flags | O_NONBLOCK)
    defer { _ = fcntl(1, F_SETFL, flags) }
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { raw in write(1, raw.baseAddress! + offset, raw.count - offset) }
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

  /// Drops what is not written yet, closing the picture if any of it was.
  func cut() {
    guard busy else { return }
    if offset > 0 { SystemIO.writeAll(1, closing) }
    drop()
  }

  private func drop() {
    bytes = []
    offset = 0
  }
}
