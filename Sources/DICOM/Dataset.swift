/// An ordered set of data elements, sorted by tag as PS3.5 requires.
///
/// Values are kept as encoded (bytes in `byteOrder`); accessors in `Dataset+Values.swift` interpret them.
public struct Dataset: Sendable, Equatable {
  public private(set) var elements: [Element]
  /// Byte order of the binary values held (the transfer syntax's, as read).
  public var byteOrder: ByteOrder
  /// Character set inherited from the enclosing dataset, for items without their own (0008,0005).
  public var inheritedCharacterSet: SpecificCharacterSet

  public init(
    elements: [Element] = [], byteOrder: ByteOrder = .little,
    inheritedCharacterSet: SpecificCharacterSet = .default
  ) {
    self.elements = elements.sorted { $0.tag < $1.tag }
    self.byteOrder = byteOrder
    self.inheritedCharacterSet = inheritedCharacterSet
  }

  /// Builds from elements already in ascending tag order (the reader's fast path).
  init(sortedElements: [Element], byteOrder: ByteOrder, inheritedCharacterSet: SpecificCharacterSet) {
    self.elements = sortedElements
    self.byteOrder = byteOrder
    self.inheritedCharacterSet = inheritedCharacterSet
  }

  public var count: Int { elements.count }
  public var isEmpty: Bool { elements.isEmpty }
  public var tags: [Tag] { elements.map(\.tag) }

  public subscript(tag: Tag) -> Element? {
    get { index(of: tag).map { elements[$0] } }
    set {
      let (found, at) = search(tag)
      switch (newValue, found) {
      case (let e?, true): elements[at] = e
      case (let e?, false): elements.insert(e, at: at)
      case (nil, true): elements.remove(at: at)
      case (nil, false): break
      }
    }
  }

  public subscript(keyword: String) -> Element? {
    DataDictionary.tag(forKeyword: keyword).flatMap { self[$0] }
  }

  public func contains(_ tag: Tag) -> Bool { index(of: tag) != nil }

  public mutating func remove(_ tag: Tag) { self[tag] = nil }

  /// Adds or replaces an element.
  public mutating func set(_ element: Element) { self[element.tag] = element }

  /// The elements of one group, e.g. the file meta information group 0002.
  public func group(_ group: UInt16) -> Dataset {
    Dataset(
      sortedElements: elements.filter { $0.tag.group == group }, byteOrder: byteOrder,
      inheritedCharacterSet: inheritedCharacterSet)
  }

  /// The dataset without the elements of one group.
  public func removingGroup(_ group: UInt16) -> Dataset {
    Dataset(
      sortedElements: elements.filter { $0.tag.group != group }, byteOrder: byteOrder,
      inheritedCharacterSet: inheritedCharacterSet)
  }

  /// The character set that applies to this dataset's text: its own (0008,0005), else the inherited one.
  public var characterSet: SpecificCharacterSet {
    guard let e = self[.specificCharacterSet], case .bytes(let b) = e.value else { return inheritedCharacterSet }
    return SpecificCharacterSet(definedTerms: SpecificCharacterSet.splitTerms(b))
  }

  func index(of tag: Tag) -> Int? {
    let (found, at) = search(tag)
    return found ? at : nil
  }

  private func search(_ tag: Tag) -> (found: Bool, index: Int) {
    var lo = 0
    var hi = elements.count
    let key = tag.combined
    while lo < hi {
      let mid = (lo + hi) >> 1
      let k = elements[mid].tag.combined
      if k == key { return (true, mid) }
      if k < key { lo = mid + 1 } else { hi = mid }
    }
    return (false, lo)
  }
}
