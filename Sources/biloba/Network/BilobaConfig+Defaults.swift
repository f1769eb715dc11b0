import Archive

/// What each configuration key means when the file does not set it: the one place these defaults are
/// decided. The commands read the resolved values below, and `biloba config init` writes them.
extension BilobaConfig {
  enum Defaults {
    static let aeTitle = "BILOBA"
    static let listenPort = 11112
    /// `biloba listen` hears loopback only unless told otherwise: an SCP open to the network is a choice.
    static let listenBind = "127.0.0.1"
    /// The SCP a C-MOVE starts must hear the node it moves from, which is not on loopback; it accepts
    /// that node's AE title and addresses only.
    static let moveBind = "0.0.0.0"
    static let maxAssociations = 16
    /// A 512x512 CT slice fits in one PDU.
    static let maxPDU = 1_048_576
    /// The archive's own limit on a received object, as the file writes it ("4G").
    static let maxObjectSize = "\(LocalArchive.defaultMaxReceivedObjectSize >> 30)G"
    static let graphics = "auto"
    static let keymap = "default"
    static let retrieve = "get"
    static let replace = false
    static let compress = false
    static let privacy = false
    static let auditEnabled = true
  }

  var aeTitle: String { network?.aet ?? Defaults.aeTitle }
  var listenPort: Int { network?.listen_port ?? Defaults.listenPort }
  var listenBind: String { network?.bind ?? Defaults.listenBind }
  var moveBind: String { network?.bind ?? Defaults.moveBind }
  var maxAssociations: Int { network?.max_associations ?? Defaults.maxAssociations }
  var maxPDU: Int { network?.max_pdu ?? Defaults.maxPDU }

  /// The largest object a receive accepts.
  var maxObjectSize: Int {
    network?.max_object_size.flatMap(ByteSize.parse) ?? LocalArchive.defaultMaxReceivedObjectSize
  }

  var graphics: String { workstation?.graphics ?? Defaults.graphics }
  var keymap: String { workstation?.keymap ?? Defaults.keymap }
  var privacy: Bool { workstation?.privacy ?? Defaults.privacy }
  /// The workstation's archive: `workstation.archive`, else $XDG_DATA_HOME/biloba.
  var archiveRoot: String { workstation?.archive ?? FileStore.defaultRoot() }
  var auditEnabled: Bool { audit?.enabled ?? Defaults.auditEnabled }
}
