/// How to read: what to skip, what to defer, and the bounds on untrusted input.
public struct ReadOptions: Sendable {
  /// Stop at the top-level pixel data element: the header only, as pydicom's `stop_before_pixels`.
  public var stopBeforePixelData: Bool
  /// Read every value now instead of leaving large ones in the file until asked for.
  public var loadBulkData: Bool
  public var limits: Limits
  /// Stop at the first top-level element at or after this tag (with `stopBeforePixelData`: the archive's
  /// index needs groups 0008 to 0020 only, so a deflated dataset is inflated no further).
  public var stopBeforeTag: Tag?

  public init(
    stopBeforePixelData: Bool = false, loadBulkData: Bool = false, limits: Limits = .default, stopBeforeTag: Tag? = nil
  ) {
    self.stopBeforePixelData = stopBeforePixelData
    self.loadBulkData = loadBulkData
    self.limits = limits
    self.stopBeforeTag = stopBeforeTag
  }

  public static let headerOnly = ReadOptions(stopBeforePixelData: true)
}

/// A DICOM file (PS3.10): preamble, file meta information and the dataset, or a bare dataset.
public struct DICOMFile: Sendable, Equatable {
  /// The 128-byte preamble, or nil when the file had none.
  public var preamble: [UInt8]?
  /// The file meta information group (0002), empty when the file had none.
  public var meta: Dataset
  public var dataset: Dataset
  /// The transfer syntax the dataset was read in.
  public var transferSyntax: TransferSyntax
  /// What was odd about the file but read anyway (said by the commands on stderr).
  public var warnings: [String] = []
  /// Where the dataset starts in the bytes read (after preamble and meta group); 0 for a value built in
  /// memory. The bytes from here on are the dataset exactly as encoded in `transferSyntax`.
  public var datasetOffset: Int = 0

  public init(preamble: [UInt8]? = nil, meta: Dataset, dataset: Dataset, transferSyntax: TransferSyntax) {
    self.preamble = preamble
    self.meta = meta
    self.dataset = dataset
    self.transferSyntax = transferSyntax
  }

  /// Reads a file from disk. Large values stay on disk until loaded (see `ReadOptions`).
  public static func read(path: String, options: ReadOptions = ReadOptions()) throws(DICOMError) -> DICOMFile {
    try read(input: FileInput(path: path), options: options)
  }

  /// A whole file's bytes, read with the same checks as `read(path:)` (regular file, no link followed).
  public static func bytes(path: String) throws(DICOMError) -> [UInt8] {
    try FileInput(path: path).wholeFile()
  }

  /// A file's header (everything before its pixel data) and its dataset's bytes as stored, from one
  /// open file: the dataset is read once, straight from where it starts (what a C-STORE sends as is).
  public static func headerAndDataset(path: String) throws(DICOMError) -> (header: DICOMFile, dataset: [UInt8]) {
    let input = try FileInput(path: path)
    let header = try read(input: input, options: ReadOptions(stopBeforePixelData: true))
    return (header, try input.rest(from: header.datasetOffset))
  }

  /// Reads a file held in memory.
  public static func read(bytes: [UInt8], options: ReadOptions = ReadOptions()) throws(DICOMError) -> DICOMFile {
    try read(input: FileInput(bytes: bytes), options: options)
  }

  static func read(input: FileInput, options: ReadOptions) throws(DICOMError) -> DICOMFile {
    var position = 0
    var preamble: [UInt8]? = nil
    if input.end >= 132 {
      try input.require(0, 132, tag: nil)
      if input.byte(128) == 0x44 && input.byte(129) == 0x49 && input.byte(130) == 0x43 && input.byte(131) == 0x4D {
        preamble = try input.bytes(0, 128, tag: nil)
        position = 132
      }
    }
    var meta = Dataset()
    if try startsWithMetaGroup(input, at: position) {
      meta = try readMetaGroup(input, at: &position, limits: options.limits)
    } else if preamble != nil {
      throw DICOMError.notDICOM(reason: "DICM prefix without a file meta information group")
    }
    var syntax: TransferSyntax
    var warnings: [String] = []
    if case .bytes(let b)? = meta[.transferSyntaxUID]?.value {
      syntax = TransferSyntax.from(uid: String(decoding: b, as: UTF8.self))
      // A writer that says explicit VR and writes implicit: the first element shows it (two bytes that
      // are no VR where the VR should be), and the dataset is read as it is written, as pydicom does.
      if syntax.isExplicitVR && !syntax.isDeflated && syntax.byteOrder == .little && input.end - position >= 8 {
        try input.require(position, 8, tag: nil)
        if VR.from(input.byte(position + 4), input.byte(position + 5)) == nil {
          warnings.append("the transfer syntax says explicit VR, the dataset is implicit VR: read as implicit")
          // The same syntax (its pixel encoding stands) with the VRs implicit.
          syntax = TransferSyntax(
            uid: syntax.uid, isExplicitVR: false, byteOrder: .little, isEncapsulated: syntax.isEncapsulated)
        }
      }
    } else {
      syntax = try detectEncoding(input, at: position)
    }
    let dataset: Dataset
    if syntax.isDeflated {
      dataset = try Inflate.parse(
        input.rest(from: position), offset: position, limits: options.limits,
        stopBeforePixelData: options.stopBeforePixelData || options.stopBeforeTag != nil
      ) { inflated throws(DICOMError) in
        try parseBare(inflated, syntax: syntax, options: options, deferBulkData: !options.loadBulkData)
      }
    } else {
      var dataStart = position
      var parser = DatasetParser(
        input: input, explicitVR: syntax.isExplicitVR, byteOrder: syntax.byteOrder, limits: options.limits,
        deferBulkData: !options.loadBulkData, stopBeforePixelData: options.stopBeforePixelData)
      parser.stopBeforeTag = options.stopBeforeTag
      dataset = try parser.parseDataset(at: &dataStart, end: input.end, delimited: false, depth: 0, charset: .default)
    }
    var file = DICOMFile(preamble: preamble, meta: meta, dataset: dataset, transferSyntax: syntax)
    file.datasetOffset = position
    file.warnings = warnings
    return file
  }

  private static func startsWithMetaGroup(_ input: FileInput, at position: Int) throws(DICOMError) -> Bool {
    guard input.end - position >= 8 else { return false }
    try input.require(position, 8, tag: nil)
    return input.u16(position, .little) == 0x0002
  }

  /// The meta group is explicit VR little endian (PS3.10 7.1); some writers use implicit VR, so the
  /// first element decides. Elements are read while their group is 0002, whatever the group length says.
  private static func readMetaGroup(_ input: FileInput, at position: inout Int, limits: Limits) throws(DICOMError)
    -> Dataset
  {
    let explicit = VR.from(input.byte(position + 4), input.byte(position + 5)) != nil
    let parser = DatasetParser(
      input: input, explicitVR: explicit, byteOrder: .little, limits: limits, deferBulkData: false,
      stopBeforePixelData: false)
    var end = position
    var elements: [Element] = []
    while end + 8 <= input.end {
      try input.require(end, 8, tag: nil)
      guard input.u16(end, .little) == 0x0002 else { break }
      var cursor = end
      let one = try parser.parseDataset(
        at: &cursor, end: try elementEnd(input, at: end, explicit: explicit),
        delimited: false, depth: 1, charset: .default)
      elements += one.elements
      end = cursor
    }
    position = end
    return Dataset(elements: elements, byteOrder: .little)
  }

  /// End offset of the element at `position` (defined lengths only, as the meta group requires).
  private static func elementEnd(_ input: FileInput, at position: Int, explicit: Bool) throws(DICOMError) -> Int {
    let tag = Tag(input.u16(position, .little), input.u16(position + 2, .little))
    if !explicit { return min(input.end, position + 8 + Int(input.u32(position + 4, .little))) }
    guard let vr = VR.from(input.byte(position + 4), input.byte(position + 5)) else {
      throw DICOMError.unknownVR(
        tag: tag, offset: position + 4,
        bytes: DatasetParser.printable(input.byte(position + 4), input.byte(position + 5)))
    }
    if vr.hasLongLength {
      try input.require(position, 12, tag: tag)
      let length = input.u32(position + 8, .little)
      guard length != DatasetParser.undefinedLength else {
        throw DICOMError.undefinedLengthNotAllowed(tag: tag, offset: position)
      }
      return min(input.end, position + 12 + Int(length))
    }
    return min(input.end, position + 8 + Int(input.u16(position + 6, .little)))
  }

  /// Guesses the encoding of a dataset without meta information, as DCMTK does: explicit when the
  /// bytes after the first tag are a VR, big endian when the first group reads smaller swapped.
  static func detectEncoding(_ input: FileInput, at position: Int) throws(DICOMError) -> TransferSyntax {
    guard input.end - position >= 8 else {
      throw DICOMError.notDICOM(reason: "\(input.end - position) bytes are too few for a dataset")
    }
    try input.require(position, 8, tag: nil)
    let groupLE = input.u16(position, .little)
    let groupBE = input.u16(position, .big)
    let explicit = VR.from(input.byte(position + 4), input.byte(position + 5)) != nil
    let bigEndian = groupLE > 0x00FF && groupBE <= 0x00FF
    let group = bigEndian ? groupBE : groupLE
    // A dataset starts with a standard (even) group; anything else is not DICOM.
    guard group >= 0x0002 && group <= 0x7FE0 && group & 1 == 0 else {
      throw DICOMError.notDICOM(reason: "no DICM prefix and no recognizable dataset start")
    }
    if !explicit {
      let length = Int(input.u32(position + 4, bigEndian ? .big : .little))
      guard length == Int(DatasetParser.undefinedLength) || length <= input.end - position - 8 else {
        throw DICOMError.notDICOM(reason: "no DICM prefix and no recognizable dataset start")
      }
    }
    switch (explicit, bigEndian) {
    case (true, true): return .explicitVRBigEndian
    case (true, false): return .explicitVRLittleEndian
    case (false, _): return .implicitVRLittleEndian
    }
  }
}

extension DICOMFile {
  /// Reads a bare dataset in a known transfer syntax (as carried by P-DATA or stored without meta).
  public static func readDataset(
    bytes: [UInt8], transferSyntax syntax: TransferSyntax, options: ReadOptions = ReadOptions()
  ) throws(DICOMError) -> Dataset {
    guard syntax.isDeflated else {
      return try parseBare(FileInput(bytes: bytes), syntax: syntax, options: options, deferBulkData: false).0
    }
    return try Inflate.parse(
      bytes, offset: 0, limits: options.limits,
      stopBeforePixelData: options.stopBeforePixelData || options.stopBeforeTag != nil
    ) { inflated throws(DICOMError) in
      try parseBare(inflated, syntax: syntax, options: options, deferBulkData: false)
    }
  }

  /// Parses the start of a bare dataset (the first bytes received of a larger one) when that is enough:
  /// when `bytes` is the whole dataset, or the parse stopped inside it (at the pixel data or the
  /// options' stop tag). Nil when the answer may lie past the prefix, or the prefix does not parse; the
  /// caller then reads the whole. Deflated datasets always answer nil.
  public static func readDatasetPrefix(
    _ bytes: [UInt8], isWhole: Bool, transferSyntax syntax: TransferSyntax, options: ReadOptions
  ) -> Dataset? {
    guard !syntax.isDeflated,
      let (dataset, consumed) = try? parseBare(
        FileInput(bytes: bytes), syntax: syntax, options: options, deferBulkData: false)
    else { return nil }
    return isWhole || consumed < bytes.count ? dataset : nil
  }

  /// Parses a whole bare dataset from `input`; also returns where the parse stopped.
  static func parseBare(_ input: FileInput, syntax: TransferSyntax, options: ReadOptions, deferBulkData: Bool)
    throws(DICOMError) -> (Dataset, consumed: Int)
  {
    var parser = DatasetParser(
      input: input, explicitVR: syntax.isExplicitVR, byteOrder: syntax.byteOrder, limits: options.limits,
      deferBulkData: deferBulkData, stopBeforePixelData: options.stopBeforePixelData)
    parser.stopBeforeTag = options.stopBeforeTag
    var position = 0
    let dataset = try parser.parseDataset(
      at: &position, end: input.end, delimited: false, depth: 0, charset: .default)
    return (dataset, position)
  }
}
