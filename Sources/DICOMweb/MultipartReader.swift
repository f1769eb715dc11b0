import Foundation

/// A streaming reader of `multipart/related` bodies (RFC 2046 5.1, as WADO-RS sends them): bytes go in
/// as they arrive, events come out; a part's body is handed on in pieces, never held whole. Untrusted
/// input: part headers are bounded, a part is bounded, a body that ends inside a part or never shows its
/// boundary is an error, and nothing after the closing boundary is read.
public struct MultipartReader: Sendable {
  public enum Event: Sendable, Equatable {
    /// A part begins, with its headers (names lowercased).
    case partStart([String: String])
    /// Some of the current part's body.
    case data([UInt8])
    /// The current part is whole.
    case partEnd
  }

  public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
    case noBoundary
    case headersTooLong(limit: Int)
    case partTooLarge(limit: Int)
    /// A part whose body is not the length its Content-Length header announced.
    case lengthMismatch(announced: Int, actual: Int)
    case malformed(String)
    case truncated

    public var description: String {
      switch self {
      case .noBoundary: "the response is not multipart: no boundary"
      case .headersTooLong(let limit): "a part's headers are longer than \(limit) bytes"
      case .partTooLarge(let limit): "a part is larger than \(limit) bytes"
      case .lengthMismatch(let announced, let actual):
        "a part announced \(announced) bytes and \(actual > announced ? "sent more" : "ended after \(actual)")"
      case .malformed(let why): "malformed multipart body: \(why)"
      case .truncated: "the multipart body ended inside a part"
      }
    }
  }

  enum State: Sendable { case preamble, headers, body, done }

  /// "\r\n--boundary": what ends a part's body (the first boundary may come without the CRLF).
  let delimiter: [UInt8]
  /// Horspool's shifts for the delimiter, by the byte under its last position.
  let skip: [Int]
  let maxHeaderBytes: Int
  let maxPartBytes: Int
  var state = State.preamble
  var buffer: [UInt8] = []
  var partBytes = 0
  /// The current part's Content-Length, when it has one.
  var announced: Int?
  public private(set) var partsSeen = 0

  public var isDone: Bool { state == .done }

  public init(boundary: String, maxHeaderBytes: Int = 16 << 10, maxPartBytes: Int) {
    delimiter = Array("\r\n--\(boundary)".utf8)
    var shifts = [Int](repeating: delimiter.count, count: 256)
    for (k, byte) in delimiter.dropLast().enumerated() { shifts[Int(byte)] = delimiter.count - 1 - k }
    skip = shifts
    self.maxHeaderBytes = maxHeaderBytes
    self.maxPartBytes = maxPartBytes
    // The body starts with the first boundary; a leading CRLF is supplied so that one search fits all.
    buffer = [0x0D, 0x0A]
  }

  /// The boundary of a `multipart/related; boundary=...` content type (quoted or not).
  public static func boundary(ofContentType contentType: String) -> String? {
    guard contentType.lowercased().hasPrefix("multipart/") else { return nil }
    for parameter in contentType.split(separator: ";").dropFirst() {
      let pair = parameter.split(separator: "=", maxSplits: 1)
      guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
      var value = pair[1].trimmingCharacters(in: .whitespaces)
      if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
        value = String(value.dropFirst().dropLast())
      }
      // RFC 2046: 1 to 70 characters, spaces allowed but not last.
      guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
        value.utf8.last != 0x20
      else { return nil }
      return value
    }
    return nil
  }

  /// Feeds bytes; returns what they complete.
  public mutating func feed(_ bytes: some Collection<UInt8>) throws(Failure) -> [Event] {
    guard state != .done else { return [] }
    buffer.append(contentsOf: bytes)
    var events: [Event] = []
    while true {
      switch state {
      case .done:
        buffer = []
        return events
      case .preamble:
        // Anything before the first boundary is ignored, but not without bound.
        guard let at = findDelimiter(in: buffer) else {
          if buffer.count > maxHeaderBytes + delimiter.count { throw .malformed("no boundary where the body starts") }
          return events
        }
        guard let next = try afterBoundary(at) else { return events }
        if next == -1 { throw .malformed("the body closes before its first part") }
        buffer.removeFirst(next)
        state = .headers
      case .headers:
        // A part without headers starts with its blank line at once.
        let end: (headers: Int, skip: Int)
        if buffer.count >= 2 && buffer[0] == 0x0D && buffer[1] == 0x0A {
          end = (0, 2)
        } else if let at = find([0x0D, 0x0A, 0x0D, 0x0A], in: buffer) {
          end = (at, at + 4)
        } else {
          if buffer.count > maxHeaderBytes { throw .headersTooLong(limit: maxHeaderBytes) }
          return events
        }
        guard end.headers <= maxHeaderBytes else { throw .headersTooLong(limit: maxHeaderBytes) }
        let headers = try Self.parseHeaders(Array(buffer[..<end.headers]))
        buffer.removeFirst(end.skip)
        events.append(.partStart(headers))
        partsSeen += 1
        partBytes = 0
        announced = headers["content-length"].flatMap { Int($0) }
        state = .body
      case .body:
        if let at = findDelimiter(in: buffer) {
          guard let next = try afterBoundary(at) else {
            // The boundary's tail has not arrived: keep its bytes, hand on what precedes it.
            try emit(take(at), into: &events)
            return events
          }
          try emit(take(at), into: &events)
          if let announced, announced != partBytes {
            throw .lengthMismatch(announced: announced, actual: partBytes)
          }
          events.append(.partEnd)
          if next == -1 {
            state = .done
          } else {
            // The part's bytes were taken off the buffer: the next headers start `at` sooner.
            buffer.removeFirst(next - at)
            state = .headers
          }
        } else {
          // Everything but a possible start of the delimiter is body.
          let keep = delimiter.count - 1
          if buffer.count > keep {
            try emit(take(buffer.count - keep), into: &events)
          }
          return events
        }
      }
    }
  }

  /// The body ended: an error unless the closing boundary was seen.
  public func finish() throws(Failure) {
    guard state == .done else { throw state == .preamble ? .noBoundary : .truncated }
  }

  /// The first `count` bytes of the buffer, taken off it. The larger side is moved, not copied: body
  /// bytes go on as the buffer they arrived in, the delimiter's few bytes left behind are the copy.
  private mutating func take(_ count: Int) -> [UInt8] {
    if count <= buffer.count / 2 {
      let taken = Array(buffer[..<count])
      buffer.removeFirst(count)
      return taken
    }
    let rest = Array(buffer[count...])
    buffer.removeLast(buffer.count - count)
    defer { buffer = rest }
    return buffer
  }

  private mutating func emit(_ bytes: [UInt8], into events: inout [Event]) throws(Failure) {
    guard !bytes.isEmpty else { return }
    partBytes += bytes.count
    guard partBytes <= maxPartBytes else { throw .partTooLarge(limit: maxPartBytes) }
    if let announced, partBytes > announced { throw .lengthMismatch(announced: announced, actual: partBytes) }
    events.append(.data(bytes))
  }

  /// After a delimiter at `at`: the index where the next part's headers start, -1 after the closing
  /// boundary ("--"), or nil when the bytes that tell have not arrived.
  private func afterBoundary(_ at: Int) throws(Failure) -> Int? {
    var i = at + delimiter.count
    guard i + 2 <= buffer.count else { return nil }
    if buffer[i] == 0x2D && buffer[i + 1] == 0x2D { return -1 }
    // Transport padding (spaces, tabs), then CRLF.
    while i < buffer.count && (buffer[i] == 0x20 || buffer[i] == 0x09) {
      i += 1
      if i - at - delimiter.count > 64 { throw .malformed("padding after a boundary") }
    }
    guard i + 2 <= buffer.count else { return nil }
    guard buffer[i] == 0x0D && buffer[i + 1] == 0x0A else { throw .malformed("a boundary not followed by CRLF") }
    return i + 2
  }

  static func parseHeaders(_ bytes: [UInt8]) throws(Failure) -> [String: String] {
    var headers: [String: String] = [:]
    // Read as bytes (a part's headers come with each object): lines end at CR LF, names and values lose
    // the spaces and tabs around them (RFC 9110 5.5), names are matched in lower case.
    func trimmed(_ field: ArraySlice<UInt8>) -> String {
      var field = field
      while let first = field.first, first == ASCII.space || first == ASCII.tab { field.removeFirst() }
      while let last = field.last, last == ASCII.space || last == ASCII.tab { field.removeLast() }
      return String(decoding: field, as: UTF8.self)
    }
    var start = bytes.startIndex
    while start < bytes.endIndex {
      var end = start
      while end < bytes.endIndex && !(bytes[end] == ASCII.cr && end + 1 < bytes.endIndex && bytes[end + 1] == ASCII.lf)
      {
        end += 1
      }
      let line = bytes[start..<end]
      start = min(end + 2, bytes.endIndex)
      guard !line.isEmpty else { continue }
      guard let colon = line.firstIndex(of: ASCII.colon) else { throw .malformed("a part header without a colon") }
      headers[trimmed(line[..<colon]).lowercased()] = trimmed(line[(colon + 1)...])
    }
    return headers
  }

  private enum ASCII {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
  }

  /// Where the delimiter first is in `haystack`, by Horspool's search: the delimiter's last byte is
  /// compared first and a mismatch skips up to its length (pixel data is full of its first byte, CR,
  /// which a byte-by-byte scan stops at again and again).
  private func findDelimiter(in haystack: [UInt8]) -> Int? {
    let m = delimiter.count
    guard haystack.count >= m else { return nil }
    return haystack.withUnsafeBufferPointer { h in
      delimiter.withUnsafeBufferPointer { n in
        var i = 0
        let last = h.count - m
        while i <= last {
          var j = m - 1
          while j >= 0 && h[i + j] == n[j] { j -= 1 }
          if j < 0 { return i }
          i += skip[Int(h[i + m - 1])]
        }
        return nil
      }
    }
  }

  /// The first index of a short `needle` (a header block's end) in `haystack`.
  private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count, let first = needle.first else { return nil }
    var i = 0
    let last = haystack.count - needle.count
    while i <= last {
      guard let hit = haystack[i...last].firstIndex(of: first) else { return nil }
      if haystack[hit..<(hit + needle.count)].elementsEqual(needle) { return hit }
      i = hit + 1
    }
    return nil
  }
}
