import RasterCore
import Testing

@testable import TerminalGraphics

@Suite struct SixelEncoderTests {
  static func gradient(width: Int = 256, height: Int = 24) -> Raster {
    Raster(
      width: width, height: height, format: .gray8,
      pixels: (0..<(width * height)).map { UInt8(($0 % width) * 255 / (width - 1)) })
  }

  @Test func a_two_by_six_image_encodes_to_the_expected_bytes() {
    // Column 0 black, column 1 white: one band, two colours.
    let raster = Raster(width: 2, height: 6, format: .gray8, pixels: [0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255])
    let bytes = SixelEncoder(registers: 2).encode(raster)
    let expected = "\u{1B}P0;1;0q\"1;1;2;6#0;2;0;0;0#1;2;100;100;100#0~$#1?~-\u{1B}\\"
    #expect(String(decoding: bytes, as: UTF8.self) == expected)
  }

  @Test func runs_are_length_encoded_and_trailing_empty_columns_dropped() {
    let raster = Raster(
      width: 10, height: 6, format: .gray8,
      pixels: (0..<60).map { $0 % 10 < 7 ? 255 : 0 })
    let text = String(decoding: SixelEncoder(registers: 2).encode(raster), as: UTF8.self)
    #expect(text.contains("#1!7~"))  // seven white columns in one run, nothing after them
    #expect(text.contains("#0!7?~~~"))
  }

  @Test func with_256_registers_gray_levels_come_back_within_one() throws {
    let raster = Self.gradient()
    let decoded = try SixelDecoder.decode(SixelEncoder(registers: 256).encode(raster))
    #expect(decoded.width == raster.width && decoded.height == raster.height)
    var worst = 0
    for (i, p) in decoded.rgb.enumerated() {
      let px = try #require(p, "pixel \(i) not painted")
      #expect(px.0 == px.1 && px.1 == px.2)
      worst = max(worst, abs(Int(px.0) - Int(raster.pixels[i])))
    }
    #expect(worst <= 1)
    let levels = Set(decoded.rgb.compactMap { $0?.0 }).count
    #expect(levels >= 64)
    #expect(levels == 101)  // every gray sixel can express
  }

  @Test func few_registers_give_that_many_levels_and_dithering_spreads_them() throws {
    let plain = try SixelDecoder.decode(SixelEncoder(registers: 16).encode(Self.gradient()))
    #expect(Set(plain.rgb.compactMap { $0?.0 }).count == 16)
    let dithered = try SixelDecoder.decode(SixelEncoder(registers: 16, dithering: .ordered).encode(Self.gradient()))
    // Dithering mixes neighbouring levels: the column means follow the gradient more closely.
    func columnError(_ image: SixelDecoder.Image) -> Double {
      var total = 0.0
      for x in 0..<image.width {
        let mean =
          (0..<image.height).map { Double(image.rgb[$0 * image.width + x]!.0) }.reduce(0, +) / Double(image.height)
        total += abs(mean - Double(x * 255 / (image.width - 1)))
      }
      return total / Double(image.width)
    }
    #expect(columnError(dithered) < columnError(plain))
  }

  @Test func colour_images_keep_their_grays_gray() throws {
    var pixels: [UInt8] = []
    for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(x * 4), UInt8(x * 4)] }  // a gray ramp in an RGB image
    for x in 0..<64 { pixels += [255, UInt8(x * 4), 0] }
    let raster = Raster(width: 64, height: 2, format: .rgb8, pixels: pixels)
    let decoded = try SixelDecoder.decode(SixelEncoder().encode(raster))
    let grays = (0..<64).compactMap { decoded.rgb[$0] }
    #expect(grays.allSatisfy { $0.0 == $0.1 && $0.1 == $0.2 })
    #expect(Set(grays.map(\.0)).count >= 30)  // not washed out to the cube's six grays
    #expect(decoded.paletteSize <= 256)
  }

  @Test func only_the_bands_that_changed_are_sent_again() {
    let old = Self.gradient(width: 32, height: 120)
    var new = old
    new.pixels[70 * 32 + 5] = 0
    let rows = SixelEncoder.changedRows(from: old, to: new, cellHeight: 20)
    #expect(rows == 60..<120)  // aligned to lcm(6 px band, 20 px cell) = 60
    #expect(SixelEncoder.changedRows(from: old, to: old, cellHeight: 20) == nil)
    let partial = SixelEncoder().encode(new, rows: rows!)
    #expect(partial.count < SixelEncoder().encode(new).count)
  }
}

@Suite struct SixelDecoderRobustnessTests {
  @Test func hostile_sixel_streams_give_errors_not_crashes() {
    // Each must be refused with a typed failure: an endless repeat, a raster past the bound, a repeat
    // cut short, an unknown colour system, not a sixel at all, a control byte.
    let refused = [
      "\u{1B}Pq!99999999999999999999999~\u{1B}\\", "\u{1B}Pq\"1;1;99999;99999\u{1B}\\", "\u{1B}Pq!5",
      "\u{1B}Pq#1;9;1;1;1", "\u{1B}P", "\u{1B}Pq\u{01}",
    ]
    for c in refused {
      #expect(throws: SixelDecoder.Failure.self, "\(c.debugDescription)") { try SixelDecoder.decode(Array(c.utf8)) }
    }
    // An absurd register number and out-of-range percentages: decoded, within the bounds, every pixel
    // accounted for.
    let odd = "\u{1B}Pq#99999999999999999999;2;500;500;500~\u{1B}\\"
    do {
      let image = try SixelDecoder.decode(Array(odd.utf8))
      #expect(image.width <= 16384 && image.height <= 16384 && image.rgb.count == image.width * image.height)
    } catch {
      #expect(Bool(false), "\(error)")
    }
  }
}
