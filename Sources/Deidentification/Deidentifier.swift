public import DICOM

/// De-identifies DICOM objects by PS3.15 Annex E: every attribute of Table E.1-1 acted on as the
/// profile and the options in force say, at every depth of every sequence; private attributes removed
/// unless safe-listed; patients, UIDs and dates mapped by a key so that studies de-identified apart
/// still agree; the object marked as de-identified and how. Pixel data is left byte for byte as it was,
/// unless a region is blanked.
public struct Deidentifier: Sendable {
  public let settings: DeidentificationSettings
  let pseudonyms: Pseudonyms

  public init(settings: DeidentificationSettings, key: PseudonymKey) {
    self.settings = settings
    self.pseudonyms = Pseudonyms(key: key)
  }

  /// Whether a file would be refused, from its header alone: burned-in annotation, or a region to
  /// blank in compressed pixels. A run asks this of every file before it writes any.
  public func preflight(_ header: DICOMFile) throws(DeidentificationError) {
    try BurnedInAnnotation.check(header.dataset, settings: settings)
    if !settings.blank.isEmpty && header.transferSyntax.isEncapsulated {
      throw .cannotBlank(
        reason: "the pixel data is compressed (\(header.transferSyntax.name)); decompress it first "
          + "(dcmdjpeg, gdcmconv --raw)")
    }
  }

  /// The de-identified copy of a file, in the same transfer syntax, with a new meta group.
  public func deidentify(_ file: DICOMFile) throws(DeidentificationError) -> DICOMFile {
    try BurnedInAnnotation.check(file.dataset, settings: settings)
    let context = PatientContext(file.dataset, pseudonyms: pseudonyms)
    var dataset = try process(file.dataset, context: context)
    if !settings.blank.isEmpty {
      dataset = try PixelBlanking.blank(settings.blank, in: dataset, transferSyntax: file.transferSyntax)
    }
    try DeidentificationMarks.add(to: &dataset, settings: settings)
    // A new meta group and a zero preamble: the input's may hold anything (PS3.10 7.1).
    return DICOMFile(dataset: dataset, transferSyntax: file.transferSyntax)
  }

  /// One dataset, top level or an item's, with every element acted on.
  func process(_ dataset: Dataset, context: PatientContext) throws(DeidentificationError) -> Dataset {
    var out = Dataset(byteOrder: dataset.byteOrder, inheritedCharacterSet: dataset.inheritedCharacterSet)
    let keptPrivate = PrivateAttributes.kept(in: dataset, settings: settings)
    for element in dataset.elements {
      let tag = element.tag
      if tag.isGroupLength || tag.isFileMeta { continue }  // recomputed by the writer; meta made anew
      if tag.isOverlayPlane && !settings.options.contains(.cleanGraphics) { continue }
      if tag.isPrivate {
        if keptPrivate.contains(tag) { out.set(try descend(element, context: context)) }
        continue
      }
      if let replaced = context.patientValue(for: element) {
        out.set(replaced)
        continue
      }
      guard let action = ConfidentialityProfile.action(for: tag.combined, options: settings.options) else {
        out.set(try descend(element, context: context))
        continue
      }
      if let kept = try apply(action, to: element, in: dataset, context: context) { out.set(kept) }
    }
    return out
  }

  /// An element under one action of the table; nil when it is removed.
  private func apply(
    _ action: ProfileAction, to element: Element, in dataset: Dataset, context: PatientContext
  ) throws(DeidentificationError) -> Element? {
    var e = element
    switch action {
    case .remove:
      return nil
    case .empty:
      e.value = element.vr == .SQ ? .sequence([]) : .bytes([])
      return e
    case .removeEmptyOrNewUIDs:
      // A sequence of references: its items stay, their UIDs replaced by the table's own U rows.
      if element.vr == .SQ { return try descend(element, context: context) }
      e.value = .bytes([])
      return e
    case .keep:
      return try descend(element, context: context)
    case .dummy:
      if element.vr == .SQ { return try descend(element, context: context) }
      if element.vr == .UI { return mappedUIDs(element, in: dataset) }
      e.value = .bytes(DummyValue.bytes(for: element.vr))
      return e
    case .newUID:
      if element.vr == .SQ { return try descend(element, context: context) }
      return element.vr == .UI ? mappedUIDs(element, in: dataset) : element
    case .clean:
      return try clean(element, in: dataset, context: context)
    case .emptyOrDummy, .removeOrEmpty, .removeOrDummy, .removeEmptyOrDummy:
      return try apply(action.resolved, to: element, in: dataset, context: context)
    }
  }

  /// C: a value of similar meaning that identifies no one. Dates move by the patient's offset (the
  /// modified-dates option); text loses every identifier of the patient it holds; sequences are
  /// de-identified item by item; other values are kept.
  private func clean(
    _ element: Element, in dataset: Dataset, context: PatientContext
  ) throws(DeidentificationError) -> Element? {
    switch element.vr {
    case .SQ:
      return try descend(element, context: context)
    case .DA, .DT:
      guard let values = dataset.strings(element.tag) else { return element }
      let shifted = values.map { DateShift.shift($0, vr: element.vr, days: -context.dateOffsetDays) }
      return try rewritten(element, shifted.map { $0 ?? "" }, in: dataset)
    case .LO, .LT, .SH, .ST, .UT, .UC, .PN:
      guard let values = dataset.strings(element.tag) else { return element }
      return try rewritten(element, values.map(context.scrub), in: dataset)
    default:
      return element
    }
  }

  /// A sequence's items de-identified; any other element as it is.
  private func descend(_ element: Element, context: PatientContext) throws(DeidentificationError) -> Element {
    guard case .sequence(let items) = element.value else { return element }
    var e = element
    var out: [Item] = []
    out.reserveCapacity(items.count)
    for item in items {
      out.append(Item(try process(item.dataset, context: context), undefinedLength: item.undefinedLength))
    }
    e.value = .sequence(out)
    return e
  }

  /// Each UID of a UI element replaced by its keyed new UID.
  private func mappedUIDs(_ element: Element, in dataset: Dataset) -> Element {
    guard let values = dataset.strings(element.tag) else { return element }
    let mapped = values.map { $0.isEmpty ? "" : pseudonyms.uid(for: $0) }
    var e = element
    var bytes = Array(mapped.joined(separator: "\\").utf8)
    if bytes.count % 2 == 1 { bytes.append(0) }
    e.value = .bytes(bytes)
    return e
  }

  /// An element with new text values, encoded in the dataset's character set.
  private func rewritten(_ element: Element, _ values: [String], in dataset: Dataset) throws(DeidentificationError)
    -> Element
  {
    var scratch = Dataset(byteOrder: dataset.byteOrder, inheritedCharacterSet: dataset.characterSet)
    do {
      try scratch.set(element.tag, element.vr, values)
    } catch {
      throw .unwritable(tag: element.tag, reason: "\(error)")
    }
    var e = element
    e.value = scratch[element.tag]?.value ?? .bytes([])
    return e
  }
}

extension Tag {
  /// An attribute of an Overlay Plane (groups 6000 to 601E). The table removes Overlay Data (60xx,3000)
  /// unless graphics are cleaned; a plane without its data is invalid (Type 1), so the plane goes whole.
  var isOverlayPlane: Bool { group >= 0x6000 && group <= 0x601E && group & 1 == 0 }
}
