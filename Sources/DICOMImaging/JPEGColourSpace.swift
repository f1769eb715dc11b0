/// Which colour space the components of a JPEG stream hold, as a DICOM reader decides it: the file's
/// Photometric Interpretation, not the stream's guess. libjpeg takes three components without an Adobe
/// marker for YCbCr (and a JFIF marker always means YCbCr to it); when the file says RGB, pydicom and
/// DCMTK take the components as they are. The stream given to libjpeg then says so: its JFIF segments
/// dropped and an Adobe APP14 segment with transform 0 (no colour transform) put after SOI.
enum JPEGColourSpace {
  static let soi: UInt8 = 0xD8
  static let sos: UInt8 = 0xDA
  static let app0: UInt8 = 0xE0
  static let app14: UInt8 = 0xEE
  /// APP14 "Adobe", version 100, flags 0 and 0, transform 0 (ITU T.872 6.5.3).
  static let adobeRGB: [UInt8] = [
    0xFF, app14, 0x00, 0x0E, 0x41, 0x64, 0x6F, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00,
  ]

  /// The stream to decode for a file whose Photometric Interpretation is `photometric`: unchanged unless
  /// it says RGB and the stream has three components and no Adobe marker of its own.
  static func stream(_ data: [UInt8], photometric: PhotometricInterpretation) -> [UInt8] {
    guard photometric == .rgb, data.count > 4, data[0] == 0xFF, data[1] == soi else { return data }
    var kept: [UInt8] = [0xFF, soi] + adobeRGB
    var i = 2
    // The segments before the first scan: APP0 JFIF dropped; an APP14 Adobe of the stream's own that
    // carries its transform byte is the stream's word (nothing changes), a shorter one (which libjpeg
    // ignores and pydicom's Pillow reads as no transform) is dropped for ours.
    while i + 4 <= data.count, data[i] == 0xFF {
      let marker = data[i + 1]
      if marker == sos { break }
      let length = Int(data[i + 2]) << 8 | Int(data[i + 3])
      guard length >= 2, i + 2 + length <= data.count else { return data }
      let segment = data[i..<(i + 2 + length)]
      let isAdobe = marker == app14 && length >= 7 && Array(data[(i + 4)..<(i + 9)]) == Array("Adobe".utf8)
      if isAdobe && length >= adobeRGB.count - 2 { return data }
      let isJFIF = marker == app0 && length >= 6 && Array(data[(i + 4)..<(i + 8)]) == Array("JFIF".utf8)
      if !isJFIF && !isAdobe { kept += segment }
      i += 2 + length
    }
    guard i < data.count, data[i] == 0xFF, data[i + 1] == sos else { return data }
    return kept + data[i...]
  }
}
