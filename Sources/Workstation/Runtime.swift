public import Archive
public import Audit
import DICOM
public import DICOMImaging
public import RasterCore
import Dispatch
import Synchronization

/// Carries out the core's effects against the local archive and the pixel pipeline, and answers with
/// messages. Rendering a slice returns the raster for the view to put on the screen.
public final class Runtime: Sendable {
  public let archive: LocalArchive
  public let remote: (any RemoteCatalog)?
  /// Retrievals under way, by Study Instance UID, so they can be cancelled.
  private let retrievals = RetrievalTasks()

  /// Tasks by Study Instance UID, shared with the tasks themselves (which remove their own entry).
  final class RetrievalTasks: Sendable {
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])
    func set(_ uid: String, _ task: Task<Void, Never>) { tasks.withLock { $0[uid] = task } }
    func remove(_ uid: String) -> Task<Void, Never>? { tasks.withLock { $0.removeValue(forKey: uid) } }
  }

  /// Slices decoded lately and ahead of the reader, so a change of window, zoom or probe, or the next
  /// slice, draws without reading or decoding again: one a pane, those read ahead, a few behind, and
  /// never more than 128 MiB (one 4000x5000 mammogram decodes to 80 MB).
  private let frames = FrameCache(capacityBytes: 128 << 20, maxEntries: 16)
  /// The headers of those slices (windows, rescale, size), most recently used first: small, as pixel
  /// data stays in the file.
  private let images = Mutex<[(path: String, image: DICOMImage)]>([])
  static let imagesKept = 64
  /// Slices decoded ahead of the reader, in the direction of scrolling.
  public static let readAhead = 4
  /// Presentation states read, by file (small, and read again at every render otherwise).
  let presentationStates = Mutex<[String: PresentationState]>([:])
  /// Slices being decoded ahead now, each with the signal a render waiting for it gets when it is done.
  private let readingAhead = Mutex<[FrameCache.Key: DispatchSemaphore]>([:])
  /// The factor the last render decoded at: what reading ahead decodes at too.
  private let lastDownscale = Mutex(1)

  /// A slice decoded at 1/`downscale` a side (a whole one kept already serves any factor).
  func decoded(_ slice: StackSlice, downscale: Int = 1) throws(ImagingError) -> (DICOMImage, DecodedFrame) {
    if let hit = cached(slice, downscale: downscale) { return hit }
    // Being decoded ahead already: wait for that decode rather than do it twice.
    if let ahead = readingAhead.withLock({ $0[FrameCache.Key(reference: slice, downscale: downscale)] }) {
      _ = ahead.wait(timeout: .now() + .seconds(5))
      if let hit = cached(slice, downscale: downscale) { return hit }
    }
    let image = try header(slice.path)
    let frame = try image.decodeFrame(slice.frame, downscale: downscale)
    frames.put(slice, downscale: downscale, frame)
    return (image, frame)
  }

  /// A file's image header, kept: the frames of a multi-frame object share it.
  func header(_ path: String) throws(ImagingError) -> DICOMImage {
    let kept = images.withLock { kept -> DICOMImage? in
      guard let i = kept.firstIndex(where: { $0.path == path }) else { return nil }
      let hit = kept.remove(at: i)
      kept.insert(hit, at: 0)
      return hit.image
    }
    if let kept { return kept }
    let image = try DICOMImage(path: path)
    images.withLock {
      $0.insert((path, image), at: 0)
      if $0.count > Self.imagesKept { $0.removeLast() }
    }
    return image
  }

  private func cached(_ slice: StackSlice, downscale: Int) -> (DICOMImage, DecodedFrame)? {
    guard let frame = frames.get(slice, downscale: downscale) ?? (downscale > 1 ? frames.get(slice) : nil) else {
      return nil
    }
    return (try? header(slice.path)).map { ($0, frame) }
  }

  /// The factor to decode a fitted image at: the largest power of two that leaves at least the pixels
  /// the view shows (`fit` of the whole image); 1 when zoomed, at 1:1 or probing, which need every pixel.
  static func downscale(for viewer: Viewer, image: DICOMImage, fit: (Int, Int) -> (width: Int, height: Int)) -> Int {
    guard !viewer.actualSize, viewer.zoom <= 1, viewer.probe == nil else { return 1 }
    return image.downscale(toShow: fit(image.pixel.columns, image.pixel.rows))
  }

  /// Instances a retrieve has listed and not yet brought, by study and series: stand-ins in the stacks.
  let pending = Mutex<[String: [String: [PendingInstance]]]>([:])

  /// The instances still coming for a series.
  func pending(series: String) -> [PendingInstance] {
    pending.withLock { studies in studies.values.compactMap { $0[series] }.first ?? [] }
  }

  /// A series' instances as the archive holds them, with the ones on their way in their places.
  func instances(series: String) throws(ArchiveError) -> [SliceOrder.Slice] {
    try archive.instances(seriesInstanceUID: series, pending: pending(series: series))
  }

  /// Node-rendered previews of instances on their way, by SOP Instance UID (a few: each is replaced by its
  /// slice within seconds).
  let previewRasters = Mutex<[String: Raster]>([:])
  static let previewsKept = 32
  /// The most pixels the view's image area held at its last render: what a preview is asked at.
  let lastBox = Mutex<(width: Int, height: Int)>((512, 512))

  /// Where the reader is, for a retrieve under way to fetch around it: set by each render.
  let reading = Mutex<ReadingPosition?>(nil)

  func noteReading(_ series: String, _ instanceNumber: Int?) {
    guard let instanceNumber else { return }
    reading.withLock { last in
      let step = last.flatMap { $0.seriesInstanceUID == series ? instanceNumber - $0.instanceNumber : nil } ?? 0
      let direction = step == 0 ? (last?.direction ?? 1) : step.signum()
      last = ReadingPosition(seriesInstanceUID: series, instanceNumber: instanceNumber, direction: direction)
    }
  }

  /// Decodes `slices` in the background, in order, into the slices kept, so scrolling on waits for the
  /// terminal and not for decoding (at the factor the view last drew at). Frames that fail are left for
  /// the render to report.
  public func prefetch(_ slices: [StackSlice]) {
    let downscale = lastDownscale.withLock { $0 }
    let wanted = slices.filter { slice in
      guard PendingInstance.sopInstanceUID(ofPath: slice.path) == nil else { return false }
      let key = FrameCache.Key(reference: slice, downscale: downscale)
      return cached(slice, downscale: downscale) == nil
        && readingAhead.withLock { ahead in
          guard ahead[key] == nil else { return false }
          ahead[key] = DispatchSemaphore(value: 0)
          return true
        }
    }
    guard !wanted.isEmpty else { return }
    Task.detached(priority: .utility) { [self] in
      for slice in wanted {
        let key = FrameCache.Key(reference: slice, downscale: downscale)
        defer { readingAhead.withLock { $0.removeValue(forKey: key) }?.signal() }
        guard let frame = try? header(slice.path).decodeFrame(slice.frame, downscale: downscale) else { continue }
        frames.put(slice, downscale: downscale, frame)
      }
    }
  }

  /// Background jobs (sends, media, de-identified copies): the last number given, the sends a reader
  /// cancelled, and what each interrupted send has left to send (Runtime+Jobs.swift).
  let jobNumbers = Mutex(0)
  let cancelledJobs = Mutex<Set<Int>>([])
  let unsent = Mutex<[Int: UnsentFiles]>([:])

  /// Where what the reader views, queries and retrieves is recorded (nil: no audit trail).
  public let audit: AuditLog?
  /// The key file behind de-identified copies' pseudonyms (`:anonymize`); nil: the action is off.
  public let deidentificationKeyPath: String?

  public init(
    archive: LocalArchive, remote: (any RemoteCatalog)? = nil, audit: AuditLog? = nil,
    deidentificationKeyPath: String? = nil
  ) {
    self.archive = archive
    self.remote = remote
    self.audit = audit
    self.deidentificationKeyPath = deidentificationKeyPath
  }

  /// Records what the reader did; a record that cannot be kept shows on the status line.
  func record(_ event: AuditEvent, post: (@Sendable (Msg) -> Void)? = nil) {
    do { try audit?.record(event) } catch { post?(.failed("audit record not kept: \(error)")) }
  }

  /// Whether an effect runs in the background, answering through `post`: the network's, and
  /// de-identification, which reads and writes a whole study.
  public static func runsInBackground(_ effect: Effect) -> Bool {
    switch effect {
    case .findRemote, .findRemoteSeries, .retrieve, .cancelRetrieve, .anonymize, .passOn, .fetchPreview, .findHistory,
      .cancelJob, .resumeJob:
      true
    default: false
    }
  }

  /// Runs an effect in the background; its messages arrive through `post`, from any thread.
  public func performInBackground(_ effect: Effect, post: @escaping @Sendable (Msg) -> Void) {
    if case .anonymize(let study, let series, let target) = effect {
      Task { await anonymize(study: study, series: series, to: target, post: post) }
      return
    }
    if case .passOn(let study, let series, let destination) = effect {
      Task { await passOn(study: study, series: series, to: destination, post: post) }
      return
    }
    if case .cancelJob(let id) = effect {
      cancelJob(id, post: post)
      return
    }
    if case .resumeJob(let id) = effect {
      Task { await resumeJob(id, post: post) }
      return
    }
    guard let remote else {
      post(.failed("no remote node is configured"))
      return
    }
    if case .cancelRetrieve(let uid) = effect {
      // Cancelling the task aborts its association; the job then ends with an error message.
      retrievals.remove(uid)?.cancel()
      return
    }
    let archive = archive
    let retrievals = retrievals
    let task = Task {
      switch effect {
      case .findRemote(let node, let query):
        do {
          let studies = try await remote.studies(node: node, query: query)
          let local = Set(((try? StudyQuery().run(on: archive)) ?? []).map(\.studyInstanceUID))
          record(
            AuditEvent(action: .query, source: "workstation", objects: studies.count, detail: "node \(node)"),
            post: post)
          post(.remoteStudiesLoaded(node: node, studies, local: local))
        } catch {
          record(
            AuditEvent(action: .query, outcome: .minorFailure, source: "workstation", detail: "node \(node)"),
            post: post)
          post(.failed("\(node): \(error)"))
        }
      case .findHistory(let node, let key):
        // A node that cannot answer leaves the history to the others, and says so.
        do {
          let studies = try await remote.studies(node: node, query: key.query)
          record(
            AuditEvent(action: .query, source: "workstation", objects: studies.count, detail: "history, node \(node)"),
            post: post)
          post(.historyLoaded(key, node: node, studies))
        } catch {
          post(.failed("history from \(node): \(error)"))
        }
      case .fetchPreview(let node, let study, let series, let uid, let window):
        // At the size the view last drew at, in the image's own aspect (a node stretches its rendering to
        // the viewport asked for); a square when the listing did not say.
        let coming = pending(series: series).first { $0.sopInstanceUID == uid }
        let box = Resampler.fitSize(
          width: coming?.columns ?? 512, height: coming?.rows ?? 512, box: lastBox.withLock { $0 })
        let raster: Raster
        do {
          guard
            let bytes = try await remote.preview(
              node: node, studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: uid, width: box.width,
              height: box.height, window: window)
          else { return }
          raster = try JPEGRaster.decode(bytes)
        } catch {
          post(.notice("no preview from \(node): \(error)"))
          return
        }
        previewRasters.withLock { kept in
          if kept.count >= Self.previewsKept { kept.removeAll() }
          kept[uid] = raster
        }
        post(.previewArrived(sopInstanceUID: uid))
      case .findRemoteSeries(let node, let uid):
        do {
          post(.remoteSeriesLoaded(studyInstanceUID: uid, try await remote.series(node: node, studyInstanceUID: uid)))
        } catch {
          post(.failed("\(node): \(error)"))
        }
      case .retrieve(let node, let uid, let series):
        do {
          let final: JobProgress
          do {
            // Done or failed, nothing more is coming: the stand-ins go before the stacks are loaded again.
            defer { pending.withLock { $0[uid] = nil } }
            final = try await remote.retrieve(
              node: node, studyInstanceUID: uid, seriesInstanceUID: series,
              readingAt: { self.reading.withLock { $0 } },
              planned: { plan in self.pending.withLock { $0[uid, default: [:]].merge(plan) { $1 } } }
            ) { post(.job(studyInstanceUID: uid, $0)) }
          }
          record(
            AuditEvent(
              action: .retrieve, outcome: final.error == nil ? .success : .minorFailure, source: "workstation",
              studies: [uid], objects: final.completed, detail: "node \(node)"), post: post)
          post(.job(studyInstanceUID: uid, final))
        } catch {
          record(
            AuditEvent(
              action: .retrieve, outcome: .seriousFailure, source: "workstation", studies: [uid], detail: "node \(node)"
            ),
            post: post)
          post(.job(studyInstanceUID: uid, JobProgress(finished: true, error: "\(error)")))
        }
      default:
        break
      }
    }
    if case .retrieve(_, let uid, _) = effect { retrievals.set(uid, task) }
  }

  /// A viewer on a series' stacks, every frame of its objects, at their own frame rate; opened on its
  /// largest stack.
  static func viewer(
    _ study: StudyQuery.Study, _ series: LocalArchive.SeriesSummary,
    _ instances: [SliceOrder.Slice]
  ) -> Viewer {
    let split = SeriesStack.stacks(instances)
    var viewer = Viewer(study: study, series: series, stacks: split.stacks, shown: split.largest)
    viewer.fileFrameRate = split.frameRate
    return viewer
  }

  /// The messages an effect produces (none for `quit`, which the view handles).
  public func perform(_ effect: Effect, model: Model) -> [Msg] {
    do {
      switch effect {
      case .loadStudies(let query):
        return [.studiesLoaded(try query.run(on: archive))]
      case .loadSeries(let uid):
        return [.seriesLoaded(studyInstanceUID: uid, try archive.series(studyInstanceUID: uid))]
      case .openSeries(let studyUID, let seriesUID):
        guard let study = model.studies.first(where: { $0.studyInstanceUID == studyUID }),
          let series = model.series.first(where: { $0.seriesInstanceUID == seriesUID })
        else { return [] }
        let instances = try instances(series: seriesUID)
        guard !instances.isEmpty else { return [.failed("the series has no instance in the archive")] }
        try? archive.markViewed(studyInstanceUID: studyUID)
        var kept: String?
        do {
          try audit?.record(
            AuditEvent(action: .view, source: "workstation", studies: [studyUID], objects: instances.count))
        } catch {
          kept = "audit record not kept: \(error)"
        }
        var viewer = Self.viewer(study, series, instances)
        viewer.presentationStates = presentationStates(studyInstanceUID: studyUID, seriesInstanceUID: seriesUID)
        return [.seriesOpened(viewer), try keyImagesLoaded(studyUID), try measurementsLoaded(seriesUID)]
          + (kept.map { [.failed($0)] } ?? [])
      case .fillPane(let pane, let studyUID, let seriesUID):
        // The study of the active pane: the one read, or a prior beside it (its series from the archive).
        guard let study = model.viewer?.study, study.studyInstanceUID == studyUID else { return [] }
        let known = model.viewer?.studySeries.isEmpty == false ? model.viewer?.studySeries ?? [] : model.series
        guard let series = known.first(where: { $0.seriesInstanceUID == seriesUID }) else { return [] }
        let instances = try instances(series: seriesUID)
        guard !instances.isEmpty else { return [] }
        var viewer = Self.viewer(study, series, instances)
        viewer.studySeries = model.viewer?.studySeries ?? []
        viewer.presentationStates = presentationStates(
          studyInstanceUID: studyUID, seriesInstanceUID: seriesUID)
        let count = viewer.slices.count
        // A new pane starts level with the active one, in the same place of the stack.
        if let active = model.viewer, active.slices.count > 1 {
          viewer.index = min(count - 1, active.index * count / active.slices.count)
        }
        return [.paneFilled(pane, viewer), try measurementsLoaded(seriesUID)]
      case .loadUnfinishedSends:
        return try unfinishedSends()
      case .loadHistory(let key):
        return [.historyLoaded(key, node: nil, try key.query.run(on: archive))]
      case .openBeside(let pane, let studyUID):
        return try openBeside(pane, study: studyUID, model: model)
      case .loadPaths(let uid):
        return [
          .pathsLoaded(
            seriesInstanceUID: uid,
            SeriesStack.stacks(try instances(series: uid), frameRate: false).stacks)
        ]
      case .keepMeasurement, .removeMeasurements, .listMeasurements, .exportMeasurements:
        return try performMeasurements(effect)
      case .listKeyImages(_, let marks):
        return [listKeyImages(marks: marks)]
      case .saveKeyImages(let study, let marks, let note):
        return saveKeyImages(study: study, marks: marks, note: note)
      case .loadTags(let path):
        let file = try DICOMFile.read(path: path)
        return [.tagsLoaded(DumpFormatter().format(file))]
      case .quit, .findRemote, .findRemoteSeries, .retrieve, .cancelRetrieve, .anonymize, .passOn, .fetchPreview,
        .findHistory, .cancelJob, .resumeJob:
        return []
      }
    } catch {
      return [.failed("\(error)")]
    }
  }

  /// A series' middle slice at the file's own window (or an automatic one), sized by `fit`: its
  /// thumbnail. Nil when the series has no readable image (the slot stays empty).
  public func thumbnail(seriesInstanceUID uid: String, fit: (Int, Int) -> (width: Int, height: Int)) -> Raster? {
    guard let paths = try? archive.instancePaths(seriesInstanceUID: uid), !paths.isEmpty else { return nil }
    do throws(ImagingError) {
      let image = try DICOMImage(path: paths[paths.count / 2])
      let frame = try image.decodeFrame(
        0, downscale: image.downscale(toShow: fit(image.pixel.columns, image.pixel.rows)))
      let raster = try DisplayPipeline.render(frame, of: image).raster
      let size = fit(raster.width, raster.height)
      return Resampler.resize(raster, width: max(1, size.width), height: max(1, size.height))
    } catch {
      return nil
    }
  }

  /// Marks image pixels in the colour farthest from what is under each (so marks show on any grey).
  static func mark(_ raster: inout Raster, _ points: [(x: Int, y: Int)]) {
    let c = raster.format.channels
    for (px, py) in points where px >= 0 && py >= 0 && px < raster.width && py < raster.height {
      let i = (py * raster.width + px) * c
      for k in 0..<c { raster.pixels[i + k] = raster.pixels[i + k] < 128 ? 255 : 0 }
    }
  }

  /// A small cross at an image pixel, open at its centre so the pixel itself stays visible.
  static func crosshair(_ source: Raster, x: Int, y: Int) -> Raster {
    var r = source
    let arms = (-6...6).filter { abs($0) > 1 }
    mark(&r, arms.map { (x + $0, y) } + arms.map { (x, y + $0) })
    return r
  }

  /// The viewer's current slice windowed, inverted, zoomed (or at 1:1) and with its marks; `fit` gives
  /// the raster size the view wants for an image of a given size, `box` the most pixels the image area
  /// holds in the view's protocol (both know the terminal's cells and protocol).
  public func render(
    _ viewer: Viewer, box: (width: Int, height: Int), fit: (Int, Int) -> (width: Int, height: Int)
  ) -> Result<(Raster, SliceInfo), ImagingError> {
    guard viewer.paths.indices.contains(viewer.index) else {
      return .failure(.frameOutOfRange(index: viewer.index, count: viewer.paths.count))
    }
    do throws(ImagingError) {
      let shown = viewer.slices[viewer.index]
      lastBox.withLock { $0 = box }
      if let uid = PendingInstance.sopInstanceUID(ofPath: shown.path) {
        // Not here yet: the retrieve fetches it next (and its neighbours); meanwhile the node's own
        // rendering when there is one (marked a lossy preview), else nothing stale.
        let coming = pending(series: viewer.series.seriesInstanceUID).first { $0.sopInstanceUID == uid }
        noteReading(viewer.series.seriesInstanceUID, coming?.instanceNumber)
        guard let preview = previewRasters.withLock({ $0[uid] }) else { return .failure(.notHereYet) }
        let size = fit(preview.width, preview.height)
        var info = SliceInfo(
          window: viewer.window, sliceLocation: coming?.position, isLossy: true, rows: preview.height,
          columns: preview.width)
        info.describes = shown
        info.isPreview = true
        return .success((Resampler.resize(preview, width: size.width, height: size.height), info))
      }
      let shownHeader = try header(shown.path)
      noteReading(viewer.series.seriesInstanceUID, shownHeader.dataset.int(Tag.instanceNumber))
      let downscale = Self.downscale(for: viewer, image: shownHeader, fit: fit)
      lastDownscale.withLock { $0 = downscale }
      let (image, frame) = try decoded(shown, downscale: downscale)
      // An enhanced object's frames each carry their own place, spacing, thickness, rescale and windows.
      let geometry = image.geometry(frame: shown.frame)
      let fileWindows = Window.fromFile(image.dataset, frame: shown.frame)
      var source = viewer.voiSource
      // A slice with fewer windows than the one chosen on another slice: its first (automatic).
      if case .fileWindow(let n) = source, !fileWindows.indices.contains(n) { source = .automatic }
      let uid = image.dataset.string(Tag.sopInstanceUID) ?? ""
      let state = viewer.presentationInEffect.flatMap { presentationState($0.path) }
        .flatMap { $0.applies(to: uid, frame: shown.frame) ? $0 : nil }
      let rendered = try DisplayPipeline.render(
        frame, of: image, frameIndex: shown.frame,
        options: DisplayOptions(
          voi: viewer.window.map { .window($0) } ?? source, invert: viewer.invert, overlays: viewer.overlays,
          presentationState: state))
      var raster = rendered.raster
      // Marks in image pixels land where the state's rotation and flip put those pixels.
      let place = { (x: Int, y: Int) -> (x: Int, y: Int) in
        guard let state else { return (x, y) }
        return SpatialTransform.point(
          (x, y), width: frame.width, height: frame.height, rotation: state.rotation, flip: state.flip)
      }
      var probeValue: Double? = nil
      var measured: Measured? = nil
      let scale = (
        x: Double(frame.width) / Double(image.pixel.columns), y: Double(frame.height) / Double(image.pixel.rows)
      )
      Self.drawKept(viewer.current.flatMap { viewer.kept[$0] } ?? [], on: &raster, scale: scale, place: place)
      if let line = viewer.referenceLine { Self.drawReferenceLine(line, on: &raster, scale: scale, place: place) }
      if let p = viewer.probe, frame.samplesPerPixel == 1, p.x < frame.width, p.y < frame.height {
        let modality = try ModalityTransform.from(image.dataset, frame: shown.frame)
        let value = { (x: Int, y: Int) in modality.apply(frame.numeric(frame.values[y * frame.width + x])) }
        probeValue = value(p.x, p.y)
        let spacing = Measurements.Spacing(geometry.pixelSpacing)
        switch viewer.measure {
        case .distance(let x, let y):
          let a = (min(x, frame.width - 1), min(y, frame.height - 1))
          measured = Measurements.distance(from: a, to: p, spacing: spacing)
          Self.mark(&raster, Measurements.segment(from: a, to: p).map(place))
        case .region(let x, let y):
          let a = (min(x, frame.width - 1), min(y, frame.height - 1))
          measured = Measurements.region(from: a, to: p, spacing: spacing, value: value)
          let corners = [(a.0, a.1), (p.x, a.1), (p.x, p.y), (a.0, p.y), (a.0, a.1)]
          Self.mark(
            &raster, zip(corners, corners.dropFirst()).flatMap { Measurements.segment(from: $0, to: $1) }.map(place))
        case nil:
          break
        }
        let at = place(p.x, p.y)
        raster = Self.crosshair(raster, x: at.x, y: at.y)
      }
      let imageWidth = Double(raster.width)
      let imageHeight = Double(raster.height)
      // The part of the image shown: all of it when fitted, 1/zoom of it when zoomed, as much as the
      // area holds at one image pixel per screen pixel at 1:1.
      let shownW =
        viewer.actualSize ? min(imageWidth, Double(box.width)) : imageWidth / max(1, viewer.zoom)
      let shownH =
        viewer.actualSize ? min(imageHeight, Double(box.height)) : imageHeight / max(1, viewer.zoom)
      var shownRegion = Resampler.Region(x: 0, y: 0, width: imageWidth, height: imageHeight)
      if shownW < imageWidth || shownH < imageHeight || viewer.actualSize {
        // Around the image's centre moved by the pan, kept on the image; whole pixels at 1:1.
        var x = (imageWidth - shownW) / 2 + viewer.pan.x * imageWidth
        var y = (imageHeight - shownH) / 2 + viewer.pan.y * imageHeight
        x = min(max(0, x), imageWidth - shownW)
        y = min(max(0, y), imageHeight - shownH)
        if viewer.actualSize {
          x.round(.down)
          y.round(.down)
        }
        let region = Resampler.Region(x: x, y: y, width: shownW, height: shownH)
        shownRegion = region
        let size =
          viewer.actualSize ? (width: Int(shownW), height: Int(shownH)) : fit(max(1, Int(shownW)), max(1, Int(shownH)))
        raster = Resampler.resample(raster, region: region, width: max(1, size.width), height: max(1, size.height))
      } else {
        let size = fit(raster.width, raster.height)
        raster = Resampler.resize(raster, width: max(1, size.width), height: max(1, size.height))
      }
      if let state {
        Self.drawTexts(
          state.textObjects(for: uid, frame: shown.frame), state: state, on: &raster, region: shownRegion,
          decoded: frame)
      }
      var info = SliceInfo(
        window: rendered.window, sliceLocation: image.location(frame: shown.frame),
        thickness: geometry.sliceThickness,
        isLossy: rendered.isLossy, rows: image.pixel.rows, columns: image.pixel.columns, probeValue: probeValue,
        units: image.units(frame: shown.frame).map(TextSafety.text))
      info.describes = shown
      info.sopInstanceUID = uid.isEmpty ? nil : uid
      info.plane = ImagePlane(
        position: geometry.position, orientation: geometry.orientation, pixelSpacing: geometry.pixelSpacing,
        rows: image.pixel.rows, columns: image.pixel.columns,
        frameOfReference: image.dataset.string(Tag.frameOfReferenceUID).map(TextSafety.text))
      // A peer's text: shown only after the one text-safety rule.
      info.presentationLabel = state.map { TextSafety.text($0.label) }
      info.annotationTexts = (state?.texts(for: uid, frame: shown.frame) ?? []).map(TextSafety.text)
      info.measured = measured
      info.shownFraction = (shownW / imageWidth, shownH / imageHeight)
      info.fileWindows = fileWindows.enumerated().map { $0.element.explanation ?? "W/L \($0.offset + 1)" }
      return .success((raster, info))
    } catch {
      return .failure(error)
    }
  }
}
