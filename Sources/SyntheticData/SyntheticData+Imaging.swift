public import DICOM
import Foundation

/// Images covering the pixel pipeline's cases, for conformance tests against DCMTK and GDCM:
/// signed CT with rescale, 12-bit unsigned, 8-bit, MONOCHROME1, RGB (both planar configurations),
/// palette colour and multi-frame.
extension SyntheticData {
  public struct ImagingSource: Sendable {
    public let name: String
    public let dataset: Dataset
    public var bitsStored: Int { dataset.int(Tag.bitsStored) ?? 8 }
    public var samples: Int { dataset.int(Tag.samplesPerPixel) ?? 1 }
    public var isPalette: Bool { dataset.string(Tag.photometricInterpretation) == "PALETTE COLOR" }
  }

  public static func imagingSources(size: Int = 64) throws(DICOMError) -> [ImagingSource] {
    [
      ImagingSource(name: "ct16-signed", dataset: try ctSlice(index: 5, of: 12, rows: size, columns: size)),
      ImagingSource(name: "mr12-unsigned", dataset: try twelveBit(size: size)),
      ImagingSource(name: "gray8", dataset: try gray8(size: size, photometric: "MONOCHROME2")),
      ImagingSource(name: "mono1-8", dataset: try gray8(size: size, photometric: "MONOCHROME1")),
      ImagingSource(name: "rgb-interleaved", dataset: try rgb(size: size, planar: false)),
      ImagingSource(name: "rgb-planar", dataset: try rgb(size: size, planar: true)),
      ImagingSource(name: "palette", dataset: try palette(size: size)),
      ImagingSource(name: "multiframe8", dataset: try multiFrame(frames: 3, rows: size, columns: size)),
    ]
  }

  static func imageBase(_ sopClass: String, number: Int) throws(DICOMError) -> Dataset {
    var ds = Dataset(byteOrder: .little)
    try setStudy(&ds, subject: Subject())
    try ds.set(.sopClassUID, .UI, sopClass)
    try ds.set(.sopInstanceUID, .UI, uid(8, number, 1))
    try ds.set(tag("SeriesInstanceUID"), .UI, uid(8, number))
    try ds.set(tag("Modality"), .CS, "OT")
    return ds
  }

  /// 12 bits stored in 16, unsigned, with a window; smooth rings plus texture use the whole range.
  static func twelveBit(size: Int) throws(DICOMError) -> Dataset {
    var ds = try imageBase("1.2.840.10008.5.1.4.1.1.4", number: 2)
    try ds.set(tag("Modality"), .CS, "MR")
    try setGrayscaleImage(&ds, rows: size, columns: size, bits: 16, signed: false)
    ds.set(tag("BitsStored"), .US, integers: [UInt16(12)])
    ds.set(tag("HighBit"), .US, integers: [UInt16(11)])
    try ds.set(tag("WindowCenter"), .DS, "2048")
    try ds.set(tag("WindowWidth"), .DS, "4096")
    var values: [UInt16] = []
    for y in 0..<size {
      for x in 0..<size {
        let dx = Double(x - size / 2)
        let dy = Double(y - size / 2)
        let r = (dx * dx + dy * dy).squareRoot()
        let texture = Double((x * 37 + y * 11) % 97) - 48
        let value: Double = 2048 + 1800 * sin(r / 4) + texture
        values.append(UInt16(min(4095, max(0, value))))
      }
    }
    ds.set(.pixelData, .OW, integers: values)
    return ds
  }

  static func gray8(size: Int, photometric: String) throws(DICOMError) -> Dataset {
    var ds = try imageBase("1.2.840.10008.5.1.4.1.1.7", number: photometric == "MONOCHROME1" ? 4 : 3)
    try setGrayscaleImage(&ds, rows: size, columns: size, bits: 8, signed: false)
    try ds.set(tag("PhotometricInterpretation"), .CS, photometric)
    var pixels: [UInt8] = []
    for y in 0..<size { for x in 0..<size { pixels.append(UInt8((x * 255 / max(1, size - 1) + (y % 16) * 3) & 0xFF)) } }
    ds.set(Element(tag: .pixelData, vr: .OB, bytes: pixels))
    return ds
  }

  static func rgb(size: Int, planar: Bool) throws(DICOMError) -> Dataset {
    var ds = try imageBase("1.2.840.10008.5.1.4.1.1.7", number: planar ? 6 : 5)
    try setGrayscaleImage(&ds, rows: size, columns: size, bits: 8, signed: false)
    ds.set(tag("SamplesPerPixel"), .US, integers: [UInt16(3)])
    try ds.set(tag("PhotometricInterpretation"), .CS, "RGB")
    ds.set(tag("PlanarConfiguration"), .US, integers: [UInt16(planar ? 1 : 0)])
    var r: [UInt8] = []
    var g: [UInt8] = []
    var b: [UInt8] = []
    for y in 0..<size {
      for x in 0..<size {
        r.append(UInt8(x * 255 / max(1, size - 1)))
        g.append(UInt8(y * 255 / max(1, size - 1)))
        b.append(UInt8(((x / 8 + y / 8) % 2) * 200 + 20))
      }
    }
    let pixels = planar ? r + g + b : (0..<r.count).flatMap { [r[$0], g[$0], b[$0]] }
    ds.set(Element(tag: .pixelData, vr: .OB, bytes: pixels))
    return ds
  }

  /// PALETTE COLOR with 256-entry, 16-bit red/green/blue tables.
  static func palette(size: Int) throws(DICOMError) -> Dataset {
    var ds = try imageBase("1.2.840.10008.5.1.4.1.1.7", number: 7)
    try setGrayscaleImage(&ds, rows: size, columns: size, bits: 8, signed: false)
    try ds.set(tag("PhotometricInterpretation"), .CS, "PALETTE COLOR")
    for (i, descriptor) in [0x1101, 0x1102, 0x1103].enumerated() {
      ds.set(Tag(0x0028, UInt16(descriptor)), .US, integers: [UInt16(256), 0, 16])
      let table: [UInt16] = (0..<256).map { v in
        let phase = Double(v) / 255 * Double.pi * 2 + Double(i) * 2.1
        return UInt16(32767 + 32767 * sin(phase))
      }
      ds.set(Tag(0x0028, UInt16(0x1201 + i)), .OW, integers: table)
    }
    var pixels: [UInt8] = []
    for y in 0..<size { for x in 0..<size { pixels.append(UInt8((x * 4 + y * 2) & 0xFF)) } }
    ds.set(Element(tag: .pixelData, vr: .OB, bytes: pixels))
    return ds
  }
}
