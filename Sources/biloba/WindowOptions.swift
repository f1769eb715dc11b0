import ArgumentParser
import DICOMImaging

/// --window C,W and --preset NAME, shared by the commands that display or export images.
struct WindowOptions: ParsableArguments {
  // Unconditional: a lung window's centre is negative (`--window -600,1500`), which would otherwise be
  // taken for an option.
  @Option(
    name: .long, parsing: .unconditional, help: "Window centre and width in modality units, e.g. 40,400 or -600,1500.")
  var window: String?

  @Option(name: .long, help: "A window preset: \(Window.presets.keys.sorted().joined(separator: ", ")).")
  var preset: String?

  @Flag(name: .long, help: "Invert the display.")
  var invert = false

  func validate() throws {
    if window != nil && preset != nil { throw ValidationError("--window and --preset exclude each other") }
    _ = try selection()
  }

  func selection() throws -> VOISelection {
    if let window {
      let parts = window.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      guard parts.count == 2, let c = parts[0], let w = parts[1], c.isFinite, w.isFinite, abs(c) <= 1e9, w >= 1,
        w <= 1e9
      else {
        throw ValidationError("--window wants CENTRE,WIDTH with a width of at least 1, e.g. 40,400")
      }
      return .window(Window(center: c, width: w))
    }
    if let preset {
      guard let w = Window.presets[preset.lowercased()] else {
        throw ValidationError(
          "unknown preset '\(preset)'; presets: \(Window.presets.keys.sorted().joined(separator: ", "))")
      }
      return .window(w)
    }
    return .automatic
  }

  var displayOptions: DisplayOptions {
    get throws { DisplayOptions(voi: try selection(), invert: invert) }
  }
}
