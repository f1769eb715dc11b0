import DICOM

/// Private attributes are removed (Table E.1-1's "private attributes: X"), but for those the Retain
/// Safe Private option keeps because the safe list names them, with their creators.
enum PrivateAttributes {
  static func kept(in dataset: Dataset, settings: DeidentificationSettings) -> Set<Tag> {
    guard settings.options.contains(.retainSafePrivate), !settings.safePrivate.isEmpty else { return [] }
    var creators: [Tag: String] = [:]
    var kept: Set<Tag> = []
    for element in dataset.elements where element.tag.isPrivate {
      let tag = element.tag
      if tag.isPrivateCreator {
        creators[tag] = dataset.string(tag) ?? ""
        continue
      }
      guard tag.element >= 0x1000 else { continue }
      let creatorTag = Tag(tag.group, tag.element >> 8)
      guard let creator = creators[creatorTag] else { continue }
      let name = SafePrivateAttribute(creator: creator, group: tag.group, elementByte: UInt8(tag.element & 0xFF))
      if settings.safePrivate.contains(name) {
        kept.insert(tag)
        kept.insert(creatorTag)
      }
    }
    return kept
  }
}
