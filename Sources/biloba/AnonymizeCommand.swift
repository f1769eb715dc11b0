import Archive
import ArgumentParser
import Audit
import DICOM
import Deidentification
import Foundation

/// `biloba anonymize`: de-identified copies of DICOM objects by PS3.15 Annex E, the Basic Application
/// Level Confidentiality Profile and the options asked for.
struct AnonymizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "anonymize",
    abstract: "Write de-identified copies of DICOM files (PS3.15 Annex E basic profile and options).",
    discussion: """
      Every attribute of PS3.15 Table E.1-1 is removed, emptied, replaced or kept as the profile and the \
      options say, in nested sequences too; private attributes are removed unless --retain-safe-private \
      names them. The patient gets a pseudonym (ANON- and ten characters) and every UID a new one, both \
      from a secret key, so two studies of one patient de-identified apart still share the pseudonym and \
      their references. The key is made on first use in $XDG_DATA_HOME/biloba/deidentification.key \
      (0600) and never written into the output; keep it to keep pseudonyms stable, share it to share \
      them. Images that may show burned-in text (Burned In Annotation YES, or US, SC, XA and secondary \
      captures that do not say NO) are refused unless --blank or --allow-burned-in is given. Nothing is \
      written unless every file can be de-identified. Output: DIR/PSEUDONYM/STUDY/SERIES/INSTANCE.dcm.
      """)

  @Argument(help: "Files or folders (walked recursively).")
  var paths: [String]

  @Option(name: .shortAndLong, help: "The folder to write the de-identified copies into.")
  var output: String

  @Option(name: .long, help: "The key file behind pseudonyms and new UIDs (default: the user's, made on first use).")
  var key: String?

  @Flag(name: .long, help: "Keep UIDs (Retain UIDs option).")
  var retainUids = false
  @Flag(name: .long, help: "Keep device identity: serial numbers, station names (Retain Device Identity option).")
  var retainDeviceIdentity = false
  @Flag(name: .long, help: "Keep institution name and address (Retain Institution Identity option).")
  var retainInstitutionIdentity = false
  @Flag(name: .long, help: "Keep age, sex, size, weight (Retain Patient Characteristics option).")
  var retainPatientCharacteristics = false
  @Option(
    name: .long,
    help:
      "Keep dates: 'full' as they are, or 'modified', moved back by the patient's own keyed offset (Retain Longitudinal Temporal Information option)."
  )
  var retainDates: DatesOption?
  @Flag(
    name: .long, help: "Keep descriptions, with the patient's names and IDs blanked out (Clean Descriptors option).")
  var cleanDescriptors = false
  @Flag(name: .long, help: "Keep structured report content, cleaned (Clean Structured Content option).")
  var cleanStructuredContent = false
  @Flag(name: .long, help: "Keep overlays and graphic annotations, cleaned (Clean Graphics option).")
  var cleanGraphics = false
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Keep a private attribute known to be safe (Retain Safe Private option); repeatable.",
      valueName: "CREATOR,GROUP,ELEMENT"))
  var retainSafePrivate: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp("Blank a region of every frame (Clean Pixel Data); repeatable.", valueName: "x,y,w,h"))
  var blank: [String] = []
  @Flag(name: .long, help: "Write images that may show burned-in text as they are (you have checked them).")
  var allowBurnedIn = false

  enum DatesOption: String, ExpressibleByArgument, CaseIterable { case full, modified }

  func validate() throws {
    _ = try regions()
    _ = try safePrivate()
  }

  func regions() throws -> [PixelRegion] {
    try blank.map { text in
      let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3], x >= 0, y >= 0,
        (1...65535).contains(w), (1...65535).contains(h), x <= 65535, y <= 65535
      else {
        throw ValidationError(
          "--blank takes x,y,w,h in pixels (x, y from 0; w, h from 1): '\(text.strippingControlCharacters)'")
      }
      return PixelRegion(x: x, y: y, width: w, height: h)
    }
  }

  func safePrivate() throws -> Set<SafePrivateAttribute> {
    Set(
      try retainSafePrivate.map { text in
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty, let group = UInt16(parts[1], radix: 16), group & 1 == 1,
          let element = UInt8(parts[2].suffix(2), radix: 16), (1...4).contains(parts[2].count)
        else {
          throw ValidationError(
            "--retain-safe-private takes CREATOR,GROUP,ELEMENT, e.g. 'GEMS_ACQU_01,0019,10' (odd group, element "
              + "byte in hex): '\(text.strippingControlCharacters)'")
        }
        return SafePrivateAttribute(creator: parts[0], group: group, elementByte: element)
      })
  }

  var options: ProfileOptions {
    var o: ProfileOptions = []
    if retainUids { o.insert(.retainUIDs) }
    if retainDeviceIdentity { o.insert(.retainDeviceIdentity) }
    if retainInstitutionIdentity { o.insert(.retainInstitutionIdentity) }
    if retainPatientCharacteristics { o.insert(.retainPatientCharacteristics) }
    if retainDates == .full { o.insert(.retainLongitudinalFullDates) }
    if retainDates == .modified { o.insert(.retainLongitudinalModifiedDates) }
    if cleanDescriptors { o.insert(.cleanDescriptors) }
    if cleanStructuredContent { o.insert(.cleanStructuredContent) }
    if cleanGraphics { o.insert(.cleanGraphics) }
    if !retainSafePrivate.isEmpty { o.insert(.retainSafePrivate) }
    return o
  }

  /// The user's key file, beside the default archive.
  static func defaultKeyPath() -> String { FileStore.defaultRoot() + "/deidentification.key" }

  func run() throws {
    let settings = DeidentificationSettings(
      options: options, allowBurnedIn: allowBurnedIn, blank: try regions(), safePrivate: try safePrivate())
    let keyPath = key ?? Self.defaultKeyPath()
    let secret: PseudonymKey
    do {
      secret = key == nil ? try PseudonymKey.loadOrCreate(path: keyPath) : try PseudonymKey.load(path: keyPath)
    } catch {
      throw CommandFailure("anonymize: \(error)")
    }
    let files = Importer.files(under: paths)
    guard !files.isEmpty else { throw CommandFailure("anonymize: no file under the paths given") }
    let run = DeidentificationRun(deidentifier: Deidentifier(settings: settings, key: secret))
    let summary: DeidentificationRun.Summary
    do {
      summary = try run.run(files: files, into: output)
    } catch {
      throw CommandFailure("anonymize: \(error)")
    }
    AuditTrail.record(
      AuditEvent(
        action: .anonymize, source: "anonymize", studies: summary.studies.sorted(), objects: summary.written.count),
      in: AuditTrail.defaultLog())
    StandardOutput.line(
      "\(summary.written.count) objects de-identified (\(summary.studies.count) studies, "
        + "\(summary.patients.count) patients) into \(output.strippingControlCharacters)")
  }
}
