/// Turns stored sample bytes (little endian, BitsAllocated wide) into values: shifted down to the
/// HighBit, masked to BitsStored, sign-extended (PS3.5 section 8).
struct SampleUnpacker {
  let bitsAllocated: Int
  let bitsStored: Int
  let highBit: Int
  let isSigned: Bool

  init(_ d: ImagePixelDescription) {
    bitsAllocated = d.bitsAllocated
    bitsStored = d.bitsStored
    highBit = d.highBit
    isSigned = d.isSigned
  }

  /// Unpacks `count` samples starting at byte `offset` (or bit `offset` for BitsAllocated 1).
  func unpack(_ bytes: [UInt8], offset: Int = 0, count: Int) -> [Int32] {
    if reads16 { return unpack16(bytes, offset: offset, count: count) }
    var out = [Int32](repeating: 0, count: count)
    let shift = UInt32(highBit - bitsStored + 1)
    let mask: UInt32 = bitsStored >= 32 ? UInt32.max : (UInt32(1) << UInt32(bitsStored)) - 1
    let signBit: UInt32 = UInt32(1) << UInt32(bitsStored - 1)
    let extend = isSigned && bitsStored < 32
    @inline(__always) func finish(_ raw: UInt32) -> Int32 {
      let v = (raw >> shift) & mask
      if extend && v & signBit != 0 { return Int32(bitPattern: v | ~mask) }
      // Unsigned 32-bit samples keep their bit pattern (DecodedFrame.numeric reads them); narrower ones fit.
      return Int32(bitPattern: v)
    }
    bytes.withUnsafeBufferPointer { b in
      out.withUnsafeMutableBufferPointer { o in
        switch bitsAllocated {
        case 1:
          for i in 0..<count {
            let bit = offset + i
            o[i] = Int32((b[bit >> 3] >> UInt8(bit & 7)) & 1)
          }
        case 8:
          for i in 0..<count { o[i] = finish(UInt32(b[offset + i])) }
        case 16:
          if shift == 0 && bitsStored == 16 {
            // The common case (CT, MR): a plain 16-bit load.
            if isSigned {
              for i in 0..<count {
                let j = offset + 2 * i
                o[i] = Int32(Int16(bitPattern: UInt16(b[j]) | UInt16(b[j + 1]) << 8))
              }
            } else {
              for i in 0..<count {
                let j = offset + 2 * i
                o[i] = Int32(UInt16(b[j]) | UInt16(b[j + 1]) << 8)
              }
            }
          } else {
            for i in 0..<count {
              let j = offset + 2 * i
              o[i] = finish(UInt32(b[j]) | UInt32(b[j + 1]) << 8)
            }
          }
        default:
          for i in 0..<count {
            let j = offset + 4 * i
            o[i] = finish(UInt32(b[j]) | UInt32(b[j + 1]) << 8 | UInt32(b[j + 2]) << 16 | UInt32(b[j + 3]) << 24)
          }
        }
      }
    }
    return out
  }

  /// The common case (CT, MR, DX: 12 to 16 bits stored in 16): 16-bit words loaded directly, the stored
  /// bits moved to the top of 32 and back down (arithmetic shift for signed), so the loop vectorises.
  private func unpack16(_ bytes: [UInt8], offset: Int, count: Int) -> [Int32] {
    bytes.withUnsafeBytes { raw in
      [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
        let base = raw.baseAddress! + offset
        each16(base, count: count, into: buffer.baseAddress!)
        initialized = count
      }
    }
  }

  /// Whether `each16` reads these samples: 12 to 16 bits stored in 16.
  var reads16: Bool { bitsAllocated == 16 && bitsStored <= 16 && highBit < 16 && highBit + 1 >= bitsStored }

  /// The value of one 16-bit stored word: its stored bits moved to the top of 32 and back down
  /// (arithmetic shift for signed), branch-free so loops over it vectorise.
  @inline(__always) func value16(_ word: UInt16) -> Int32 {
    let top = Int32(bitPattern: UInt32(word) << UInt32(31 - highBit))
    let down = Int32(32 - bitsStored)
    return isSigned ? top >> down : Int32(bitPattern: UInt32(bitPattern: top) >> UInt32(down))
  }

  /// The values of `count` 16-bit little-endian words from `base`, into `out`.
  @inline(__always) func each16(_ base: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Int32>) {
    for i in 0..<count {
      out[i] = value16(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
    }
  }

  /// Planes (all of sample 0, then sample 1, ...) to interleaved samples.
  static func interleave(_ planar: [Int32], samples: Int) -> [Int32] {
    guard samples > 1 else { return planar }
    let n = planar.count / samples
    var out = [Int32](repeating: 0, count: planar.count)
    for s in 0..<samples {
      for i in 0..<n { out[i * samples + s] = planar[s * n + i] }
    }
    return out
  }
}
