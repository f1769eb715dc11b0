/// Frames of pixel data as stored: the bytes of one frame, before any decoding.
extension Dataset {
  /// Number of Frames (0028,0008), 1 when absent or unreadable.
  public var numberOfFrames: Int { max(1, int(.numberOfFrames) ?? 1) }

  /// The Extended Offset Table (7FE0,0001) entries, when present (PS3.5 A.4, 64-bit offsets).
  public func extendedOffsetTable() throws(DICOMError) -> [UInt64]? {
    guard let e = self[.extendedOffsetTable] else { return nil }
    let bytes = try e.loadedBytes()
    guard bytes.count % 8 == 0 else {
      throw DICOMError.malformed(
        tag: .extendedOffsetTable, offset: 0, reason: "\(bytes.count) bytes is not a multiple of 8")
    }
    return (0..<(bytes.count / 8)).map { BinaryValues.u64(bytes, $0 * 8, byteOrder) }
  }

  /// The compressed bytes of one frame (0-based) of encapsulated pixel data.
  public func encapsulatedFrame(_ index: Int) throws(DICOMError) -> [UInt8] {
    guard case .fragments(let pixels)? = self[.pixelData]?.value else {
      throw DICOMError.invalidValue(tag: .pixelData, reason: "pixel data is not encapsulated")
    }
    return try pixels.frame(index, numberOfFrames: numberOfFrames, extendedOffsets: try extendedOffsetTable())
  }
}
