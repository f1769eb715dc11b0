public import DICOM
import Foundation

/// Synthetic studies made by Biloba's own code: a CT head phantom series, a multi-frame image and
/// datasets that exercise every VR, nesting, private tags and character sets. No patient data: every
/// name and identifier is invented.
public enum SyntheticData {
  /// A UID root under 2.25 (UUID-derived) fixed for this project, so generated UIDs are stable.
  public static let uidRoot = "2.25.98230487216347812364012873645001"

  public static func uid(_ parts: Int...) -> String {
    uidRoot + parts.map { "." + String($0) }.joined()
  }

  /// The invented patient and study a generated series belongs to.
  public struct Subject: Sendable {
    public var patientName = "PHANTOM^HEAD"
    public var patientID = "BILOBA-0001"
    public var birthDate = "19700101"
    public var sex = "O"
    public var studyDate = "20260115"
    public var studyTime = "093000"
    public var accession = "ACC0001"
    public var studyDescription = "CT HEAD PHANTOM"
    public var studyNumber = 1
    public var characterSet: String? = nil

    public init() {}
  }

  /// One slice of a CT head phantom series: 16-bit signed, rescale intercept -1024, HU values
  /// drawn from ellipsoids (skull, brain, ventricles, lesions), padding outside the field of view.
  public static func ctSlice(
    index: Int, of count: Int, rows: Int = 512, columns: Int = 512, subject: Subject = Subject(),
    seriesNumber: Int = 1
  ) throws(DICOMError) -> Dataset {
    var ds = Dataset(byteOrder: .little)
    if let cs = subject.characterSet { try ds.set(.specificCharacterSet, .CS, cs) }
    try setStudy(&ds, subject: subject)
    try ds.set(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2")
    try ds.set(.sopInstanceUID, .UI, uid(subject.studyNumber, seriesNumber, index + 1))
    try ds.set(tag("SeriesInstanceUID"), .UI, uid(subject.studyNumber, seriesNumber))
    try ds.set(tag("Modality"), .CS, "CT")
    try ds.set(tag("SeriesNumber"), .IS, String(seriesNumber))
    try ds.set(tag("SeriesDescription"), .LO, "AXIAL 2.5MM")
    try ds.set(tag("InstanceNumber"), .IS, String(index + 1))
    try ds.set(tag("ImageType"), .CS, ["ORIGINAL", "PRIMARY", "AXIAL"])
    try ds.set(tag("BodyPartExamined"), .CS, "HEAD")
    try ds.set(tag("SliceThickness"), .DS, "2.5")
    try ds.set(tag("KVP"), .DS, "120")
    let z = -Double(count) * 1.25 + Double(index) * 2.5
    let spacing = 240.0 / Double(columns)
    try ds.set(tag("ImagePositionPatient"), .DS, ["-120", "-120", format(z)])
    try ds.set(tag("ImageOrientationPatient"), .DS, ["1", "0", "0", "0", "1", "0"])
    try ds.set(tag("SliceLocation"), .DS, format(z))
    try ds.set(tag("PixelSpacing"), .DS, [format(spacing), format(spacing)])
    try setGrayscaleImage(&ds, rows: rows, columns: columns, bits: 16, signed: true)
    ds.set(tag("PixelPaddingValue"), .SS, integers: [Int16(-2000)])
    try ds.set(tag("WindowCenter"), .DS, ["40", "-600"])
    try ds.set(tag("WindowWidth"), .DS, ["400", "1500"])
    try ds.set(tag("WindowCenterWidthExplanation"), .LO, ["BRAIN", "LUNG"])
    try ds.set(tag("RescaleIntercept"), .DS, "-1024")
    try ds.set(tag("RescaleSlope"), .DS, "1")
    try ds.set(tag("RescaleType"), .LO, "HU")
    let hu = headPhantom(rows: rows, columns: columns, z: (Double(index) + 0.5) / Double(count) * 2 - 1)
    let stored = hu.map { $0 == Int16.min ? Int16(-2000) : $0 &+ 1024 }
    ds.set(.pixelData, .OW, integers: stored)
    return ds
  }

  /// A whole CT series of `count` slices.
  public static func ctSeries(count: Int, rows: Int = 512, columns: Int = 512, subject: Subject = Subject())
    throws(DICOMError) -> [Dataset]
  {
    var out: [Dataset] = []
    for i in 0..<count { out.append(try ctSlice(index: i, of: count, rows: rows, columns: columns, subject: subject)) }
    return out
  }

  static func setStudy(_ ds: inout Dataset, subject: Subject) throws(DICOMError) {
    try ds.set(tag("StudyDate"), .DA, subject.studyDate)
    try ds.set(tag("StudyTime"), .TM, subject.studyTime)
    try ds.set(tag("AccessionNumber"), .SH, subject.accession)
    try ds.set(tag("ReferringPhysicianName"), .PN, "")
    try ds.set(tag("StudyDescription"), .LO, subject.studyDescription)
    try ds.set(tag("PatientName"), .PN, subject.patientName)
    try ds.set(tag("PatientID"), .LO, subject.patientID)
    try ds.set(tag("PatientBirthDate"), .DA, subject.birthDate)
    try ds.set(tag("PatientSex"), .CS, subject.sex)
    try ds.set(tag("StudyInstanceUID"), .UI, uid(subject.studyNumber))
    try ds.set(tag("StudyID"), .SH, String(subject.studyNumber))
  }

  /// Hounsfield units of a head phantom cross-section at height z in [-1, 1]; Int16.min outside the scan circle.
  public static func headPhantom(rows: Int, columns: Int, z: Double) -> [Int16] {
    struct Ellipsoid { let cx, cy, cz, a, b, c: Double; let hu: Double }
    let shapes = [
      Ellipsoid(cx: 0, cy: 0, cz: 0, a: 0.72, b: 0.92, c: 1.1, hu: 2000),  // skull: 1000 HU
      Ellipsoid(cx: 0, cy: -0.02, cz: 0, a: 0.66, b: 0.86, c: 1.0, hu: -960),  // brain: 40 HU
      Ellipsoid(cx: 0.22, cy: 0, cz: 0.1, a: 0.11, b: 0.31, c: 0.5, hu: -35),  // right ventricle (CSF, 5 HU)
      Ellipsoid(cx: -0.22, cy: 0, cz: 0.1, a: 0.16, b: 0.41, c: 0.5, hu: -35),  // left ventricle
      Ellipsoid(cx: 0, cy: 0.35, cz: -0.2, a: 0.21, b: 0.25, c: 0.3, hu: 30),  // lesion
      Ellipsoid(cx: -0.08, cy: -0.6, cz: 0.3, a: 0.046, b: 0.046, c: 0.1, hu: 25),
      Ellipsoid(cx: 0.06, cy: -0.6, cz: -0.3, a: 0.046, b: 0.023, c: 0.1, hu: 35),
      Ellipsoid(cx: 0, cy: -0.1, cz: 0, a: 0.046, b: 0.046, c: 0.6, hu: 20),
    ]
    var out = [Int16](repeating: -1000, count: rows * columns)
    for y in 0..<rows {
      let py = (Double(y) + 0.5) / Double(rows) * 2 - 1
      for x in 0..<columns {
        let px = (Double(x) + 0.5) / Double(columns) * 2 - 1
        if px * px + py * py > 1 {
          out[y * columns + x] = Int16.min
          continue
        }
        var hu = -1000.0
        for s in shapes {
          let dx = (px - s.cx) / s.a
          let dy = (py - s.cy) / s.b
          let dz = (z - s.cz) / s.c
          if dx * dx + dy * dy + dz * dz <= 1 { hu += s.hu }
        }
        // Soft shading inside the head (as a scanner's beam hardening and partial volume give), and a
        // little deterministic texture, so windows show gradations rather than flat plates.
        if hu > -900 { hu += 25 * sin(px * 3.1 + z) * cos(py * 2.3) + 15 * px * py }
        hu += Double((x &* 7 &+ y &* 13) % 9) - 4
        out[y * columns + x] = Int16(max(-1024, min(3071, hu)))
      }
    }
    return out
  }

  /// The Image Pixel module of a single-sample MONOCHROME2 image.
  static func setGrayscaleImage(_ ds: inout Dataset, rows: Int, columns: Int, bits: UInt16, signed: Bool)
    throws(DICOMError)
  {
    ds.set(tag("SamplesPerPixel"), .US, integers: [UInt16(1)])
    try ds.set(tag("PhotometricInterpretation"), .CS, "MONOCHROME2")
    ds.set(tag("Rows"), .US, integers: [UInt16(rows)])
    ds.set(tag("Columns"), .US, integers: [UInt16(columns)])
    ds.set(tag("BitsAllocated"), .US, integers: [bits])
    ds.set(tag("BitsStored"), .US, integers: [bits])
    ds.set(tag("HighBit"), .US, integers: [bits - 1])
    ds.set(.pixelRepresentation, .US, integers: [UInt16(signed ? 1 : 0)])
  }

  static func tag(_ keyword: String) -> Tag {
    guard let t = DataDictionary.tag(forKeyword: keyword) else { preconditionFailure("no keyword \(keyword)") }
    return t
  }

  static func format(_ v: Double) -> String {
    let s = String(v)
    return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
  }
}
