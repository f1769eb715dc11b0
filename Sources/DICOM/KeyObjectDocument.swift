/// A Key Object Selection document (PS3.3 A.35.4, template TID 2010): the images a reader marked in a
/// study, titled "Of Interest" (DCM 113000), as Weasis, OHIF and PACS show key images.
public struct KeyObjectDocument: Sendable, Equatable {
  /// One selected image: a whole object, or some of its frames.
  public struct Reference: Sendable, Hashable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var seriesInstanceUID: String
    /// Frame numbers counted from 1, as Referenced Frame Number; empty: the whole object.
    public var frames: [Int]

    public init(sopClassUID: String, sopInstanceUID: String, seriesInstanceUID: String, frames: [Int] = []) {
      self.sopClassUID = sopClassUID
      self.sopInstanceUID = sopInstanceUID
      self.seriesInstanceUID = seriesInstanceUID
      self.frames = frames
    }
  }

  public var references: [Reference]
  /// Key Object Description (DCM 113012): the reader's words, if any.
  public var note: String?

  public init(references: [Reference], note: String? = nil) {
    self.references = references
    self.note = note
  }

  /// The highest frame number read from a document (as many as the archive indexes in one object).
  public static let maxFrameNumber = 100_000

  /// Key Object Selection Document Storage, from the UID registry.
  public static let sopClassUID = UIDRegistry.lookup(keyword: "KeyObjectSelectionDocumentStorage")?.uid

  /// The document's title and the description item's name, from DICOM's own coding scheme (PS3.16 CID 7010).
  static let ofInterest = (value: "113000", meaning: "Of Interest")
  static let keyObjectDescription = (value: "113012", meaning: "Key Object Description")

  /// Patient and study elements the document carries over from an image of the study: Patient, General
  /// Study (Type 2 ones written empty when the image lacks them) and the character set they are in.
  static let carried: [(tag: Tag, required: Bool)] = [
    (Tag.specificCharacterSet, false), (Tag.studyDate, true), (Tag.studyTime, true), (Tag.accessionNumber, true),
    (Tag.referringPhysicianName, true), (Tag.studyDescription, false), (Tag.patientName, true), (Tag.patientID, true),
    (Tag.issuerOfPatientID, false), (Tag.patientBirthDate, true), (Tag.patientSex, true),
    (Tag.studyInstanceUID, true), (Tag.studyID, true),
  ]

  /// Where the document itself goes: a series of its own (modality KO) in the study.
  public struct Placement: Sendable {
    public var seriesInstanceUID: String
    public var seriesNumber: Int
    public var sopInstanceUID: String
    /// Content Date and Time: YYYYMMDD and HHMMSS.
    public var date: String
    public var time: String

    public init(seriesInstanceUID: String, seriesNumber: Int, sopInstanceUID: String, date: String, time: String) {
      self.seriesInstanceUID = seriesInstanceUID
      self.seriesNumber = seriesNumber
      self.sopInstanceUID = sopInstanceUID
      self.date = date
      self.time = time
    }
  }

  /// The document as a dataset: patient and study from `image` (any image of the study), the selection as
  /// IMAGE items under the title, and the evidence listing every object it refers to by series.
  public func dataset(studyOf image: Dataset, placement: Placement) throws(DICOMError) -> Dataset {
    guard !references.isEmpty else {
      throw DICOMError.invalidValue(tag: Tag.contentSequence, reason: "a key object selection of no image")
    }
    guard let sopClassUID = Self.sopClassUID else {
      throw DICOMError.invalidValue(tag: Tag.sopClassUID, reason: "no key object class in the UID registry")
    }
    var ds = Dataset(byteOrder: .little)
    for (tag, required) in Self.carried {
      if let element = image[tag] {
        ds.set(element)
      } else if required {
        ds.set(Element(tag: tag, vr: DataDictionary.entry(for: tag)?.vr ?? .UN, bytes: []))
      }
    }
    guard ds.string(Tag.studyInstanceUID).map(UIDSyntax.isValid) == true else {
      throw DICOMError.invalidValue(tag: Tag.studyInstanceUID, reason: "the image names no valid study")
    }
    let charset = ds.characterSet
    func item() -> Dataset { Dataset(byteOrder: .little, inheritedCharacterSet: charset) }
    func code(_ c: (value: String, meaning: String)) throws(DICOMError) -> [Dataset] {
      var d = item()
      try d.set(Tag.codeValue, .SH, c.value)
      try d.set(Tag.codingSchemeDesignator, .SH, "DCM")
      try d.set(Tag.codeMeaning, .LO, c.meaning)
      return [d]
    }
    // SOP Common and the Key Object Document Series, Key Object Document and General Equipment modules.
    try ds.set(Tag.sopClassUID, .UI, sopClassUID)
    try ds.set(Tag.sopInstanceUID, .UI, placement.sopInstanceUID)
    try ds.set(Tag.modality, .CS, "KO")
    try ds.set(Tag.seriesInstanceUID, .UI, placement.seriesInstanceUID)
    try ds.set(Tag.seriesNumber, .IS, String(placement.seriesNumber))
    ds.set(Tag.referencedPerformedProcedureStepSequence, items: [])
    try ds.set(Tag.manufacturer, .LO, "Biloba")
    try ds.set(Tag.instanceNumber, .IS, "1")
    try ds.set(Tag.contentDate, .DA, placement.date)
    try ds.set(Tag.contentTime, .TM, placement.time)
    // Evidence: every referenced object once, by series, in the order first marked.
    var bySeries: [(series: String, objects: [Reference])] = []
    for reference in references {
      if let i = bySeries.firstIndex(where: { $0.series == reference.seriesInstanceUID }) {
        if !bySeries[i].objects.contains(where: { $0.sopInstanceUID == reference.sopInstanceUID }) {
          bySeries[i].objects.append(reference)
        }
      } else {
        bySeries.append((reference.seriesInstanceUID, [reference]))
      }
    }
    var seriesItems: [Dataset] = []
    for (series, objects) in bySeries {
      var s = item()
      try s.set(Tag.seriesInstanceUID, .UI, series)
      var sops: [Dataset] = []
      for object in objects {
        var o = item()
        try o.set(Tag.referencedSOPClassUID, .UI, object.sopClassUID)
        try o.set(Tag.referencedSOPInstanceUID, .UI, object.sopInstanceUID)
        sops.append(o)
      }
      s.set(Tag.referencedSOPSequence, items: sops)
      seriesItems.append(s)
    }
    var study = item()
    study.set(Tag.referencedSeriesSequence, items: seriesItems)
    try study.set(Tag.studyInstanceUID, .UI, ds.string(Tag.studyInstanceUID) ?? "")
    ds.set(Tag.currentRequestedProcedureEvidenceSequence, items: [study])
    // SR Document Content: a CONTAINER titled "Of Interest" holding the images (and the note first).
    try ds.set(Tag.valueType, .CS, "CONTAINER")
    ds.set(Tag.conceptNameCodeSequence, items: try code(Self.ofInterest))
    try ds.set(Tag.continuityOfContent, .CS, "SEPARATE")
    var template = item()
    try template.set(Tag.mappingResource, .CS, "DCMR")
    try template.set(Tag.templateIdentifier, .CS, "2010")
    ds.set(Tag.contentTemplateSequence, items: [template])
    var content: [Dataset] = []
    if let note, !note.isEmpty {
      var t = item()
      try t.set(Tag.relationshipType, .CS, "CONTAINS")
      try t.set(Tag.valueType, .CS, "TEXT")
      t.set(Tag.conceptNameCodeSequence, items: try code(Self.keyObjectDescription))
      try t.set(Tag.textValue, .UT, String(note.prefix(1024)))
      content.append(t)
    }
    for reference in references {
      var image = item()
      try image.set(Tag.relationshipType, .CS, "CONTAINS")
      try image.set(Tag.valueType, .CS, "IMAGE")
      var sop = item()
      try sop.set(Tag.referencedSOPClassUID, .UI, reference.sopClassUID)
      try sop.set(Tag.referencedSOPInstanceUID, .UI, reference.sopInstanceUID)
      if !reference.frames.isEmpty {
        try sop.set(Tag.referencedFrameNumber, .IS, reference.frames.map(String.init))
      }
      image.set(Tag.referencedSOPSequence, items: [sop])
      content.append(image)
    }
    ds.set(Tag.contentSequence, items: content)
    return ds
  }

  /// The images a document selects: its IMAGE items, each placed in its series by the evidence; items
  /// without a valid UID or outside the evidence are left out (a hostile file names what it likes).
  public init?(_ ds: Dataset) {
    guard let kind = Self.sopClassUID, ds.string(Tag.sopClassUID) == kind else { return nil }
    var seriesOf: [String: String] = [:]
    for study in ds.items(Tag.currentRequestedProcedureEvidenceSequence) ?? [] {
      for series in study.items(Tag.referencedSeriesSequence) ?? [] {
        guard let uid = series.string(Tag.seriesInstanceUID), UIDSyntax.isValid(uid) else { continue }
        for sop in series.items(Tag.referencedSOPSequence) ?? [] {
          if let instance = sop.string(Tag.referencedSOPInstanceUID) { seriesOf[instance] = uid }
        }
      }
    }
    var references: [Reference] = []
    var note: String?
    for content in ds.items(Tag.contentSequence) ?? [] {
      switch content.string(Tag.valueType) {
      case "TEXT":
        note = note ?? content.string(Tag.textValue).map(TextSafety.text)
      case "IMAGE":
        for sop in content.items(Tag.referencedSOPSequence) ?? [] {
          guard let instance = sop.string(Tag.referencedSOPInstanceUID), UIDSyntax.isValid(instance),
            let sopClass = sop.string(Tag.referencedSOPClassUID), UIDSyntax.isValid(sopClass),
            let series = seriesOf[instance]
          else { continue }
          // Frame numbers count from 1; a hostile list is held to the frames one object can have.
          let frames = Array(
            Set((sop.ints(Tag.referencedFrameNumber) ?? []).filter { (1...Self.maxFrameNumber).contains($0) }).sorted()
              .prefix(Self.maxFrameNumber))
          references.append(
            Reference(sopClassUID: sopClass, sopInstanceUID: instance, seriesInstanceUID: series, frames: frames))
        }
      default: continue
      }
    }
    self.init(references: references, note: note)
  }
}
