import ArgumentParser
import Audit
import DICOM
import DICOMImaging
import Foundation

/// `biloba export`: one frame to PNG, PGM/PPM or raw samples, windowed for display or as decoded values.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write one frame of a DICOM image as PNG, PGM/PPM or raw samples.",
    discussion: """
      The format follows the output's extension: .png, .pgm/.ppm/.pnm, .raw. By default the frame is \
      windowed to 8 bits (the file's first window, else an automatic one). With --raw the decoded values \
      before any LUT are written instead: 16-bit PNG or PGM/PPM, or .raw little-endian at BitsAllocated \
      width, samples interleaved, YBR converted to RGB, palette indices left as indices.
      """
  )

  @Argument(help: "The DICOM file.")
  var file: String

  @Option(name: .long, help: "Frame number, from 1 as DICOM numbers frames.")
  var frame = 1

  @OptionGroup var windowing: WindowOptions

  @Flag(name: .long, help: "Write decoded values before any LUT.")
  var raw = false

  @Option(name: .shortAndLong, help: "Output file (.png, .pgm, .ppm, .pnm or .raw).")
  var output: String

  func validate() throws {
    try CheckedNumber.count(frame, option: "--frame", range: 1...1_000_000)
    if raw && (windowing.window != nil || windowing.preset != nil) {
      throw ValidationError("--raw writes values before any window; drop --window/--preset")
    }
    guard ["png", "pgm", "ppm", "pnm", "raw"].contains(outputExtension) else {
      throw ValidationError("unknown output format '.\(outputExtension)': use .png, .pgm, .ppm, .pnm or .raw")
    }
  }

  var outputExtension: String { (output as NSString).pathExtension.lowercased() }

  func run() throws {
    do {
      let read = try DICOMFile.read(path: file)
      for warning in read.warnings {
        StandardError.line("biloba export: \(file.strippingControlCharacters): warning: \(warning)")
      }
      let image = try DICOMImage(file: read)
      let decoded = try image.decodeFrame(frame - 1)
      let bytes = raw ? try rawBytes(decoded, image) : try displayBytes(decoded, image)
      try AtomicFile.write(bytes, to: output)
      AuditTrail.record(
        AuditEvent(
          action: .export, source: "export", studies: read.dataset.string(.studyInstanceUID).map { [$0] } ?? [],
          objects: 1),
        in: AuditTrail.defaultLog())
    } catch let error as DICOMError {
      throw CommandFailure("\(file.strippingControlCharacters): \(error)")
    } catch let error as ImagingError {
      throw CommandFailure("\(file.strippingControlCharacters): \(error)")
    }
  }

  private func displayBytes(_ decoded: DecodedFrame, _ image: DICOMImage) throws -> [UInt8] {
    let rendered = try DisplayPipeline.render(
      decoded, of: image, frameIndex: frame - 1,
      options: try windowing.displayOptions)
    let r = rendered.raster
    let samples = r.pixels.map(Int.init)
    switch outputExtension {
    case "png":
      return ImageFileWriter.png(
        width: r.width, height: r.height, channels: r.format.channels, bitDepth: 8, samples: samples)
    case "raw": return r.pixels
    default:
      return ImageFileWriter.pnm(
        width: r.width, height: r.height, channels: r.format.channels, maxValue: 255, samples: samples)
    }
  }

  private func rawBytes(_ decoded: DecodedFrame, _ image: DICOMImage) throws -> [UInt8] {
    let values = Photometric.toRGB(decoded)
    let channels = values.samplesPerPixel
    switch outputExtension {
    case "raw":
      return ImageFileWriter.raw(samples: values.values, bytesPerSample: max(1, image.pixel.bitsAllocated / 8))
    default:
      // 16-bit containers: two's complement bit patterns for signed values, as DCMTK writes them.
      let wide = image.pixel.bitsAllocated > 8
      let samples = values.values.map {
        wide ? Int(UInt16(truncatingIfNeeded: $0)) : Int(UInt8(truncatingIfNeeded: $0))
      }
      if outputExtension == "png" {
        return ImageFileWriter.png(
          width: values.width, height: values.height, channels: channels, bitDepth: wide ? 16 : 8, samples: samples)
      }
      return ImageFileWriter.pnm(
        width: values.width, height: values.height, channels: channels, maxValue: wide ? 65535 : 255, samples: samples)
    }
  }
}

/// A failure to report on one stderr line, with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}
