/// What PS3.15 Table E.1-1 does to one attribute (the legend of Table E.1-1).
public enum ProfileAction: String, Sendable, CaseIterable {
  /// X: remove.
  case remove = "X"
  /// Z: replace with a zero-length value.
  case empty = "Z"
  /// D: replace with a non-zero-length dummy value consistent with the VR.
  case dummy = "D"
  /// K: keep (a sequence's items are still de-identified).
  case keep = "K"
  /// C: clean: replace with values of similar meaning that identify no one.
  case clean = "C"
  /// U: replace with a UID that is consistent within the set of instances.
  case newUID = "U"
  /// Z/D, X/Z, X/D, X/Z/D: Z or D by the attribute's type in the IOD, X where it is Type 3.
  case emptyOrDummy = "Z/D"
  case removeOrEmpty = "X/Z"
  case removeOrDummy = "X/D"
  case removeEmptyOrDummy = "X/Z/D"
  /// X/Z/U*: a sequence of references: its UIDs replaced (U), its other values emptied.
  case removeEmptyOrNewUIDs = "X/Z/U*"

  /// The action taken where the standard leaves the choice to the attribute's type in the IOD, which a
  /// de-identifier that reads any object does not know: the one that is valid for every type. A
  /// zero-length value is valid for Type 2 and 3, a dummy value for Type 1, 2 and 3.
  public var resolved: ProfileAction {
    switch self {
    case .removeOrEmpty: .empty
    case .emptyOrDummy, .removeOrDummy, .removeEmptyOrDummy: .dummy
    default: self
    }
  }
}

/// The options of the profile (PS3.15 E.3), each a column of Table E.1-1, and the two of E.3 that
/// act on pixels and graphics.
public struct ProfileOptions: OptionSet, Sendable, Hashable {
  public let rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  public static let retainSafePrivate = ProfileOptions(rawValue: 1 << 0)
  public static let retainUIDs = ProfileOptions(rawValue: 1 << 1)
  public static let retainDeviceIdentity = ProfileOptions(rawValue: 1 << 2)
  public static let retainInstitutionIdentity = ProfileOptions(rawValue: 1 << 3)
  public static let retainPatientCharacteristics = ProfileOptions(rawValue: 1 << 4)
  public static let retainLongitudinalFullDates = ProfileOptions(rawValue: 1 << 5)
  public static let retainLongitudinalModifiedDates = ProfileOptions(rawValue: 1 << 6)
  public static let cleanDescriptors = ProfileOptions(rawValue: 1 << 7)
  public static let cleanStructuredContent = ProfileOptions(rawValue: 1 << 8)
  public static let cleanGraphics = ProfileOptions(rawValue: 1 << 9)
  /// Clean Pixel Data: burned-in text blanked (`--blank`); no column of its own in the table.
  public static let cleanPixelData = ProfileOptions(rawValue: 1 << 10)
}

/// One row of Table E.1-1: the basic profile's action and the options that change it.
struct ProfileRule: Sendable {
  let basic: ProfileAction
  /// Options under which the attribute is kept (K), cleaned (C) or removed (X).
  let keep: ProfileOptions
  let clean: ProfileOptions
  let remove: ProfileOptions

  init(_ basic: ProfileAction, keep: ProfileOptions, clean: ProfileOptions, remove: ProfileOptions = []) {
    self.basic = basic
    self.keep = keep
    self.clean = clean
    self.remove = remove
  }

  /// The action with the options in force. An option's column replaces the basic profile's action; where
  /// two options in force disagree, keeping wins over cleaning over removing (each option is asked
  /// for to keep something; the standard's columns never ask to keep and clean at once but for the two
  /// longitudinal options, which exclude each other).
  func action(with options: ProfileOptions) -> ProfileAction {
    if !keep.isDisjoint(with: options) { return .keep }
    if !clean.isDisjoint(with: options) { return .clean }
    if !remove.isDisjoint(with: options) { return .remove }
    return basic.resolved
  }
}

/// PS3.15 Table E.1-1, generated from the standard (`ConfidentialityProfile+Generated.swift`).
public enum ConfidentialityProfile {
  /// The row for a standard attribute, or nil when the table does not name it (it is kept).
  static func rule(for tag: UInt32) -> ProfileRule? {
    if let rule = rules[tag] { return rule }
    for entry in maskedRules where tag & entry.mask == entry.value { return entry.rule }
    return nil
  }

  /// The action the profile takes on an attribute with the options in force; nil when the table does
  /// not name it. Private attributes are not in the table: see `Deidentifier`.
  public static func action(for tag: UInt32, options: ProfileOptions) -> ProfileAction? {
    rule(for: tag)?.action(with: options)
  }

  /// Every attribute the table names, for checks against the table.
  public static var tags: [UInt32] { rules.keys.sorted() }
}
