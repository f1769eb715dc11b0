import Archive

/// The commented config.toml that `biloba config init` writes: every key, set to its default where the
/// default is one value, commented out where leaving it unset means something of its own (any calling
/// AE, no budget, the standard archive folder) or where it is an example (a node).
enum ConfigTemplate {
  typealias Defaults = BilobaConfig.Defaults

  static var text: String {
    """
    # Biloba's configuration (biloba config init wrote it with every key at its default).
    # Command-line options win over these. Check it with `biloba doctor`.

    [network]
    # Our AE title: what peers call us and what we call ourselves.
    aet = "\(Defaults.aeTitle)"
    # The Storage SCP's port: `biloba listen`, and the SCP a C-MOVE retrieve starts.
    listen_port = \(Defaults.listenPort)
    # The address the SCP listens on. Unset: `listen` hears \(Defaults.listenBind) only, and a C-MOVE's
    # SCP hears \(Defaults.moveBind) (the node moved from, by its AE title and addresses only).
    # bind = "\(Defaults.listenBind)"
    # Associations the SCP serves at once.
    max_associations = \(Defaults.maxAssociations)
    # The largest PDU we receive, in bytes (4096 to 16777216).
    max_pdu = \(Defaults.maxPDU)
    # The largest object received; a larger one is refused, not stored.
    max_object_size = "\(Defaults.maxObjectSize)"
    # Calling AE titles and peer addresses the SCP accepts. Unset: any.
    # allowed_calling_aets = ["PACS"]
    # allowed_hosts = ["10.0.0.5"]
    # DICOM TLS (TLS 1.2/1.3, BCP 195). tls = true: our Storage SCPs speak TLS with tls_cert and tls_key
    # (PEM; the key mode 0600). tls_ca: the CAs we trust, for the servers we call and, on our SCP, a
    # client certificate they signed is then required (mutual TLS). Unset: plain TCP, the system's CAs.
    # tls = true
    # tls_cert = "/etc/biloba/biloba.pem"
    # tls_key = "/etc/biloba/biloba.key"
    # tls_ca = "/etc/biloba/ca.pem"

    [workstation]
    # The archive folder. Unset: $XDG_DATA_HOME/biloba (~/.local/share/biloba). An absolute path.
    # archive = "/srv/biloba"
    # A size budget: least recently viewed studies are evicted at start to fit it. Unset: none.
    # budget = "20G"
    # auto (probe the terminal), sixel, kitty, iterm, blocks or ascii.
    graphics = "\(Defaults.graphics)"
    # default, vim, or the path of a keymap file.
    keymap = "\(Defaults.keymap)"
    # Start with the privacy screen on: no name, ID, birth date or accession number on screen (F12).
    privacy = \(Defaults.privacy)

    [audit]
    # Who did what to which study, and when: ARCHIVE/audit.jsonl, append-only (biloba audit lists it).
    enabled = \(Defaults.auditEnabled)
    # Each record also sent to a syslog server (RFC 5424 over TCP, or over TLS with tls://, verified
    # against syslog_ca, else the system's CAs). Unset: the file alone.
    # syslog = "tls://logs.example:6514"
    # syslog_ca = "/etc/biloba/syslog-ca.pem"

    # Remote nodes, one table each, named as `--node NAME` and the workstation's tabs name them.
    # [nodes.pacs]
    # host = "10.0.0.5"
    # port = 104
    # aet = "PACS"
    # How the workstation retrieves from it: "get" (the default; works behind NAT) or "move".
    # retrieve = "\(Defaults.retrieve)"
    # Whether its objects may replace instances the archive holds (else a differing copy goes to
    # quarantine).
    # replace = \(Defaults.replace)
    # Ask it to send objects compressed losslessly (JPEG-LS, JPEG 2000) for the wire: a third of the
    # bytes of a CT on a thin link, where the node can transcode (Orthanc can); they are kept so. What
    # it cannot compress comes as stored. DICOM and DICOMweb nodes alike.
    # compress = \(Defaults.compress)
    # Its port speaks DICOM TLS; tls_ca, tls_cert, tls_key win over [network]'s for it. tls_pin accepts
    # that one server certificate (its SHA-256) whoever signed it. tls_name: the name on its client
    # certificate, by which our SCP lets it call as its AE title (default: its host).
    # tls = true
    # tls_pin = "3f:a2:..."
    # tls_name = "pacs.example.org"

    # A DICOMweb node (QIDO-RS, WADO-RS, STOW-RS): a url instead of host, port and aet. Its secret comes
    # from a file its owner alone may read, or from the environment; tls_ca for a private CA.
    # [nodes.cloud]
    # url = "https://pacs.example.org/dicom-web"
    # username = "reader"
    # password_file = "/home/me/.config/biloba/cloud.password"
    # password_env = "CLOUD_PASSWORD"
    # token_file = "/home/me/.config/biloba/cloud.token"
    # token_env = "CLOUD_TOKEN"

    """
  }
}
