import DICOM
import DICOMweb
import Testing

/// The multipart reader gives back each part exactly as it was sent, however the body is cut into reads
/// (a boundary split across two reads, a CRLF at a read's end), and refuses what RFC 2046 does not allow.
@Suite struct MultipartReaderTests {
  static let boundary = "b0undary"

  /// A body of `parts`, each with a Content-Type header, as WADO-RS sends them.
  static func body(_ parts: [[UInt8]], headers: Bool = true) -> [UInt8] {
    var out: [UInt8] = Array("preamble to ignore\r\n".utf8)
    for part in parts {
      out += Array("--\(boundary)\r\n".utf8)
      out += headers ? Array("Content-Type: application/dicom\r\n\r\n".utf8) : [0x0D, 0x0A]
      out += part + [0x0D, 0x0A]
    }
    return out + Array("--\(boundary)--\r\nepilogue".utf8)
  }

  static func read(_ body: [UInt8], cut: Int) throws -> [[UInt8]] {
    var reader = MultipartReader(boundary: boundary, maxPartBytes: 1 << 20)
    var parts: [[UInt8]] = []
    var start = 0
    while start < body.count {
      let end = min(body.count, start + cut)
      for event in try reader.feed(body[start..<end]) {
        switch event {
        case .partStart: parts.append([])
        case .data(let bytes): parts[parts.count - 1] += bytes
        case .partEnd: break
        }
      }
      start = end
    }
    try reader.finish()
    return parts
  }

  @Test func parts_come_back_whole_for_every_read_size() throws {
    // Bodies that look like the delimiter's beginning (RFC 2046 keeps the whole delimiter out of bodies):
    // CR, LF, dashes, the boundary cut short.
    let tricky: [UInt8] = [0x0D, 0x0A, 0x2D, 0x0D, 0x0A, 0x2D, 0x2D] + Array("b0undar".utf8) + [0x0D]
    let parts: [[UInt8]] = [
      Array(0..<255), tricky, [], Array(repeating: 0x0D, count: 40), Array("\r\n--b0undar".utf8),
    ]
    for headers in [true, false] {
      let body = Self.body(parts, headers: headers)
      for cut in [1, 2, 3, 7, 13, 64, body.count] {
        #expect(try Self.read(body, cut: cut) == parts, "cut \(cut), headers \(headers)")
      }
    }
  }

  @Test func a_body_without_its_closing_boundary_is_truncated() {
    var body = Self.body([Array(repeating: 7, count: 100)])
    body.removeLast(Array("--\r\nepilogue".utf8).count + 4)
    #expect(throws: MultipartReader.Failure.truncated) { _ = try Self.read(body, cut: 10) }
  }

  @Test func a_part_longer_than_the_limit_or_its_announcement_is_refused() {
    var reader = MultipartReader(boundary: Self.boundary, maxPartBytes: 10)
    #expect(throws: MultipartReader.Failure.partTooLarge(limit: 10)) {
      _ = try reader.feed(Self.body([Array(repeating: 1, count: 11)]))
    }
    var announced = MultipartReader(boundary: Self.boundary, maxPartBytes: 100)
    let body = Array("--b0undary\r\nContent-Length: 3\r\n\r\nabcd\r\n--b0undary--".utf8)
    #expect(throws: MultipartReader.Failure.lengthMismatch(announced: 3, actual: 4)) { _ = try announced.feed(body) }
  }

  @Test func headers_without_end_are_refused_at_their_limit() {
    var reader = MultipartReader(boundary: Self.boundary, maxHeaderBytes: 64, maxPartBytes: 100)
    #expect(throws: MultipartReader.Failure.headersTooLong(limit: 64)) {
      _ = try reader.feed(Array("--b0undary\r\n".utf8) + Array(repeating: 0x41, count: 100))
    }
  }

  @Test func part_headers_are_named_in_any_case_and_lose_the_spaces_and_tabs_around_them() throws {
    var reader = MultipartReader(boundary: Self.boundary, maxPartBytes: 100)
    let head = "--b0undary\r\nCONTENT-type: \t application/dicom;transfer-syntax=1.2.840.10008.1.2.1 \r\n"
    let events = try reader.feed(
      Array((head + "Content-Length:2\r\nX-Odd: a\nb\r\n\r\nok\r\n--b0undary--").utf8))
    guard case .partStart(let headers) = events.first else {
      Issue.record("no part started: \(events)")
      return
    }
    #expect(
      headers == [
        "content-type": "application/dicom;transfer-syntax=1.2.840.10008.1.2.1", "content-length": "2",
        "x-odd": "a\nb",
      ])
    var colonless = MultipartReader(boundary: Self.boundary, maxPartBytes: 100)
    #expect(throws: MultipartReader.Failure.malformed("a part header without a colon")) {
      _ = try colonless.feed(Array("--b0undary\r\nContent-Type application/dicom\r\n\r\nok\r\n--b0undary--".utf8))
    }
  }

  @Test func the_boundary_is_read_from_the_content_type_quoted_or_not() {
    #expect(
      MultipartReader.boundary(ofContentType: #"multipart/related; type="application/dicom"; boundary="a b""#) == "a b"
    )
    #expect(MultipartReader.boundary(ofContentType: "multipart/related;boundary=xyz;type=x") == "xyz")
    #expect(MultipartReader.boundary(ofContentType: "application/dicom+json") == nil)
    #expect(MultipartReader.boundary(ofContentType: "multipart/related; boundary=") == nil)
  }
}

/// C-FIND identifiers as QIDO-RS requests: the path from the level and the UIDs that scope it, values as
/// parameters, empty attributes as includefield, and values a URL must encode widened to `?` with the
/// original kept as a local filter.
@Suite struct QIDOQueryTests {
  @Test func a_series_search_in_a_study_is_scoped_by_the_path() throws {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, "SERIES")
    try ds.set(Tag.studyInstanceUID, .UI, "1.2.3")
    try ds.set(Tag.modality, .CS, "CT")
    ds.set(Element(tag: Tag.seriesInstanceUID, vr: .UI, bytes: []))
    let query = try QIDOQuery(identifier: ds)
    #expect(query.path == "studies/1.2.3/series")
    #expect(
      query.parameters.map { "\($0.name)=\($0.value)" } == ["Modality=CT", "includefield=SeriesInstanceUID"])
  }

  @Test func a_value_a_url_must_encode_is_widened_and_filtered_locally() throws {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, "STUDY")
    try ds.set(Tag.patientName, .PN, "DOE^J*")
    let query = try QIDOQuery(identifier: ds)
    #expect(query.parameters.first == QIDOQuery.Parameter(name: "PatientName", value: "DOE?J*"))
    var match = Dataset(byteOrder: .little)
    try match.set(Tag.patientName, .PN, "DOE^JANE")
    #expect(query.accepts(match))
    try match.set(Tag.patientName, .PN, "DOE JANE")
    #expect(!query.accepts(match))
  }

  @Test func there_is_no_patient_level_search() throws {
    var ds = Dataset(byteOrder: .little)
    try ds.set(Tag.queryRetrieveLevel, .CS, "PATIENT")
    #expect(throws: DICOMwebError.self) { _ = try QIDOQuery(identifier: ds) }
  }

  @Test func a_logged_url_carries_no_uid_and_no_query_value() {
    let url =
      "https://pacs.example/dicom-web/studies/1.2.840.99.1/series/1.2.840.99.1.2/instances?PatientName=DOE%5EJ"
      + "&StudyDate=20260101&includefield=SOPInstanceUID&limit=500&offset=0"
    #expect(
      DICOMwebEndpoint.redacted(url)
        == "https://pacs.example/dicom-web/studies/<uid>/series/<uid>/instances?PatientName=<redacted>"
        + "&StudyDate=<redacted>&includefield=SOPInstanceUID&limit=500&offset=0")
  }
}
