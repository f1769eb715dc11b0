import Foundation
import SyntheticData
import Testing

@testable import DICOM

/// Damaged files derived from valid ones: every one must give a typed `DICOMError` quickly,
/// never a crash, a hang or an allocation the data does not justify.
@Suite struct MalformedInputTests {
  struct Case: CustomStringConvertible {
    let name: String
    let bytes: [UInt8]
    var description: String { name }
  }

  /// An explicit VR little endian file with nested sequences, private tags and pixel data.
  static func validFile() throws -> [UInt8] {
    var ds = try SyntheticData.everyVR()
    ds.set(.pixelData, .OW, integers: [UInt16](repeating: 7, count: 64))
    return try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).encoded()
  }

  /// Where each element header starts, its header size and value length, walking nested sequences.
  struct Boundary { let offset: Int; let header: Int; let length: Int; let lengthField: Int; let shortLength: Bool }

  static func boundaries(_ b: [UInt8], from start: Int, to end: Int, into out: inout [Boundary]) {
    var p = start
    while p + 8 <= end {
      let group = UInt16(b[p]) | UInt16(b[p + 1]) << 8
      let element = UInt16(b[p + 2]) | UInt16(b[p + 3]) << 8
      if group == 0xFFFE {
        let length = Int(readLE32(b, p + 4))
        out.append(
          Boundary(
            offset: p, header: 8, length: length == 0xFFFF_FFFF ? 0 : length, lengthField: p + 4,
            shortLength: false))
        if element == 0xE000 && length != 0xFFFF_FFFF {
          boundaries(b, from: p + 8, to: p + 8 + length, into: &out)
          p += 8 + length
        } else {
          p += 8
        }
        continue
      }
      guard let vr = VR.from(b[p + 4], b[p + 5]) else { return }
      let long = vr.hasLongLength
      let length = long ? Int(readLE32(b, p + 8)) : Int(UInt16(b[p + 6]) | UInt16(b[p + 7]) << 8)
      let header = long ? 12 : 8
      out.append(
        Boundary(
          offset: p, header: header, length: length == 0xFFFF_FFFF ? 0 : length,
          lengthField: long ? p + 8 : p + 6, shortLength: !long))
      if vr == .SQ {
        p += header  // descend into items
      } else {
        p += header + length
      }
    }
  }

  static func cases() throws -> [Case] {
    let valid = try validFile()
    var found: [Boundary] = []
    boundaries(valid, from: 132, to: valid.count, into: &found)
    var cases: [Case] = []
    for (i, b) in found.enumerated() {
      cases.append(Case(name: "cut in tag of element \(i) at \(b.offset)", bytes: Array(valid[..<(b.offset + 2)])))
      cases.append(
        Case(name: "cut in header of element \(i) at \(b.offset)", bytes: Array(valid[..<(b.offset + b.header - 1)])))
      if b.length > 1 {
        cases.append(
          Case(
            name: "cut in value of element \(i) at \(b.offset)",
            bytes: Array(valid[..<(b.offset + b.header + b.length / 2)])))
      }
      var past = valid
      if b.shortLength {
        past[b.lengthField] = 0xFF
        past[b.lengthField + 1] = 0xFF
      } else {
        past.replaceSubrange(b.lengthField..<(b.lengthField + 4), with: [0xF0, 0xFF, 0xFF, 0x7F])
      }
      if b.offset >= 132 + 0, valid[b.offset] != 0xFE {
        cases.append(Case(name: "length past the end in element \(i) at \(b.offset)", bytes: past))
      }
    }
    cases += structuralCases(valid)
    return cases
  }

  static func element(
    _ g: UInt16, _ e: UInt16, _ vr: String, _ value: [UInt8], long: Bool = false,
    length: UInt32? = nil
  ) -> [UInt8] {
    var out: [UInt8] = []
    DatasetWriter.appendTag(Tag(g, e), to: &out, order: .little)
    out += Array(vr.utf8)
    if long {
      out += [0, 0]
      DatasetWriter.appendU32(length ?? UInt32(value.count), to: &out, order: .little)
    } else {
      DatasetWriter.appendU16(UInt16(length ?? UInt32(value.count)), to: &out, order: .little)
    }
    return out + value
  }

  static let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
  static let itemEnd: [UInt8] = [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]
  static let sequenceEnd: [UInt8] = [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]

  /// Sequences nested `depth` deep, each with undefined length.
  static func nested(_ depth: Int) -> [UInt8] {
    let open = element(0x0040, 0xA730, "SQ", [], long: true, length: 0xFFFF_FFFF) + item
    var out = element(0x0008, 0x0060, "CS", Array("OT".utf8))
    out.reserveCapacity(depth * 36)
    for _ in 0..<depth { out += open }
    for _ in 0..<depth { out += itemEnd + sequenceEnd }
    return out
  }

  static func structuralCases(_ valid: [UInt8]) -> [Case] {
    let modality = element(0x0008, 0x0060, "CS", Array("CT".utf8))
    let undefinedSQ = element(0x0008, 0x1140, "SQ", [], long: true, length: 0xFFFF_FFFF)
    let encapsulated = element(0x7FE0, 0x0010, "OB", [], long: true, length: 0xFFFF_FFFF)
    let deflateMeta =
      Array(valid[0..<132])
      + {
        var m = Dataset()
        m.set(Element(tag: .transferSyntaxUID, vr: .UI, bytes: Value.paddedUID("1.2.840.10008.1.2.1.99")))
        return (try? DatasetWriter(transferSyntax: .explicitVRLittleEndian).encode(m)) ?? []
      }()
    return [
      Case(name: "empty file", bytes: []),
      Case(name: "one byte", bytes: [0x08]),
      Case(name: "preamble without DICM", bytes: [UInt8](repeating: 0, count: 131)),
      Case(name: "DICM prefix and nothing else", bytes: Array(valid[0..<132])),
      Case(name: "text file", bytes: Array("This is not a DICOM file at all.\n".utf8)),
      Case(name: "nesting 65 deep", bytes: nested(65)),
      Case(name: "nesting 10,000 deep", bytes: nested(10_000)),
      Case(name: "item delimiter at the top level", bytes: modality + itemEnd),
      Case(name: "sequence delimiter at the top level", bytes: modality + sequenceEnd),
      Case(name: "sequence without its delimiter", bytes: modality + undefinedSQ + item + modality + itemEnd),
      Case(name: "item without its delimiter", bytes: modality + undefinedSQ + item + modality),
      Case(name: "element where an item belongs", bytes: modality + undefinedSQ + modality + sequenceEnd),
      Case(name: "sequence delimiter inside an item", bytes: modality + undefinedSQ + item + sequenceEnd),
      Case(name: "unknown VR", bytes: modality + element(0x0010, 0x0010, "ZZ", Array("AB".utf8))),
      Case(name: "NUL VR bytes", bytes: modality + element(0x0010, 0x0010, "\0\0", Array("AB".utf8))),
      Case(
        name: "undefined length on a US element",
        bytes: modality + element(0x0028, 0x0010, "UL", [], long: false, length: 0xFFFF) + [1, 2]),
      Case(
        name: "undefined length on an OB that is not pixel data",
        bytes: modality + element(0x0009, 0x1010, "OB", [], long: true, length: 0xFFFF_FFFF)),
      Case(
        name: "huge OB length",
        bytes: modality + element(0x0009, 0x1010, "OB", [1, 2], long: true, length: 0xFFFF_FFFE)),
      Case(name: "huge item length", bytes: modality + undefinedSQ + [0xFE, 0xFF, 0x00, 0xE0, 0xF0, 0xFF, 0xFF, 0xFF]),
      Case(
        name: "huge basic offset table",
        bytes: modality + encapsulated + [0xFE, 0xFF, 0x00, 0xE0, 0xF0, 0xFF, 0xFF, 0x7F]),
      Case(
        name: "huge fragment",
        bytes: modality + encapsulated + [0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0]
          + [0xFE, 0xFF, 0x00, 0xE0, 0xF0, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4]),
      Case(name: "fragment with undefined length", bytes: modality + encapsulated + item),
      Case(
        name: "basic offset table of odd size",
        bytes: modality + encapsulated + [0xFE, 0xFF, 0x00, 0xE0, 3, 0, 0, 0, 1, 2, 3] + sequenceEnd),
      Case(
        name: "fragments without a sequence delimiter",
        bytes: modality + encapsulated + [0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0]),
      Case(name: "non-item inside encapsulated pixel data", bytes: modality + encapsulated + modality),
      Case(name: "damaged deflate stream", bytes: deflateMeta + [0xFF, 0xFF, 0xFF, 0x00, 0x12, 0x34]),
      Case(
        name: "meta group with a huge element",
        bytes: Array(valid[0..<132]) + element(0x0002, 0x0001, "OB", [0, 1], long: true, length: 0x7FFF_FFFF)),
    ]
  }

  @Test func there_are_at_least_fifty_damaged_files() throws {
    #expect(try Self.cases().count >= 50)
  }

  @Test func every_damaged_file_gives_a_typed_error_quickly() throws {
    let clock = ContinuousClock()
    for c in try Self.cases() {
      let start = clock.now
      do {
        let file = try DICOMFile.read(bytes: c.bytes)
        Issue.record("\(c.name): read without error (\(file.dataset.count) elements)")
      } catch {
        // The thrown type is DICOMError by the signature; check it says where.
        #expect(!error.description.isEmpty, "\(c.name)")
      }
      let elapsed = clock.now - start
      #expect(elapsed < .milliseconds(100), "\(c.name) took \(elapsed)")
    }
  }

  @Test func damaged_files_on_disk_give_the_same_errors_as_in_memory() throws {
    let dir = NSTemporaryDirectory() + "biloba-malformed-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (i, c) in try Self.cases().enumerated() {
      let path = dir + "/\(i).dcm"
      #expect(FileManager.default.createFile(atPath: path, contents: Data(c.bytes)))
      #expect(throws: DICOMError.self, "\(c.name)") { try DICOMFile.read(path: path) }
    }
  }

  @Test func sixty_four_levels_of_nesting_are_accepted() throws {
    let file = try DICOMFile.read(bytes: Self.nested(64))
    #expect(file.dataset.count == 2)
  }

  @Test func nesting_past_the_limit_names_the_limit() {
    #expect(throws: DICOMError.sequenceTooDeep(tag: Tag(0x0040, 0xA730), offset: 10 + 64 * 20 + 12, limit: 64)) {
      try DICOMFile.read(bytes: Self.nested(65))
    }
  }
}
