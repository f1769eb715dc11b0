import DICOM
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Biloba's reading and writing checked against DCMTK, a toolkit nobody here wrote: files are made by
/// our writer, transcoded by `dcmconv`, and both `dcmdump` and Biloba list them; the lists must agree.
@Suite struct DCMTKInteropTests {
  static let sources: [(String, @Sendable () throws -> Dataset)] = [
    ("every VR, private tags, three-deep sequences", { try SyntheticData.everyVR() }),
    ("signed CT with rescale", { try SyntheticData.ctSlice(index: 2, of: 5, rows: 24, columns: 24) }),
    ("multi-frame", { try SyntheticData.multiFrame(frames: 3, rows: 8, columns: 8) }),
    ("Latin-1 name", { try SyntheticData.everyVR(characterSet: "ISO_IR 100", patientName: "Müller^Jürgen") }),
    ("UTF-8 name", { try SyntheticData.everyVR(characterSet: "ISO_IR 192", patientName: "Wang^XiaoDong=王^小東=") }),
    (
      "Korean name",
      { try SyntheticData.everyVR(characterSet: "\\ISO 2022 IR 149", patientName: "Hong^Gildong=洪^吉洞=홍^길동") }
    ),
    ("Cyrillic name", { try SyntheticData.everyVR(characterSet: "ISO_IR 144", patientName: "Иванов^Иван") }),
  ]

  /// dcmconv options and the transfer syntax they write.
  static let conversions: [(String, TransferSyntax)] = [
    ("+te", .explicitVRLittleEndian), ("+ti", .implicitVRLittleEndian), ("+tb", .explicitVRBigEndian),
    ("+td", .deflatedExplicitVRLittleEndian),
  ]

  static func requireDCMTK() throws {
    guard ProcessRunner.isInstalled("dcmdump"), ProcessRunner.isInstalled("dcmconv") else {
      throw InteropError.missing("DCMTK (apt-get install dcmtk) is needed for the interop tests")
    }
  }

  enum InteropError: Error { case missing(String), failed(String) }

  static func dcmdump(_ path: String) throws -> [DumpLine] {
    // +L whole values, -Un UID numbers, +uc UN of known tags converted, +U8 text converted to UTF-8.
    let out = try ProcessRunner.run("dcmdump", ["+L", "-Un", "+uc", "+U8", path])
    guard out.status == 0 else { throw InteropError.failed("dcmdump \(path): \(out.stderr)") }
    return DumpLine.parse(out.stdout)
  }

  /// Writes a source dataset with Biloba and transcodes it with `dcmconv option`; returns the converted file.
  static func transcode(_ make: () throws -> Dataset, with option: String, in dir: TemporaryDirectory) throws -> String
  {
    let source = dir.file("source.dcm")
    let converted = dir.file("converted.dcm")
    try DICOMFile(dataset: try make(), transferSyntax: .explicitVRLittleEndian).write(to: source)
    let conv = try ProcessRunner.run("dcmconv", [option, source, converted])
    guard conv.status == 0 else { throw InteropError.failed("dcmconv \(option): \(conv.stderr)") }
    return converted
  }

  static func ours(_ path: String) throws -> [DumpLine] {
    let file = try DICOMFile.read(path: path)
    return DumpLine.parse(DumpFormatter(showAll: true, uidNames: false).format(file).joined(separator: "\n"))
  }

  static func compare(_ allMine: [DumpLine], _ allPeer: [DumpLine], _ context: String) {
    // dcmdump +U8 rewrites (0008,0005) to ISO_IR 192 (adding it where absent): leave it out of both.
    let mine = allMine.filter { $0.tag != "(0008,0005)" }
    let peer = allPeer.filter { $0.tag != "(0008,0005)" }
    #expect(mine.count == peer.count, "\(context): \(mine.count) elements, DCMTK \(peer.count)")
    for (m, p) in zip(mine, peer) where !m.agrees(withDCMTK: p) {
      Issue.record("\(context):\n  biloba: \(m)\n  dcmdump: \(p)")
    }
  }

  @Test(arguments: conversions.map(\.0))
  func files_transcoded_by_dcmconv_read_as_dcmdump_reads_them(option: String) throws {
    try Self.requireDCMTK()
    let dir = try TemporaryDirectory()
    for (name, make) in Self.sources {
      let converted = try Self.transcode(make, with: option, in: dir)
      Self.compare(try Self.ours(converted), try Self.dcmdump(converted), "\(name) via dcmconv \(option)")
    }
  }

  @Test(arguments: conversions.map(\.1))
  func dcmdump_reads_what_biloba_writes(syntax: TransferSyntax) throws {
    try Self.requireDCMTK()
    let dir = try TemporaryDirectory()
    for (name, make) in Self.sources {
      let path = dir.file("ours.dcm")
      try DICOMFile(dataset: try make(), transferSyntax: syntax).write(to: path)
      Self.compare(try Self.ours(path), try Self.dcmdump(path), "\(name) written as \(syntax.name)")
    }
  }

  @Test(arguments: conversions.map(\.0))
  func files_written_by_dcmtk_round_trip_byte_for_byte(option: String) throws {
    try Self.requireDCMTK()
    let dir = try TemporaryDirectory()
    for (name, make) in Self.sources {
      let converted = try Self.transcode(make, with: option, in: dir)
      let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: converted)))
      let rewritten = try DICOMFile.read(path: converted).encoded()
      if option == "+td" {
        // zlib settings differ; the inflated datasets must be identical.
        let a = try DICOMFile.read(bytes: original)
        let b = try DICOMFile.read(bytes: rewritten)
        #expect(a.dataset == b.dataset, "\(name)")
      } else {
        #expect(rewritten == original, "\(name) via dcmconv \(option): \(rewritten.count) vs \(original.count) bytes")
      }
    }
  }
}
