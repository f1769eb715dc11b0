public import Archive
public import DICOMImaging

/// What happens to the workstation: keys, a new terminal size, and the answers of effects.
public enum Msg: Sendable {
  /// A key by name: "j", "G", "Enter", "Esc", "Up", "PageDown", "C-c", "F1".
  case key(String)
  case resize(columns: Int, rows: Int)
  /// The mouse moved with its button held by this many cells (window and level, like a light box).
  case drag(columns: Int, rows: Int)
  case studiesLoaded([StudyQuery.Study])
  /// A remote node's studies from C-FIND, with the UIDs of those already local.
  case remoteStudiesLoaded(node: String, [StudyQuery.Study], local: Set<String>)
  /// A retrieval job moved on or ended.
  case job(studyInstanceUID: String, JobProgress)
  case seriesLoaded(studyInstanceUID: String, [LocalArchive.SeriesSummary])
  /// A remote study's series (to retrieve one of them).
  case remoteSeriesLoaded(studyInstanceUID: String, [LocalArchive.SeriesSummary])
  case seriesOpened(Viewer)
  /// A series' instances as the archive holds them now (more arrive during a retrieval).
  case pathsLoaded(seriesInstanceUID: String, [ViewerStack])
  /// What rendering a pane's slice found (the active pane's when `pane` is nil).
  case sliceRendered(SliceInfo, pane: Int? = nil)
  /// A series opened in another pane than the active one.
  case paneFilled(Int, Viewer)
  case tagsLoaded([String])
  /// Time for the next cine frame.
  case tick
  case failed(String)
  /// Something done in the background, said on the status line.
  case notice(String)
  /// A background job began, moved on or ended.
  case backgroundJob(BackgroundJob)
  /// A patient's studies from the archive (`node` nil) or a node, for the patient history.
  case historyLoaded(PatientKey, node: String?, [StudyQuery.Study])
  /// The marks of a study's key objects, read as it opened.
  case keyImagesLoaded(studyInstanceUID: String, Set<KeyImages.Mark>)
  /// The measurements kept on a series' frames, read as it opened.
  case measurementsLoaded(seriesInstanceUID: String, [StackSlice: [KeptMeasurement]])
  /// The study's marks were kept as a key object.
  case keyImagesSaved(studyInstanceUID: String)
  /// The node's rendering of an instance on its way is here to show until its pixels are.
  case previewArrived(sopInstanceUID: String)
}

/// What `update` asks the runtime to do; the answers come back as messages.
public enum Effect: Sendable, Equatable {
  case loadStudies(StudyQuery)
  case findRemote(node: String, StudyQuery)
  /// A study, or one series of it, from a node into the local archive.
  case retrieve(node: String, studyInstanceUID: String, seriesInstanceUID: String? = nil)
  /// A remote study's series, by C-FIND at series level.
  case findRemoteSeries(node: String, studyInstanceUID: String)
  case cancelRetrieve(studyInstanceUID: String)
  /// The node's own rendering of an instance still on its way (DICOMweb `/rendered`), at the viewer's
  /// window when the reader set one.
  case fetchPreview(
    node: String, studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String, window: Window?)
  case loadSeries(studyInstanceUID: String)
  case openSeries(studyInstanceUID: String, seriesInstanceUID: String)
  case loadPaths(seriesInstanceUID: String)
  /// Shows a series of the open study in pane `pane` (a layout with more panes, or the next series).
  case fillPane(Int, studyInstanceUID: String, seriesInstanceUID: String)
  /// The sends an earlier session left unfinished, listed as jobs to resume.
  case loadUnfinishedSends
  /// A send stopped between its batches (it can be resumed).
  case cancelJob(id: Int)
  /// What an interrupted send left unsent, sent.
  case resumeJob(id: Int)
  /// A patient's studies in the archive, for the patient history.
  case loadHistory(PatientKey)
  /// A patient's studies on a node (C-FIND or QIDO by Patient ID and issuer), in the background.
  case findHistory(node: String, PatientKey)
  /// Another local study (a prior) in pane `pane`, beside the study read: its series most like the active
  /// pane's (same modality and plane, then description, then the most images).
  case openBeside(Int, studyInstanceUID: String)
  /// The current slice's elements for the tag browser.
  case loadTags(path: String)
  /// A local study, or one series of it, de-identified (PS3.15 Annex E basic profile) into a folder or
  /// onto a node.
  case anonymize(studyInstanceUID: String, seriesInstanceUID: String?, to: Destination)
  /// A local study, or one series of it, passed on as stored: sent to a node, or (a whole study) written
  /// to a folder as DICOM media under a DICOMDIR.
  case passOn(studyInstanceUID: String, seriesInstanceUID: String?, to: Destination)
  /// A measurement kept in the archive's index.
  case keepMeasurement(KeptMeasurement)
  /// The measurements kept on one frame of an image taken away.
  case removeMeasurements(sopInstanceUID: String, frame: Int)
  /// A study's kept measurements said on the status line with their values.
  case listMeasurements(studyInstanceUID: String)
  /// A study's kept measurements written to a file as JSON.
  case exportMeasurements(studyInstanceUID: String, to: String)
  /// A study's key images said on the status line by series and slice.
  case listKeyImages(studyInstanceUID: String, marks: [KeyImages.Mark])
  /// A study's key images kept as a Key Object Selection document in the archive.
  case saveKeyImages(studyInstanceUID: String, marks: [KeyImages.Mark], note: String?)
  case quit
}

/// Where a study goes: a folder, or a configured node (de-identified copies are sent, then removed here).
public enum Destination: Sendable, Equatable {
  case folder(String)
  case node(String)
}

/// Everything a key can be bound to. The raw values are the names used in keymap files.
public enum Action: String, Sendable, CaseIterable {
  case up, down, pageUp = "page_up", pageDown = "page_down", first, last
  case open, back, quit, help, search, command
  case nextSlice = "next_slice", previousSlice = "previous_slice", nextPage = "next_page", previousPage =
    "previous_page"
  case firstSlice = "first_slice", lastSlice = "last_slice"
  case wider, narrower, brighter, darker
  case widerFine = "wider_fine", narrowerFine = "narrower_fine", brighterFine = "brighter_fine", darkerFine =
    "darker_fine"
  case preset1 = "preset_1", preset2 = "preset_2", preset3 = "preset_3", preset4 = "preset_4", preset5 = "preset_5"
  case preset6 = "preset_6", preset7 = "preset_7", preset8 = "preset_8"
  case fileWindow = "file_window", autoWindow = "auto_window", invert, zoomIn = "zoom_in", zoomOut = "zoom_out", fit,
    tags, cine
  case nextSource = "next_source", sort, searchForm = "search_form"
  case cancelJob = "cancel_job", remoteSeries = "remote_series"
  case panLeft = "pan_left", panRight = "pan_right", panUp = "pan_up", panDown = "pan_down"
  case actualSize = "actual_size", measure, region
  case nextLayout = "next_layout", nextPane = "next_pane", nextSeries = "next_series", previousSeries =
    "previous_series"
  case nextStack = "next_stack", previousStack = "previous_stack"
  case presentationState = "presentation_state"
  case probe, probeLeft = "probe_left", probeRight = "probe_right", probeUp = "probe_up", probeDown = "probe_down"
  case privacy
  case overlays
  case history, openPrior = "open_prior", jobs
  case keyImage = "key_image", nextKeyImage = "next_key_image", previousKeyImage = "previous_key_image"

  /// 0-based index into `Presets.ordered` for preset actions.
  public var presetIndex: Int? {
    guard rawValue.hasPrefix("preset_"), let n = Int(rawValue.dropFirst(7)), (1...Presets.ordered.count).contains(n)
    else { return nil }
    return n - 1
  }

  /// What the help screen says.
  public var summary: String {
    switch self {
    case .up: "move up"
    case .down: "move down"
    case .pageUp: "page up"
    case .pageDown: "page down"
    case .first: "first row"
    case .last: "last row"
    case .open: "open"
    case .back: "back"
    case .quit: "quit"
    case .help: "this help"
    case .search: "search patient name"
    case .command:
      "command line (:wl W L, :preset NAME, :find KEY=VALUE, :send NODE, :media DIR, :anonymize DIR | node NAME, :q)"
    case .nextSlice: "next slice"
    case .previousSlice: "previous slice"
    case .nextPage: "ten slices on"
    case .previousPage: "ten slices back"
    case .firstSlice: "first slice"
    case .lastSlice: "last slice"
    case .wider: "window wider"
    case .narrower: "window narrower"
    case .brighter: "level down (brighter)"
    case .darker: "level up (darker)"
    case .widerFine: "window wider, fine"
    case .narrowerFine: "window narrower, fine"
    case .brighterFine: "level down, fine"
    case .darkerFine: "level up, fine"
    case .fileWindow: "the file's own windows, one after another"
    case .autoWindow: "automatic window (1st to 99th percentile of the slice)"
    case .invert: "invert"
    case .overlays: "overlays on/off"
    case .history: "the patient's history: every study, here and on the nodes"
    case .jobs: "jobs: retrievals, sends and exports, with progress (x cancels, Enter resumes a send)"
    case .openPrior: "open the history's selected study beside the one read"
    case .keyImage: "mark or unmark the slice as a key image"
    case .nextKeyImage: "next key image"
    case .previousKeyImage: "previous key image"
    case .zoomIn: "zoom in"
    case .zoomOut: "zoom out"
    case .fit: "fit to the screen"
    case .tags: "DICOM tag browser (/ filters)"
    case .cine: "cine on/off (:cine FPS sets the rate)"
    case .nextSource: "next study list: local, then each remote node"
    case .searchForm: "search form: name, ID, date range, modality, accession, description"
    case .sort: "next sort order (date, name, id, modality, description)"
    case .cancelJob: "cancel the selected study's retrieval"
    case .remoteSeries: "a remote study's series (Enter there retrieves one)"
    case .panLeft: "pan left (when zoomed)"
    case .panRight: "pan right"
    case .panUp: "pan up"
    case .panDown: "pan down"
    case .nextLayout: "layout: 1x1, 1x2, 2x2 (:layout 2x2); panes scroll together (:sync off)"
    case .nextPane: "next pane"
    case .nextSeries: "next series in this pane"
    case .previousSeries: "previous series in this pane"
    case .nextStack: "next stack of the series (another plane: its scout, a localizer)"
    case .previousStack: "previous stack of the series"
    case .presentationState: "presentation state: none, then each of the study's by its label"
    case .actualSize: "1:1, one image pixel to one screen pixel (f fits again)"
    case .measure: "distance from the probe's point to where the probe moves, in mm (again: kept)"
    case .region: "rectangle from the probe's point: mean, SD and area (again: kept)"
    case .probe: "pixel probe on/off (value in modality units)"
    case .probeLeft: "probe left"
    case .probeRight: "probe right"
    case .probeUp: "probe up"
    case .probeDown: "probe down"
    case .privacy: "privacy screen on/off: hides names, IDs, birth dates, accession numbers (:privacy on|off)"
    default: "preset " + (presetIndex.map { Presets.ordered[$0].name } ?? "")
    }
  }
}

/// CT presets in number-key order (REFERENCE: OHIF's set and the common additions).
public enum Presets {
  public static let ordered: [(name: String, key: String)] = [
    ("soft-tissue", "1"), ("lung", "2"), ("liver", "3"), ("bone", "4"), ("brain", "5"), ("mediastinum", "6"),
    ("subdural", "7"), ("stroke", "8"),
  ]
}
