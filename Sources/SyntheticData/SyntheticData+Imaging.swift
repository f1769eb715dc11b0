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

extension SyntheticData {
  /// A projection radiograph's size and texture (a digital X-ray or mammogram, 12 bits in 16): smooth
  /// anatomy-like shapes under quantum noise, so it compresses about as a real one does (JPEG 2000
  /// lossless near 2:1), not as a flat test card.
  public static func radiograph(columns: Int, rows: Int) throws(DICOMError) -> Dataset {
    var ds = try imageBase("1.2.840.10008.5.1.4.1.1.1.1", number: 7)  // Digital X-Ray, for presentation
    try ds.set(tag("Modality"), .CS, "DX")
    try setGrayscaleImage(&ds, rows: rows, columns: columns, bits: 16, signed: false)
    ds.set(tag("BitsStored"), .US, integers: [UInt16(12)])
    ds.set(tag("HighBit"), .US, integers: [UInt16(11)])
    try ds.set(tag("WindowCenter"), .DS, "2048")
    try ds.set(tag("WindowWidth"), .DS, "4096")
    var noise: UInt32 = 0x9E37_79B9
    var values = [UInt16](repeating: 0, count: rows * columns)
    for y in 0..<rows {
      let v = Double(y) / Double(rows)
      for x in 0..<columns {
        let u = Double(x) / Double(columns)
        // Soft tissue falling off to the edges, ribs as slow waves, a dense round structure.
        let body = 1400 * (1 - pow(2 * u - 1, 2)) * (1 - 0.5 * pow(2 * v - 1, 2))
        let ribs = 300 * max(0, sin(v * 40 + sin(u * 6) * 2))
        let dx = u - 0.6
        let dy = v - 0.45
        let dense = dx * dx + dy * dy < 0.01 ? 900.0 : 0
        noise = noise &* 1_664_525 &+ 1_013_904_223
        let grain = Double(noise >> 26) - 32  // +-32: quantum mottle
        values[y * columns + x] = UInt16(min(4095, max(0, 500 + body + ribs + dense + grain)))
      }
    }
    ds.set(.pixelData, .OW, integers: values)
    return ds
  }
}

extension SyntheticData {
  /// An ultrasound cine loop (8-bit, 30 frames a second): a sector of speckle that moves from frame to
  /// frame on a black background, so JPEG compresses it about as it does a real one.
  public static func ultrasoundCine(frames: Int, size: Int) throws(DICOMError) -> Dataset {
    var ds = try multiFrame(frames: frames, rows: size, columns: size)
    try ds.set(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.3.1")  // Ultrasound Multi-frame Image Storage
    try ds.set(tag("Modality"), .CS, "US")
    try ds.set(tag("FrameTime"), .DS, "33.3333")
    var noise: UInt32 = 0x2545_F491
    var pixels = [UInt8](repeating: 0, count: frames * size * size)
    for f in 0..<frames {
      for y in 0..<size {
        for x in 0..<size {
          let dx = Double(x - size / 2)
          let dy = Double(y)
          let r = (dx * dx + dy * dy).squareRoot()
          noise = noise &* 1_664_525 &+ 1_013_904_223
          // Inside a 90-degree sector from the top centre: tissue bands that breathe, speckled.
          guard r < Double(size) * 0.95, abs(dx) < dy else { continue }
          let band = 90 + 60 * sin(r / 9 + Double(f) * 0.3)
          pixels[(f * size + y) * size + x] = UInt8(min(255, max(0, band + Double(noise >> 27) * 4 - 60)))
        }
      }
    }
    ds.set(Element(tag: .pixelData, vr: .OB, bytes: pixels))
    return ds
  }
}
