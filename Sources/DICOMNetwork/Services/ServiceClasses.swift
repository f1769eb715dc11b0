import DICOM

/// SOP class and transfer syntax UIDs the services use (PS3.4, PS3.6 table A-1).
public enum ServiceClasses {
  public static let verification = "1.2.840.10008.1.1"

  /// Query/retrieve information models (PS3.4 C.6).
  public enum Root: String, Sendable, CaseIterable {
    case patient, study

    public var find: String {
      self == .patient ? "1.2.840.10008.5.1.4.1.2.1.1" : "1.2.840.10008.5.1.4.1.2.2.1"
    }
    public var move: String {
      self == .patient ? "1.2.840.10008.5.1.4.1.2.1.2" : "1.2.840.10008.5.1.4.1.2.2.2"
    }
    public var get: String {
      self == .patient ? "1.2.840.10008.5.1.4.1.2.1.3" : "1.2.840.10008.5.1.4.1.2.2.3"
    }
  }

  /// Query/retrieve levels (PS3.4 C.3).
  public enum Level: String, Sendable, CaseIterable {
    case patient = "PATIENT", study = "STUDY", series = "SERIES", image = "IMAGE"
  }

  /// Uncompressed syntaxes every peer understands, in our order of preference.
  public static let uncompressedSyntaxes = ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]

  /// Every registered composite storage SOP class (images, structured reports, presentation states,
  /// key objects, encapsulated documents): what a Storage SCP of a workstation accepts.
  public static let allStorage: Set<String> = Set(
    UIDRegistry.all.filter {
      $0.type == "SOP Class" && $0.uid.hasPrefix("1.2.840.10008.5.1.4.1.1.") && $0.name.contains("Storage")
    }.map(\.uid))

  /// The storage classes proposed for C-GET sub-operations (a proposal holds at most 128 contexts): every
  /// current image storage class, then the documents a reading needs (reports, key objects, states).
  public static let retrievableStorage: [String] = {
    let images = UIDRegistry.all.filter {
      $0.type == "SOP Class" && !$0.isRetired && $0.name.contains("Image Storage")
    }.map(\.uid)
    let documents = [
      "1.2.840.10008.5.1.4.1.1.88.11", "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.33",
      "1.2.840.10008.5.1.4.1.1.88.59", "1.2.840.10008.5.1.4.1.1.11.1", "1.2.840.10008.5.1.4.1.1.66.4",
      "1.2.840.10008.5.1.4.1.1.104.1", "1.2.840.10008.5.1.4.1.1.481.2", "1.2.840.10008.5.1.4.1.1.481.3",
    ]
    return Array((images + documents).prefix(120))
  }()
}

/// Builds proposals: one context per abstract syntax, IDs odd from 1 (PS3.8 9.3.2.2).
public enum ContextProposal {
  public static func contexts(_ items: [(abstractSyntax: String, transferSyntaxes: [String])]) -> [ProposedContext] {
    items.prefix(128).enumerated().map { i, item in
      ProposedContext(
        id: UInt8(2 * i + 1), abstractSyntax: item.abstractSyntax, transferSyntaxes: item.transferSyntaxes)
    }
  }
}

extension ContextProposal {
  /// A C-GET proposal: the GET context, and for each storage class the SCP role with contexts in which
  /// the peer can send each object as it is stored. When the classes are known (a C-FIND at image level
  /// tells them), each gets an uncompressed context plus one context per other syntax, so a compressed
  /// object is never refused or transcoded for want of its syntax; otherwise every retrievable class gets
  /// one context listing all syntaxes.
  public static func forGet(root: ServiceClasses.Root, storageClasses known: [String], syntaxes: [String])
    -> (contexts: [ProposedContext], roles: [RoleSelection])
  {
    let uncompressed = syntaxes.filter { ServiceClasses.uncompressedSyntaxes.contains($0) }
    let others = syntaxes.filter { !ServiceClasses.uncompressedSyntaxes.contains($0) }
    var items: [(abstractSyntax: String, transferSyntaxes: [String])] = [
      (root.get, ServiceClasses.uncompressedSyntaxes)
    ]
    let perClass = 1 + others.count
    let classes: [String]
    if !known.isEmpty && known.count * perClass < 128 {
      classes = known
      for sopClass in known {
        // Syntaxes asked for compression alone (no uncompressed one) leave the peer to transcode.
        if !uncompressed.isEmpty { items.append((sopClass, uncompressed)) }
        items += others.map { (sopClass, [$0]) }
      }
    } else {
      classes = Array(Set(known + ServiceClasses.retrievableStorage)).sorted().prefix(127).map { $0 }
      items += classes.map { ($0, syntaxes) }
    }
    return (contexts(items), classes.map { RoleSelection(sopClass: $0, scu: false, scp: true) })
  }
}
