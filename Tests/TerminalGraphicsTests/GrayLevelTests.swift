import RasterCore
import Testing

@testable import TerminalGraphics

/// The gray count the workstation's corner reports is the count the protocol really shows: each
/// protocol is handed a 0...255 ramp and its output's distinct grays are counted.
@Suite struct GrayLevelTests {
  static let ramp = Raster(width: 256, height: 2, format: .gray8, pixels: (0..<512).map { UInt8($0 % 256) })

  @Test(arguments: [256, 64, 16])
  func sixel_shows_as_many_grays_as_it_says(registers: Int) throws {
    let encoder = TerminalImageEncoder(protocol: .sixel, sixel: SixelEncoder(registers: registers))
    let shown = try SixelDecoder.decode(encoder.encode(Self.ramp)).distinctGrays
    #expect(shown == encoder.grayLevels)
    #expect(encoder.grayLevels < 256, "sixel's percent steps are fewer than 256")
  }

  @Test func ascii_shows_its_ramp() {
    let encoder = TerminalImageEncoder(protocol: .ascii)
    let shown = Set(encoder.encode(Self.ramp).filter { $0 != 0x0A && $0 != 0x0D }).count
    #expect(shown == encoder.grayLevels)
  }

  @Test(arguments: [ColorDepth.ansi256, .ansi16, .truecolor])
  func blocks_show_as_many_grays_as_their_palette_holds(depth: ColorDepth) {
    let encoder = TerminalImageEncoder(protocol: .blocks, blocks: BlockEncoder(depth: depth))
    // Each colour escape names one gray, as foreground or background: count the distinct ones.
    let text = String(decoding: encoder.encode(Self.ramp), as: UTF8.self)
    var colours = Set<String>()
    for escape in text.split(separator: "\u{1B}") where escape.hasPrefix("[") {
      let parameters = escape.dropFirst().prefix { $0 != "m" }.split(separator: ";").compactMap { Int($0) }
      guard let first = parameters.first else { continue }
      switch first {
      case 38, 48: colours.insert(parameters.dropFirst().map(String.init).joined(separator: ";"))
      case 30...37, 40...47: colours.insert("16:\(first % 10)")
      case 90...97, 100...107: colours.insert("16:\(first % 10 + 8)")
      default: break
      }
    }
    #expect(colours.count == encoder.grayLevels, "\(colours.sorted())")
  }
}
