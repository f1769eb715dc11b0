import CZlib
import Foundation
import RasterCore
import Testing

@testable import TerminalGraphics

@Suite struct OtherProtocolTests {
  static let raster = Raster(width: 40, height: 30, format: .gray8, pixels: (0..<1200).map { UInt8($0 % 251) })

  static func inflate(_ data: [UInt8], expected: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: expected)
    var size = uLongf(expected)
    let status = out.withUnsafeMutableBufferPointer { dst in
      data.withUnsafeBufferPointer { uncompress(dst.baseAddress, &size, $0.baseAddress, uLong($0.count)) }
    }
    return status == Z_OK ? Array(out.prefix(Int(size))) : []
  }

  @Test func kitty_sends_a_gray_png_in_chunks_of_at_most_4096_that_decode_back() throws {
    let big = Raster(
      width: 300, height: 200, format: .gray8, pixels: (0..<60000).map { _ in UInt8.random(in: 0...255) })
    let bytes = KittyEncoder.encode(big, id: 7, columns: 30, rows: 10)
    let text = String(decoding: bytes, as: UTF8.self)
    let chunks = text.components(separatedBy: "\u{1B}_G").dropFirst().map { $0.components(separatedBy: "\u{1B}\\")[0] }
    #expect(chunks.count > 1)
    #expect(chunks.first!.hasPrefix("a=T,f=100,s=300,v=200,i=7,q=2,C=1,c=30,r=10,m=1;"))
    #expect(chunks.last!.hasPrefix("q=2,m=0;"), "replies suppressed on every chunk")
    #expect(chunks.dropFirst().dropLast().allSatisfy { $0.hasPrefix("q=2,m=1;") })
    let payloads = chunks.map { String($0.split(separator: ";", maxSplits: 1)[1]) }
    #expect(payloads.allSatisfy { $0.utf8.count <= 4096 })
    let png = [UInt8](try #require(Data(base64Encoded: payloads.joined())))
    #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(png[24] == 8 && png[25] == 0, "8-bit gray (colour type 0): one byte a pixel, not three")
    // IDAT: rows with a filter byte each, the samples themselves.
    let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
    let rows = Self.inflate(Array(png[41..<(41 + idatLength)]), expected: 200 * 301)
    let samples = (0..<200).flatMap { rows[($0 * 301 + 1)..<(($0 + 1) * 301)] }
    #expect(samples == big.pixels)
    #expect(String(decoding: KittyEncoder.delete(id: 7), as: UTF8.self) == "\u{1B}_Ga=d,d=I,i=7,q=2\u{1B}\\")
  }

  @Test func iterm_sends_a_png_inline() throws {
    let text = String(decoding: ITermEncoder.encode(Self.raster, columns: 4, rows: 2), as: UTF8.self)
    #expect(text.hasPrefix("\u{1B}]1337;File=inline=1;size="))
    #expect(text.hasSuffix("\u{07}"))
    let payload = String(text.split(separator: ":", maxSplits: 1)[1].dropLast())
    let png = try #require(Data(base64Encoded: payload))
    #expect([UInt8](png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
  }

  @Test func half_blocks_in_truecolor_carry_every_pixel() {
    let raster = Raster(width: 2, height: 2, format: .gray8, pixels: [10, 20, 30, 40])
    let text = String(decoding: BlockEncoder(depth: .truecolor).encode(raster), as: UTF8.self)
    #expect(
      text == "\u{1B}[38;2;10;10;10m\u{1B}[48;2;30;30;30m▀\u{1B}[38;2;20;20;20m\u{1B}[48;2;40;40;40m▀\u{1B}[0m\r\n")
  }

  @Test func colour_escapes_are_not_repeated_for_runs_of_one_colour() {
    let flat = Raster(width: 20, height: 2, format: .gray8, fill: 128)
    let text = String(decoding: BlockEncoder(depth: .ansi256).encode(flat), as: UTF8.self)
    #expect(text.components(separatedBy: "\u{1B}[38;5;").count == 2)
    #expect(text.contains("\u{1B}[38;5;244m") || text.contains("\u{1B}[38;5;102m"))
  }

  @Test func sixteen_colours_and_quadrants() {
    let raster = Raster(width: 2, height: 2, format: .rgb8, pixels: [255, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0])
    let text = String(decoding: BlockEncoder(shape: .quadrants, depth: .ansi16).encode(raster), as: UTF8.self)
    #expect(text.contains("\u{259A}"))  // upper left and lower right on
    #expect(text.contains("\u{1B}[91m") || text.contains("\u{1B}[31m"))
  }

  @Test func ascii_ramp_goes_from_space_to_at() {
    let raster = Raster(width: 3, height: 1, format: .gray8, pixels: [0, 128, 255])
    #expect(String(decoding: ASCIIEncoder.encode(raster), as: UTF8.self) == " +@\r\n")
  }

  @Test func tmux_passthrough_doubles_escapes() {
    #expect(TmuxPassthrough.wrap([0x1B, 0x50, 0x41]) == Array("\u{1B}Ptmux;\u{1B}\u{1B}PA\u{1B}\\".utf8))
  }

  @Test func layouts_size_images_in_terminal_pixels_per_protocol() {
    let layout = GraphicsLayout(columns: 80, rows: 24, cell: .init(width: 10, height: 20))
    #expect(layout.rasterSize(imageWidth: 512, imageHeight: 512, protocol: .sixel) == (480, 480))
    #expect(layout.rasterSize(imageWidth: 512, imageHeight: 512, protocol: .blocks) == (48, 48))
    #expect(layout.rasterSize(imageWidth: 512, imageHeight: 512, protocol: .ascii) == (48, 24))
    #expect(layout.cellsCovered(rasterWidth: 480, rasterHeight: 480, protocol: .sixel) == (48, 24))
  }
}
