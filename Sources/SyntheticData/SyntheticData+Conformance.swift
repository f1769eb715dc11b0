public import DICOM

extension SyntheticData {
  /// A small image carrying one element of every VR of the standard, private tags (with their
  /// creator), a sequence nested three deep with both length encodings, and the given names.
  public static func everyVR(
    characterSet: String? = nil, patientName: String = "DOE^JANE", description: String = "EVERY VR"
  ) throws(DICOMError) -> Dataset {
    var ds = Dataset(byteOrder: .little)
    if let characterSet { try ds.set(.specificCharacterSet, .CS, characterSet) }
    var subject = Subject()
    subject.patientName = patientName
    subject.studyDescription = description
    try setStudy(&ds, subject: subject)
    try ds.set(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7")
    try ds.set(.sopInstanceUID, .UI, uid(9, 1, 1))
    try ds.set(tag("SeriesInstanceUID"), .UI, uid(9, 1))
    try ds.set(tag("Modality"), .CS, "OT")
    try ds.set(tag("RetrieveAETitle"), .AE, ["BILOBA", "PACS_1"])
    try ds.set(tag("PatientAge"), .AS, "056Y")
    try ds.set(tag("InstanceCoercionDateTime"), .DT, "20260115093000.123456+0100")
    try ds.set(tag("InstitutionAddress"), .ST, "1 Example Street\\Nowhere")
    try ds.set(tag("PrivateDataElementDescription"), .UT, "Free text of unlimited length, not split at \\ backslashes.")
    try ds.set(tag("ExtendedCodeMeaning"), .LT, "Long text")
    try ds.set(tag("LongCodeValue"), .UC, ["A CODE VALUE OVER SIXTEEN CHARACTERS", "SECOND"])
    try ds.set(tag("RetrieveURL"), .UR, "http://localhost/dicom-web/studies/1")
    try ds.set(tag("ReferencedFrameNumber"), .IS, ["1", "-2", "3"])
    try ds.set(tag("SliceThickness"), .DS, "1.25")
    ds.set(
      Element(tag: tag("FrameIncrementPointer"), vr: .AT, bytes: [0x18, 0x00, 0x63, 0x10, 0x20, 0x00, 0x13, 0x00]))
    ds.set(tag("SelectorFDValue"), .FD, floats: [3.141592653589793, -2.5e-10])
    ds.set(tag("SelectorFLValue"), .FL, floats: [0.1, 1e20])
    ds.set(tag("SelectorSLValue"), .SL, integers: [Int32(-70000), 70000])
    ds.set(tag("SelectorSSValue"), .SS, integers: [Int16(-300), 300])
    ds.set(tag("SelectorULValue"), .UL, integers: [UInt32(4_000_000_000)])
    ds.set(tag("SelectorUSValue"), .US, integers: [UInt16(65535), 0])
    ds.set(tag("SelectorSVValue"), .SV, integers: [Int64(-9_000_000_000_000), 42])
    ds.set(tag("SelectorUVValue"), .UV, integers: [UInt64(9_000_000_000_000)])
    ds.set(tag("SelectorOVValue"), .OV, integers: [UInt64(0x0102_0304_0506_0708)])
    ds.set(Element(tag: tag("SelectorOBValue"), vr: .OB, bytes: [1, 2, 3, 0xFE]))
    ds.set(tag("SelectorOWValue"), .OW, integers: [UInt16(0x1234), 0xABCD])
    ds.set(tag("SelectorOLValue"), .OL, integers: [UInt32(0xDEAD_BEEF)])
    ds.set(tag("SelectorODValue"), .OD, floats: [1.5, -0.25])
    ds.set(tag("SelectorOFValue"), .OF, floats: [2.5, 0.125])

    // Private block: creator (0029,0010) reserves (0029,10xx).
    try ds.set(Tag(0x0029, 0x0010), .LO, "BILOBA SYNTHETIC")
    try ds.set(Tag(0x0029, 0x1001), .LO, "private text")
    ds.set(Tag(0x0029, 0x1002), .SL, integers: [Int32(-5)])
    ds.set(Element(tag: Tag(0x0029, 0x1003), vr: .UN, bytes: [9, 8, 7, 6]))

    // Three levels of nesting: ContentSequence > ContentSequence > ConceptNameCodeSequence.
    var code = Dataset(byteOrder: .little, inheritedCharacterSet: ds.characterSet)
    try code.set(tag("CodeValue"), .SH, "113722")
    try code.set(tag("CodingSchemeDesignator"), .SH, "DCM")
    try code.set(tag("CodeMeaning"), .LO, "Dose Area Product Total")
    var inner = Dataset(byteOrder: .little, inheritedCharacterSet: ds.characterSet)
    try inner.set(tag("ValueType"), .CS, "CODE")
    inner.set(tag("ConceptNameCodeSequence"), items: [code])
    var outer = Dataset(byteOrder: .little, inheritedCharacterSet: ds.characterSet)
    try outer.set(tag("ValueType"), .CS, "CONTAINER")
    outer.set(tag("ContentSequence"), items: [inner, inner], undefinedLength: true)
    ds.set(tag("ContentSequence"), items: [outer])

    return ds
  }

  /// A native multi-frame 8-bit image: `frames` frames of `rows` x `columns`, each frame a gradient
  /// shifted by its index, so frames are told apart.
  public static func multiFrame(frames: Int = 4, rows: Int = 16, columns: Int = 16) throws(DICOMError) -> Dataset {
    var ds = Dataset(byteOrder: .little)
    try setStudy(&ds, subject: Subject())
    try ds.set(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.7.2")
    try ds.set(.sopInstanceUID, .UI, uid(9, 2, 1))
    try ds.set(tag("SeriesInstanceUID"), .UI, uid(9, 2))
    try ds.set(tag("Modality"), .CS, "OT")
    try ds.set(.numberOfFrames, .IS, String(frames))
    ds.set(Element(tag: tag("FrameIncrementPointer"), vr: .AT, bytes: [0x18, 0x00, 0x63, 0x10]))
    try ds.set(tag("FrameTime"), .DS, "40")
    try setGrayscaleImage(&ds, rows: rows, columns: columns, bits: 8, signed: false)
    var pixels: [UInt8] = []
    for f in 0..<frames {
      for y in 0..<rows { for x in 0..<columns { pixels.append(UInt8(truncatingIfNeeded: x * 8 + y * 4 + f * 16)) } }
    }
    if pixels.count % 2 == 1 { pixels.append(0) }
    ds.set(Element(tag: .pixelData, vr: .OB, bytes: pixels))
    return ds
  }

  /// Names in the character sets readers meet: (0008,0005) term, name as it should decode.
  public static let internationalNames: [(characterSet: String, name: String)] = [
    ("ISO_IR 100", "Müller^Jürgen"),
    ("ISO_IR 192", "Wang^XiaoDong=王^小東="),
    ("\\ISO 2022 IR 87", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
    ("\\ISO 2022 IR 149", "Hong^Gildong=洪^吉洞=홍^길동"),
    ("ISO_IR 144", "Люкceмбypг^Иван"),
    ("ISO_IR 126", "Διονυσιος^Νικος"),
  ]
}
