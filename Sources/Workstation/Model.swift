public import Archive
public import DICOMImaging
import Foundation

/// Everything the workstation shows, as a value: `update` changes it, the view only reads it.
public struct Model: Sendable {
  public enum Screen: String, Sendable, Equatable { case studies, series, viewer, tags, help, history, jobs }

  public var screen: Screen = .studies
  /// The screen to return to from help.
  public var previousScreen: Screen = .studies
  public var size = (columns: 80, rows: 24)
  /// Distinct grays the terminal's picture protocol shows (set by the view); under 256 the corner says so.
  public var grayLevels = 256

  public var query = StudyQuery()
  /// The study list's tabs: the local archive first, then each remote node.
  public var sources: [String] = ["Local"]
  public var sourceIndex = 0
  /// Study UIDs held locally, to mark remote rows that need no retrieval.
  public var localStudyUIDs: Set<String> = []
  /// Retrieval jobs by Study Instance UID.
  public var jobs: [String: JobProgress] = [:]
  /// Sends, media and de-identified copies, as the runtime reports them (in the order begun).
  public var backgroundJobs: [BackgroundJob] = []
  /// The job selected on the jobs screen, and the screen to return to from it.
  public var jobIndex = 0
  public var screenBeforeJobs: Screen = .studies
  /// The node each retrieve under way comes from, by Study Instance UID.
  public var retrievingFrom: [String: String] = [:]
  /// Instances on their way whose preview was asked for (once each).
  public var previewsAsked: Set<String> = []
  /// The study whose retrieval the reader started last (or that `biloba PATH` imported): it opens as
  /// soon as it is in the archive, straight into the viewer when it holds one series.
  public var openWhenArrived: String?
  /// Set when a study opens by itself: a study of one series goes on to the viewer.
  public var openSingleSeries = false
  public var isRemote: Bool { sourceIndex > 0 }
  /// Today as YYYYMMDD, set by the runtime: date shortcuts (`today`, `7d`) are computed from it.
  public var today = "20260101"
  /// The study list's order.
  public var sort: StudySort = .date

  public enum StudySort: String, Sendable, CaseIterable {
    case date, name, id, modality, description

    /// Sorts a study list: newest first for dates, alphabetical for the rest. A list already in that
    /// order (the archive answers newest first) is returned after one pass, not sorted again.
    public func apply(_ studies: [StudyQuery.Study]) -> [StudyQuery.Study] {
      if self == .date
        && zip(studies, studies.dropFirst()).allSatisfy({ ($0.studyDate, $0.studyTime) >= ($1.studyDate, $1.studyTime) }
        )
      {
        return studies
      }
      return switch self {
      case .date: studies.sorted { ($0.studyDate, $0.studyTime) > ($1.studyDate, $1.studyTime) }
      case .name: studies.sorted { $0.patientName.localizedCaseInsensitiveCompare($1.patientName) == .orderedAscending }
      case .id: studies.sorted { $0.patientID < $1.patientID }
      case .modality: studies.sorted { $0.modalities < $1.modalities }
      case .description:
        studies.sorted { $0.description.localizedCaseInsensitiveCompare($1.description) == .orderedAscending }
      }
    }
  }
  public var source: String { sources.indices.contains(sourceIndex) ? sources[sourceIndex] : "Local" }
  public var studies: [StudyQuery.Study] = []
  public var studyIndex = 0

  public var series: [LocalArchive.SeriesSummary] = []
  /// The series list shows a remote study's series (from C-FIND), not the archive's.
  public var seriesAreRemote = false
  public var seriesIndex = 0

  /// The viewer's panes (one, two side by side, or four) and the one keys act on. Scrolling moves them
  /// all together when `syncScroll` is on.
  public var panes: [Viewer] = []
  public var activePane = 0
  public var layout: Layout = .single
  public var syncScroll = true
  /// Window, level and inversion set on the active pane apply to all (`:link on`), as when reading a
  /// prior beside the current study.
  public var linkWindow = false

  public enum Layout: String, Sendable, CaseIterable {
    case single = "1x1", sideBySide = "1x2", grid = "2x2"

    public var paneCount: Int {
      switch self {
      case .single: 1
      case .sideBySide: 2
      case .grid: 4
      }
    }
  }

  /// The active pane's viewer (nil when no series is open).
  public var viewer: Viewer? {
    get { panes.indices.contains(activePane) ? panes[activePane] : nil }
    set {
      if let newValue {
        if panes.indices.contains(activePane) { panes[activePane] = newValue } else { panes = [newValue] }
      } else {
        panes = []
      }
      activePane = min(activePane, max(0, panes.count - 1))
    }
  }

  /// The patient history of the study read: whose it is, its studies newest first, the one selected (what
  /// `o` opens beside), and whether the panel beside the viewer shows (nil: from 160 columns).
  public var historyOf: PatientKey?
  public var history: [HistoryEntry] = []
  public var historyIndex = 0
  public var historyPanel: Bool?
  /// A prior being retrieved to open beside the study read once it is here.
  public var openBesideWhenArrived: String?
  /// Columns of the history panel beside the viewer (its separator included).
  public static let historyPanelColumns = 34

  /// Whether the history panel shows beside the viewer: when the patient has another study (a panel of
  /// the study read alone would only take width from the image).
  public var showsHistoryPanel: Bool {
    screen == .viewer && history.contains { $0.study.studyInstanceUID != viewer?.study.studyInstanceUID }
      && (historyPanel ?? (size.columns >= 160)) && size.columns >= 2 * Self.historyPanelColumns
  }

  /// The tag browser: the current slice's elements as dump lines, a filter, and the first line shown.
  public var tags: [String] = []
  public var tagFilter = ""
  public var tagTop = 0
  /// The help screen's first line shown, when its lines are more than the screen's rows.
  public var helpTop = 0
  /// The tag lines shown: masked by the privacy screen when it is on (the filter matches what is
  /// shown, so it cannot find a hidden value either), then filtered.
  public var visibleTags: [String] {
    let shown = privacy ? tags.map(PrivacyScreen.tagLine) : tags
    return tagFilter.isEmpty ? shown : shown.filter { $0.localizedCaseInsensitiveContains(tagFilter) }
  }

  /// Key images by Study Instance UID: the marked frames, as the study's key objects held them when it
  /// opened and as the reader marked since.
  public var keyImages: [String: Set<KeyImages.Mark>] = [:]
  /// Studies whose marks changed since they were read or saved (read again, they are kept as they are).
  public var keyImagesUnsaved: Set<String> = []

  /// The privacy screen: names, IDs, birth dates and accession numbers hidden everywhere on screen.
  public var privacy = false

  /// The study search form while it is open (keys go to its fields).
  public var form: SearchForm?
  /// Text being typed after `:` (a command) or `/` (a patient name search); nil when not typing.
  public var prompt: Prompt?
  /// Digits typed before a motion (vim counts like `15j`).
  public var count = ""
  /// Keys typed so far of a multi-key binding (`g` of `gg`).
  public var pendingKeys: [String] = []
  /// One line for the user: what happened, what went wrong.
  public var status = ""
  public var quit = false

  public init() {}

  public struct Prompt: Sendable, Equatable {
    public enum Kind: String, Sendable { case command = ":", search = "/" }
    public var kind: Kind
    public var text: String
  }

  public var selectedStudy: StudyQuery.Study? { studies.indices.contains(studyIndex) ? studies[studyIndex] : nil }
  public var selectedSeries: LocalArchive.SeriesSummary? {
    series.indices.contains(seriesIndex) ? series[seriesIndex] : nil
  }
}

/// One stack of a series: the frames of one plane and acquisition in reading order, or those without a
/// position. A series of several planes (a scout and its axial slices, three localizers), echoes or
/// temporal positions is several stacks, as Weasis splits it; the reader moves between them.
public struct ViewerStack: Sendable, Equatable {
  public var slices: [StackSlice]
  /// "gap" or "uneven" when the stack's spacing is not even (the corner marks it).
  public var spacingNote: String?
  /// The plane as the corner names it (AX, SAG, COR, OBL), with its acquisition when the series has several
  /// ("AX E2", "AX T3"); nil for frames without a position.
  public var plane: String?
  /// Where the reader is in it (kept while another stack is shown).
  public var index = 0
  /// Each slice's place along the plane's normal, mm, as indexed (nil where unknown): what synchronized
  /// scrolling pairs slices by, and what places a slice not yet drawn.
  public var positions: [Double?]

  public init(slices: [StackSlice], spacingNote: String? = nil, plane: String? = nil, positions: [Double?] = []) {
    self.slices = slices
    self.spacingNote = spacingNote
    self.plane = plane
    self.positions = positions.count == slices.count ? positions : Array(repeating: nil, count: slices.count)
  }
}

/// The viewer of one series: which stack and slice, how it is windowed and shown.
public struct Viewer: Sendable {
  public var study: StudyQuery.Study
  public var series: LocalArchive.SeriesSummary
  /// The series' stacks (one for most series); never empty.
  public var stacks: [ViewerStack] {
    didSet {
      if stacks.isEmpty { stacks = [ViewerStack(slices: [])] }
      if stackIndex >= stacks.count { stackIndex = stacks.count - 1 }
    }
  }
  public var stackIndex = 0 {
    didSet { stackIndex = max(0, min(stacks.count - 1, stackIndex)) }
  }
  /// The stack the reader scrolls: one entry a frame, each frame of a multi-frame object in turn.
  public var slices: [StackSlice] {
    get { stacks[stackIndex].slices }
    set { stacks[stackIndex].slices = newValue }
  }
  public var index: Int {
    get { stacks[stackIndex].index }
    set { stacks[stackIndex].index = newValue }
  }
  /// "gap" or "uneven" when the stack's spacing is not even (the corner marks it).
  public var spacingNote: String? { stacks[stackIndex].spacingNote }
  /// The series' own frame rate, from its multi-frame objects (Frame Time, Recommended Display Frame
  /// Rate, Cine Rate): what cine plays at until the reader says otherwise.
  public var fileFrameRate: Double?
  /// nil: the file's own window (or an automatic one) until the user changes it.
  public var window: Window?
  public var windowName: String?
  /// Where the window comes from while `window` is nil: the file's first (automatic), its n-th, or
  /// the histogram (auto).
  public var voiSource: VOISelection = .automatic
  public var invert = false
  /// Overlay Planes drawn over the image (a key turns them off to see what is under them).
  public var overlays = true
  /// The study's presentation states for this series, and the one applied (nil: none, the image as it is).
  public var presentationStates: [PresentationChoice] = []
  public var presentation: Int?
  public var zoom = 1.0
  /// One image pixel to one screen pixel (cropped around the pan point) instead of fitting the area.
  public var actualSize = false
  /// Where a zoomed view looks, as an offset of its centre from the image's, in fractions of the image.
  public var pan = (x: 0.0, y: 0.0)
  /// Frames a second while cine runs; nil when stopped.
  public var cineRate: Double?
  /// The pixel probe's point in image pixels; nil when the probe is off.
  public var probe: (x: Int, y: Int)?
  /// A measurement from an anchor to the probe's point: a distance, or a rectangle's statistics.
  public var measure: Measure?
  /// The series of a prior's study, for `]` and `[` in its pane (empty: the study read, `Model.series`).
  public var studySeries: [LocalArchive.SeriesSummary] = []
  /// Where the active pane's slice cuts this pane's image (set by the core; nil when it does not).
  public var referenceLine: ReferenceLine?
  /// Added to the active pane's place when synchronized scrolling pairs this pane's slices with it, mm:
  /// how a prior study's table position differs from the current one's (`:offset` sets it).
  public var syncOffset = 0.0
  /// Measurements the reader kept on the series' frames (drawn whenever the frame is shown).
  public var kept: [StackSlice: [KeptMeasurement]] = [:]
  /// What the last render of the slice reported.
  public var slice: SliceInfo?
  /// Instances on their way whose node-rendered preview is here to show.
  public var previews: Set<String> = []

  public init(study: StudyQuery.Study, series: LocalArchive.SeriesSummary, slices: [StackSlice]) {
    self.init(study: study, series: series, stacks: [ViewerStack(slices: slices)])
  }

  /// A series of several stacks, opened on `shown`.
  public init(study: StudyQuery.Study, series: LocalArchive.SeriesSummary, stacks: [ViewerStack], shown: Int = 0) {
    self.study = study
    self.series = series
    self.stacks = stacks.isEmpty ? [ViewerStack(slices: [])] : stacks
    self.stackIndex = max(0, min(self.stacks.count - 1, shown))
  }

  /// A stack of single-frame files.
  public init(study: StudyQuery.Study, series: LocalArchive.SeriesSummary, paths: [String]) {
    self.init(study: study, series: series, slices: paths.map { StackSlice(path: $0, frame: 0) })
  }

  /// The file of each slice of the stack (a multi-frame file once a frame).
  public var paths: [String] {
    get { slices.map(\.path) }
    set { slices = newValue.map { StackSlice(path: $0, frame: 0) } }
  }

  /// The slice shown now, if the index is in the stack.
  public var current: StackSlice? { slices.indices.contains(index) ? slices[index] : nil }

  /// Where the slice shown now lies: the drawn slice's plane, moved along its normal to this slice's
  /// indexed place when it is another slice of the same stack (so a slice still on its way has one).
  public var currentPlane: ImagePlane? { plane(at: index) }

  /// Where slice `i` of the stack shown lies, as `currentPlane` finds it.
  public func plane(at i: Int) -> ImagePlane? {
    guard let drawn = slice, let plane = drawn.plane, let described = drawn.describes,
      slices.indices.contains(i)
    else { return nil }
    if described == slices[i] { return plane }
    // Positions set with the slices (a stack whose slices were replaced alone has none that count).
    let positions = stacks[stackIndex].positions
    guard positions.count == slices.count, let here = positions[i], slices.contains(described) else { return nil }
    return plane.moved(to: here)
  }
}

/// A presentation state the reader can apply: its file, and the label it is chosen by.
public struct PresentationChoice: Sendable, Equatable {
  public var path: String
  public var label: String

  public init(path: String, label: String) {
    self.path = path
    self.label = label
  }
}

/// One slice of a stack: a frame of a file (frame 0 of a single-frame one).
public typealias StackSlice = FrameReference

/// What a pane's picture shows, as a value: everything a render depends on. The core says what each pane
/// should show; the view compares this with what it last sent and draws a pane again only when it differs.
public struct PanePicture: Sendable, Equatable {
  public var path: String
  public var frame: Int
  public var window: Window?
  public var voiSource: VOISelection
  public var invert: Bool
  public var overlays: Bool
  /// The presentation state applied (its file), if any.
  public var presentation: String?
  public var zoom: Double
  public var panX: Double
  public var panY: Double
  public var actualSize: Bool
  public var probeX: Int?
  public var probeY: Int?
  public var measure: Measure?
  /// The measurements kept on the frame.
  public var kept: [KeptMeasurement] = []
  /// The line where the active pane's slice cuts this image.
  public var referenceLine: ReferenceLine?
  /// A slice on its way whose preview is here (drawn instead of nothing).
  public var preview = false
}

extension Viewer {
  /// The picture this viewer should show now.
  public var picture: PanePicture {
    PanePicture(
      path: current?.path ?? "", frame: current?.frame ?? 0, window: window, voiSource: voiSource, invert: invert,
      overlays: overlays, presentation: presentationInEffect?.path,
      zoom: zoom, panX: pan.x, panY: pan.y, actualSize: actualSize, probeX: probe?.x, probeY: probe?.y,
      measure: measure, kept: current.flatMap { kept[$0] } ?? [], referenceLine: referenceLine,
      preview: current.flatMap { PendingInstance.sopInstanceUID(ofPath: $0.path) }.map(previews.contains) ?? false)
  }

  /// The presentation state applied, if the choice is still among the study's.
  public var presentationInEffect: PresentationChoice? {
    presentation.flatMap { presentationStates.indices.contains($0) ? presentationStates[$0] : nil }
  }

  /// The window in effect: the one chosen, else the one the last render used, else soft tissue.
  var windowInEffect: Window { window ?? slice?.window ?? Window(center: 40, width: 400) }

  /// Moves the window by `width` and `level` steps, each a `step` fraction of its width (at least one
  /// unit): keys use a tenth (fine ones a hundredth), a mouse drag a fortieth per cell.
  mutating func nudgeWindow(width dw: Double, level dl: Double, step fraction: Double) {
    let current = windowInEffect
    let step = max(1, current.width * fraction)
    window = Window(center: current.center + dl * step, width: max(1, current.width + dw * step))
    windowName = nil
  }
}

/// A measurement's kind and its anchor in image pixels; the probe's point is its other end.
public enum Measure: Sendable, Equatable {
  case distance(x: Int, y: Int)
  case region(x: Int, y: Int)
}

/// What rendering a slice tells the view: the window in effect, where the slice lies, whether it is lossy.
public struct SliceInfo: Sendable, Equatable {
  /// The slice it describes: its place is shown only beside that slice's number, never a neighbour's.
  public var describes: StackSlice?
  /// The SOP Instance UID of the image it describes (what a kept measurement is filed under).
  public var sopInstanceUID: String?
  /// Where the slice lies in the patient, when the file says.
  public var plane: ImagePlane?
  public var window: Window?
  public var sliceLocation: Double?
  public var thickness: Double?
  public var isLossy: Bool
  public var rows: Int
  public var columns: Int
  /// The modality value under the probe (HU for CT), and its unit when the file names one.
  public var probeValue: Double?
  public var units: String?
  /// The measurement's result, when one is drawn.
  public var measured: Measured?
  /// The windows the file offers, by their explanations (or "W/L"), for cycling through them.
  public var fileWindows: [String] = []
  /// The picture on screen is a preview (fewer pixels or grays, sent while keys come faster than full
  /// pictures fit the link); the full one follows when the reader stops.
  public var isPreview = false
  /// The presentation state's label and its text annotations, when one applies to the slice.
  public var presentationLabel: String?
  public var annotationTexts: [String] = []
  /// The part of the image shown, as fractions of its width and height (1 when all of it is).
  public var shownWidth = 1.0
  public var shownHeight = 1.0
  public var shownFraction: (width: Double, height: Double) {
    get { (shownWidth, shownHeight) }
    set { (shownWidth, shownHeight) = newValue }
  }

  public init(
    window: Window?, sliceLocation: Double?, thickness: Double? = nil, isLossy: Bool, rows: Int, columns: Int,
    probeValue: Double? = nil,
    units: String? = nil
  ) {
    self.window = window
    self.sliceLocation = sliceLocation
    self.thickness = thickness
    self.isLossy = isLossy
    self.rows = rows
    self.columns = columns
    self.probeValue = probeValue
    self.units = units
  }
}
