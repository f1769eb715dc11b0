public import DICOM

/// Studies for reading with priors: one patient's current CT (a coronal scout and axial slices) and a
/// prior a year before with its own Frame of Reference, thicker slices and the table elsewhere, so the
/// same anatomy lies at other z. Every place is known to the test that reads them.
extension SyntheticData {
  /// Where a comparison study's slices lie.
  public struct ComparisonLayout: Sendable {
    /// The current study's axial slices: z of the first, the step (also their thickness), how many.
    public var currentStart = -40.0
    public var currentStep = 2.5
    public var currentCount = 20
    /// The prior's: thicker, and the table 12 mm higher.
    public var priorStart = -28.0
    public var priorStep = 5.0
    public var priorCount = 10
    /// The scout: a coronal image at y = 0, its first row at z = `scoutTop`, rows going down (feet-ward).
    public var scoutTop = 100.0
    public var size = 64
    /// Pixel spacing of every image, mm.
    public var spacing: Double { 240.0 / Double(size) }

    public init() {}
  }

  /// The current study (study 11: series 1 the scout, series 2 the axial slices) and the prior (study 12,
  /// a year before: series 1 axial), as datasets in that order.
  public static func comparisonStudies(_ layout: ComparisonLayout = ComparisonLayout()) throws(DICOMError) -> (
    scout: Dataset, current: [Dataset], prior: [Dataset]
  ) {
    var current = Subject()
    current.studyNumber = 11
    current.studyDate = "20260115"
    current.studyDescription = "CT HEAD FOLLOW-UP"
    var prior = current
    prior.studyNumber = 12
    prior.studyDate = "20250110"
    prior.accession = "ACC0000"
    prior.studyDescription = "CT HEAD"
    func axial(_ subject: Subject, _ i: Int, _ count: Int, z: Double, step: Double, series: Int, frame: String)
      throws(DICOMError) -> Dataset
    {
      var ds = try ctSlice(
        index: i, of: count, rows: layout.size, columns: layout.size, subject: subject, seriesNumber: series)
      try ds.set(tag("ImagePositionPatient"), .DS, ["-120", "-120", format(z)])
      try ds.set(tag("SliceLocation"), .DS, format(z))
      try ds.set(tag("SliceThickness"), .DS, format(step))
      try ds.set(tag("PixelSpacing"), .DS, [format(layout.spacing), format(layout.spacing)])
      try ds.set(Tag.frameOfReferenceUID, .UI, frame)
      return ds
    }
    var scout = try ctSlice(index: 0, of: 1, rows: layout.size, columns: layout.size, subject: current, seriesNumber: 1)
    try scout.set(tag("SeriesDescription"), .LO, "SCOUT")
    try scout.set(tag("ImageType"), .CS, ["ORIGINAL", "PRIMARY", "LOCALIZER"])
    try scout.set(tag("ImagePositionPatient"), .DS, ["-120", "0", format(layout.scoutTop)])
    try scout.set(tag("ImageOrientationPatient"), .DS, ["1", "0", "0", "0", "0", "-1"])
    try scout.set(tag("PixelSpacing"), .DS, [format(layout.spacing), format(layout.spacing)])
    scout.remove(tag("SliceLocation"))
    try scout.set(Tag.frameOfReferenceUID, .UI, uid(11, 0))
    var axials: [Dataset] = []
    for i in 0..<layout.currentCount {
      axials.append(
        try axial(
          current, i, layout.currentCount, z: layout.currentStart + Double(i) * layout.currentStep,
          step: layout.currentStep, series: 2, frame: uid(11, 0)))
    }
    var priors: [Dataset] = []
    for i in 0..<layout.priorCount {
      priors.append(
        try axial(
          prior, i, layout.priorCount, z: layout.priorStart + Double(i) * layout.priorStep, step: layout.priorStep,
          series: 1, frame: uid(12, 0)))
    }
    return (scout, axials, priors)
  }
}
