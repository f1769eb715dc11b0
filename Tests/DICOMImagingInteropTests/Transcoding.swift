import DICOM
import Foundation
import SyntheticData
import TestSupport

/// One way a peer compresses a file: the command, the syntax it writes, whether it is lossless, which
/// sources it accepts, and for lossy ones how the peer itself decodes the result (the reference).
struct Transcoding: CustomStringConvertible, Sendable {
  let name: String
  let syntax: String
  let lossless: Bool
  let accepts: @Sendable (SyntheticData.ImagingSource) -> Bool
  let encode: @Sendable (_ source: String, _ output: String, _ dir: TemporaryDirectory) throws -> Void
  /// Writes the peer's own uncompressed decode of `compressed` to `output` (lossy syntaxes).
  let referenceDecode: (@Sendable (_ compressed: String, _ output: String) throws -> Void)?

  var description: String { name }

  static func run(_ program: String, _ args: [String]) throws {
    let out = try ProcessRunner.run(program, args)
    guard out.status == 0 else { throw PeerFailure("\(program) \(args.joined(separator: " ")): \(out.stderr)") }
  }

  static func grayOrRGB(_ s: SyntheticData.ImagingSource) -> Bool { !s.isPalette }
  static func eightBit(_ s: SyntheticData.ImagingSource) -> Bool { s.bitsStored == 8 && !s.isPalette }

  static let all: [Transcoding] = [
    Transcoding(
      name: "big endian (dcmconv +tb)", syntax: "1.2.840.10008.1.2.2", lossless: true, accepts: { _ in true },
      encode: { s, o, _ in try run("dcmconv", ["+tb", s, o]) }, referenceDecode: nil),
    Transcoding(
      name: "RLE (dcmcrle)", syntax: "1.2.840.10008.1.2.5", lossless: true, accepts: { _ in true },
      encode: { s, o, _ in try run("dcmcrle", [s, o]) }, referenceDecode: nil),
    Transcoding(
      name: "JPEG baseline (dcmcjpeg +eb)", syntax: "1.2.840.10008.1.2.4.50", lossless: false,
      accepts: eightBit, encode: { s, o, _ in try run("dcmcjpeg", ["+eb", s, o]) },
      referenceDecode: { c, o in try run("dcmdjpeg", [c, o]) }),
    Transcoding(
      name: "JPEG extended 12-bit (dcmcjpeg +ee)", syntax: "1.2.840.10008.1.2.4.51", lossless: false,
      accepts: { $0.bitsStored <= 12 && !$0.isPalette }, encode: { s, o, _ in try run("dcmcjpeg", ["+ee", s, o]) },
      referenceDecode: { c, o in try run("dcmdjpeg", [c, o]) }),
    Transcoding(
      name: "JPEG lossless (dcmcjpeg +el)", syntax: "1.2.840.10008.1.2.4.57", lossless: true,
      accepts: grayOrRGB, encode: { s, o, _ in try run("dcmcjpeg", ["+el", s, o]) }, referenceDecode: nil),
    Transcoding(
      name: "JPEG lossless SV1 (dcmcjpeg +e1)", syntax: "1.2.840.10008.1.2.4.70", lossless: true,
      accepts: grayOrRGB, encode: { s, o, _ in try run("dcmcjpeg", ["+e1", s, o]) }, referenceDecode: nil),
    Transcoding(
      name: "JPEG-LS lossless (dcmcjpls +el)", syntax: "1.2.840.10008.1.2.4.80", lossless: true,
      accepts: grayOrRGB, encode: { s, o, _ in try run("dcmcjpls", ["+el", s, o]) }, referenceDecode: nil),
    Transcoding(
      name: "JPEG-LS near-lossless (dcmcjpls +en)", syntax: "1.2.840.10008.1.2.4.81", lossless: false,
      accepts: { grayOrRGB($0) && $0.dataset.int(.pixelRepresentation) != 1 },
      encode: { s, o, _ in try run("dcmcjpls", ["+en", s, o]) },
      referenceDecode: { c, o in try run("dcmdjpls", [c, o]) }),
    Transcoding(
      name: "JPEG-LS near-lossless, signed (gdcmconv -L -Y -e 2)", syntax: "1.2.840.10008.1.2.4.81",
      lossless: false, accepts: { $0.dataset.int(.pixelRepresentation) == 1 },
      encode: { s, o, _ in try run("gdcmconv", ["-L", "-Y", "-e", "2", s, o]) },
      referenceDecode: { c, o in try run("gdcmconv", ["-w", c, o]) }),
    Transcoding(
      name: "JPEG 2000 lossless (gdcmconv -K)", syntax: "1.2.840.10008.1.2.4.90", lossless: true,
      accepts: grayOrRGB, encode: { s, o, _ in try run("gdcmconv", ["-K", s, o]) }, referenceDecode: nil),
    Transcoding(
      name: "JPEG 2000 lossy (gdcmconv -K -Y -q 40)", syntax: "1.2.840.10008.1.2.4.91", lossless: false,
      accepts: grayOrRGB, encode: { s, o, _ in try run("gdcmconv", ["-K", "-Y", "-q", "40", s, o]) },
      referenceDecode: { c, o in try run("gdcmconv", ["-w", c, o]) }),
    Transcoding(
      name: "HTJ2K lossless (ojph_compress -reversible)", syntax: "1.2.840.10008.1.2.4.201", lossless: true,
      accepts: { !$0.isPalette && $0.samples == 1 }, encode: { s, o, d in try HTJ2K.encode(s, o, d, lossless: true) },
      referenceDecode: nil),
    Transcoding(
      name: "HTJ2K lossy (ojph_compress)", syntax: "1.2.840.10008.1.2.4.203", lossless: false,
      accepts: { !$0.isPalette && $0.samples == 1 }, encode: { s, o, d in try HTJ2K.encode(s, o, d, lossless: false) },
      referenceDecode: { c, o in try HTJ2K.referenceDecode(c, o) }),
  ]
}

struct PeerFailure: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}

/// HTJ2K made by OpenJPH's `ojph_compress` from the source's raw samples, wrapped by our writer in
/// encapsulated pixel data (DCMTK and GDCM on Debian 12 do not write HTJ2K).
enum HTJ2K {
  static func encode(_ source: String, _ output: String, _ dir: TemporaryDirectory, lossless: Bool) throws {
    let file = try DICOMFile.read(path: source, options: ReadOptions(loadBulkData: true))
    var ds = file.dataset
    let rows = ds.int(Tag(0x0028, 0x0010))!
    let columns = ds.int(Tag(0x0028, 0x0011))!
    let frames = ds.numberOfFrames
    let bitsAllocated = ds.int(Tag(0x0028, 0x0100))!
    let bitsStored = ds.int(Tag(0x0028, 0x0101))!
    let pixels = ds[.pixelData]!.bytes!
    let frameBytes = rows * columns * bitsAllocated / 8
    var fragments: [Fragment] = []
    for f in 0..<frames {
      let raw = dir.file("frame\(f).yuv")
      let j2c = dir.file("frame\(f).j2c")
      guard
        FileManager.default.createFile(atPath: raw, contents: Data(pixels[(f * frameBytes)..<((f + 1) * frameBytes)]))
      else { throw PeerFailure("cannot write \(raw)") }
      // Signed images go in as their two's complement bit patterns, unsigned, as GDCM writes them: OpenJPH's
      // raw reader clips negative input, and the decoder must then apply Pixel Representation itself.
      var args = [
        "-i", raw, "-o", j2c, "-dims", "{\(columns),\(rows)}", "-num_comps", "1",
        "-signed", "false", "-bit_depth", String(bitsStored), "-downsamp", "{1,1}",
      ]
      args += lossless ? ["-reversible", "true"] : ["-qstep", "0.01"]
      try Transcoding.run("ojph_compress", args)
      fragments.append(.bytes(try [UInt8](Data(contentsOf: URL(fileURLWithPath: j2c)))))
    }
    ds.set(
      Element(
        tag: .pixelData, vr: .OB, value: .fragments(EncapsulatedPixelData(fragments: fragments)),
        undefinedLength: true))
    if !lossless { try ds.set(Tag(0x0028, 0x2110), .CS, "01") }
    let uid = lossless ? "1.2.840.10008.1.2.4.201" : "1.2.840.10008.1.2.4.203"
    try DICOMFile(dataset: ds, transferSyntax: TransferSyntax.from(uid: uid)).write(to: output)
  }

  /// OpenJPH's own decode of each frame (`ojph_expand` to raw), put back into an uncompressed file.
  static func referenceDecode(_ compressed: String, _ output: String) throws {
    let file = try DICOMFile.read(path: compressed, options: ReadOptions(loadBulkData: true))
    var ds = file.dataset
    guard case .fragments(let pixels)? = ds[.pixelData]?.value else { throw PeerFailure("no fragments") }
    var native: [UInt8] = []
    for (i, fragment) in pixels.fragments.enumerated() {
      let j2c = output + ".\(i).j2c"
      let raw = output + ".\(i).raw"
      guard FileManager.default.createFile(atPath: j2c, contents: Data(try fragment.load())) else {
        throw PeerFailure("cannot write \(j2c)")
      }
      try Transcoding.run("ojph_expand", ["-i", j2c, "-o", raw])
      native += try [UInt8](Data(contentsOf: URL(fileURLWithPath: raw)))
    }
    ds.set(Element(tag: .pixelData, vr: .OW, bytes: native))
    try DICOMFile(dataset: ds, transferSyntax: .explicitVRLittleEndian).write(to: output)
  }
}
