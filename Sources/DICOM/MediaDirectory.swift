/// A DICOMDIR (PS3.10 8.6, the Basic Directory IOD of PS3.3 F): the directory of a file-set on media, a
/// tree of records (patient, study, series, then one record an object) linked by byte offsets inside the
/// DICOMDIR file. Written whole for an export; read for an import, whose files are those its records
/// name, never a walk of the folder.
public enum MediaDirectory {
  /// One directory record and the records below it.
  public struct Record: Sendable, Equatable {
    /// The Directory Record Type (PATIENT, STUDY, SERIES, IMAGE, ...).
    public var type: String
    /// The record's keys (attributes of the level it stands for), without the offsets and the type.
    public var keys: Dataset
    public var children: [Record]

    public init(type: String, keys: Dataset, children: [Record] = []) {
      self.type = type
      self.keys = keys
      self.children = children
    }
  }

  /// An object a record names: its file (path components under the file-set's root) and what it holds.
  public struct ReferencedFile: Sendable, Equatable {
    public var fileID: [String]
    public var sopInstanceUID: String?
  }

  /// The Media Storage SOP Class of a DICOMDIR.
  public static let sopClassUID =
    UIDRegistry.lookup(keyword: "MediaStorageDirectoryStorage")?.uid ?? "1.2.840.10008.1.3.10"
  /// A record's Record In-use Flag when it is in use; zero marks one deleted (PS3.3 F.3.2.2).
  static let inUse: UInt16 = 0xFFFF
  static let itemHeaderLength = 8

  /// Whether a component of a Referenced File ID is one PS3.10 8.2 allows: 1 to 8 characters of upper-case
  /// letters, digits and underscore. Anything else (`..`, `/`, an empty one) names no file of ours.
  public static func isValidComponent(_ component: String) -> Bool {
    let bytes = Array(component.utf8)
    return (1...8).contains(bytes.count)
      && bytes.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
  }

  /// The DICOMDIR file of a file-set whose top-level records are `roots`.
  public static func encode(roots: [Record], fileSetID: String = "", instanceUID: String = UIDSyntax.fresh())
    throws(DICOMError) -> [UInt8]
  {
    // Records in file order (each followed by the records below it), with where each one's next sibling
    // and first child are.
    var flat: [(record: Record, next: Int?, firstChild: Int?)] = []
    @discardableResult func append(_ siblings: [Record]) -> Int? {
      var previous: Int?
      for record in siblings {
        let at = flat.count
        if let previous { flat[previous].next = at }
        flat.append((record, nil, nil))
        if !record.children.isEmpty {
          flat[at].firstChild = flat.count
          append(record.children)
        }
        previous = at
      }
      return previous
    }
    let lastRoot = append(roots)
    let writer = DatasetWriter(transferSyntax: .explicitVRLittleEndian)
    func item(_ index: Int, offsets: [UInt32]) throws(DICOMError) -> Dataset {
      let entry = flat[index]
      var ds = entry.record.keys
      ds.set(Tag.offsetOfTheNextDirectoryRecord, .UL, integers: [entry.next.map { offsets[$0] } ?? 0])
      ds.set(Tag.recordInUseFlag, .US, integers: [inUse])
      ds.set(
        Tag.offsetOfReferencedLowerLevelDirectoryEntity, .UL, integers: [entry.firstChild.map { offsets[$0] } ?? 0])
      try ds.set(Tag.directoryRecordType, .CS, entry.record.type)
      return ds
    }
    func file(offsets: [UInt32], records: Bool = true) throws(DICOMError) -> DICOMFile {
      var ds = Dataset(byteOrder: .little)
      try ds.set(Tag.fileSetID, .CS, fileSetID)
      ds.set(Tag.offsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, .UL, integers: [offsets.first ?? 0])
      ds.set(
        Tag.offsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, .UL, integers: [lastRoot.map { offsets[$0] } ?? 0])
      ds.set(Tag.fileSetConsistencyFlag, .US, integers: [UInt16(0)])
      var items: [Dataset] = []
      for i in flat.indices where records { items.append(try item(i, offsets: offsets)) }
      ds.set(Tag.directoryRecordSequence, items: items)
      var meta = Dataset(byteOrder: .little)
      try meta.set(.mediaStorageSOPClassUID, .UI, sopClassUID)
      try meta.set(.mediaStorageSOPInstanceUID, .UI, instanceUID)
      var made = DICOMFile(preamble: nil, meta: meta, dataset: ds, transferSyntax: .explicitVRLittleEndian)
      made.meta = made.completedMeta()
      return made
    }
    // Offsets are UL, so every record keeps its size whatever they are: the first record starts where a
    // file without records ends (the sequence is its last element), each next one a record's size on.
    let zeros = [UInt32](repeating: 0, count: flat.count)
    var offsets: [UInt32] = []
    var position = try file(offsets: zeros, records: false).encoded().count
    for i in flat.indices {
      let size = itemHeaderLength + (try writer.encode(try item(i, offsets: zeros))).count
      guard position <= Int(UInt32.max) else {
        throw DICOMError.invalidValue(tag: Tag.directoryRecordSequence, reason: "a DICOMDIR past 4 GiB")
      }
      offsets.append(UInt32(position))
      position += size
    }
    let bytes = try file(offsets: offsets).encoded()
    // Each offset must land on its record's item tag (FFFE,E000): the layout above is checked, not assumed.
    for offset in offsets.map(Int.init) {
      guard offset + 4 <= bytes.count, bytes[offset..<offset + 4].elementsEqual([0xFE, 0xFF, 0x00, 0xE0]) else {
        throw DICOMError.invalidValue(
          tag: Tag.directoryRecordSequence, reason: "a record's offset that misses its record")
      }
    }
    return bytes
  }

  /// The objects a DICOMDIR's records name, in record order: records in use with a Referenced File ID
  /// whose every component is a valid one (others are `refused`, never resolved to a path).
  public static func referencedFiles(in directory: DICOMFile) -> (files: [ReferencedFile], refused: Int) {
    var files: [ReferencedFile] = []
    var refused = 0
    for item in directory.dataset[Tag.directoryRecordSequence]?.items ?? [] {
      let record = item.dataset
      if let flag = record.int(Tag.recordInUseFlag), flag == 0 { continue }
      guard let components = record.strings(Tag.referencedFileID), !components.isEmpty else { continue }
      guard components.count <= 8, components.allSatisfy(isValidComponent) else {
        refused += 1
        continue
      }
      files.append(
        ReferencedFile(fileID: components, sopInstanceUID: record.string(Tag.referencedSOPInstanceUIDInFile)))
    }
    return (files, refused)
  }
}
