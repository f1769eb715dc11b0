import CSixel
import RasterCore

/// libsixel's own encoder in-process, configured as img2sixel is by default (256-colour median-cut
/// palette from RGB888), for a side-by-side encode time and output.
enum LibSixelPeer {
  final class Sink {
    var bytes: [UInt8] = []
  }

  static func encode(_ raster: Raster) -> [UInt8]? {
    var rgb = raster.format == .rgb8 ? raster.pixels : raster.pixels.flatMap { [$0, $0, $0] }
    let sink = Sink()
    var output: OpaquePointer? = nil
    let user = Unmanaged.passUnretained(sink).toOpaque()
    guard
      sixel_output_new(
        &output,
        { data, size, user in
          guard let data, let user else { return 0 }
          let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
          data.withMemoryRebound(to: UInt8.self, capacity: Int(size)) {
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(size)))
          }
          return size
        }, user, nil) == SIXEL_OK, let output
    else { return nil }
    defer { sixel_output_unref(output) }
    var dither: OpaquePointer? = nil
    guard sixel_dither_new(&dither, 256, nil) == SIXEL_OK, let dither else { return nil }
    defer { sixel_dither_unref(dither) }
    let status = rgb.withUnsafeMutableBufferPointer { p -> SIXELSTATUS in
      guard
        sixel_dither_initialize(
          dither, p.baseAddress, Int32(raster.width), Int32(raster.height),
          SIXEL_PIXELFORMAT_RGB888, SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO)
          == SIXEL_OK
      else { return SIXEL_FALSE }
      return sixel_encode(p.baseAddress, Int32(raster.width), Int32(raster.height), 3, dither, output)
    }
    return status == SIXEL_OK ? sink.bytes : nil
  }
}
