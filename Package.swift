// swift-tools-version: 6.0
// Biloba: a terminal radiology workstation. The module map is docs/ARCHITECTURE.md.
import PackageDescription

let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "Biloba",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "biloba", targets: ["biloba"]),
    .library(name: "DICOM", targets: ["DICOM"]),
    // For the association fuzzer (Tests/Fuzz/AssociationFuzz), a package of its own built with libFuzzer.
    .library(name: "BilobaReceiving", targets: ["DICOMNetwork", "Archive", "Retrieval"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
  ],
  targets: [
    // C shims: one module map and one header each.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
    .systemLibrary(name: "CCharLS", pkgConfig: "charls", providers: [.apt(["libcharls-dev"])]),
    .systemLibrary(name: "COpenJPEG", pkgConfig: "libopenjp2", providers: [.apt(["libopenjp2-7-dev"])]),
    .systemLibrary(name: "CTerminal"),
    .systemLibrary(name: "CLinuxFile"),
    .systemLibrary(name: "CSpawn"),
    // No pkgConfig: ncursesw.pc carries -D flags SwiftPM refuses; the module map links the library.
    .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
    // libsixel: the benchmarks' in-process peer for sixel encoding.
    .systemLibrary(name: "CSixel", pkgConfig: "libsixel", providers: [.apt(["libsixel-dev"])]),

    // POSIX calls made one way everywhere: write everything through EINTR, open without following
    // links or blocking on FIFOs.
    .target(name: "SystemIO", dependencies: ["CLinuxFile"], swiftSettings: strictSettings),

    // The DICOM data layer: tags, VRs, dictionary, datasets, Part 10 reading and writing.
    .target(
      name: "DICOM",
      dependencies: ["CZlib", "SystemIO"],
      exclude: ["Dictionary/generate_dictionary.py"],
      swiftSettings: strictSettings
    ),

    // An 8-bit gray or RGB image: made by the pixel pipeline, drawn by terminal graphics.
    .target(
      name: "RasterCore", dependencies: ["CZlib"], exclude: ["Font/generate_font.py"], swiftSettings: strictSettings),

    // The pixel pipeline: codecs, modality/VOI/presentation LUTs, photometric conversion, resampling.
    .target(
      name: "DICOMImaging",
      dependencies: ["DICOM", "RasterCore", "CTurboJPEG", "CCharLS", "COpenJPEG", "CZlib"],
      swiftSettings: strictSettings
    ),

    // Rasters to terminal bytes (sixel, kitty, iTerm2, Unicode blocks, ASCII) and the terminal probe.
    // It knows nothing of DICOM.
    .target(
      name: "TerminalGraphics", dependencies: ["RasterCore", "CTerminal", "Spawn", "SystemIO"],
      swiftSettings: strictSettings),

    // Child processes started with posix_spawn and reaped by pid (Foundation's Process can miss an exit).
    .target(name: "Spawn", dependencies: ["CSpawn", "SystemIO"], swiftSettings: strictSettings),

    // The local archive: SQLite index (GRDB) of patients, studies, series and instances, and the file
    // store, the only code that writes DICOM objects to disk.
    .target(
      name: "Archive",
      dependencies: ["DICOM", "SystemIO", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: strictSettings),

    // The one TLS policy (BCP 195) and its files and failures, for DICOM, DICOMweb and syslog alike.
    .target(
      name: "SecureTransport",
      dependencies: [
        "SystemIO", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOTLS", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: strictSettings),

    // DICOM networking: the upper layer as a sans-IO codec (PDUs, the PS3.8 state machine, DIMSE), the
    // SwiftNIO transport that wraps it, the SCUs and the Storage SCP.
    .target(
      name: "DICOMNetwork",
      dependencies: [
        "DICOM", "SecureTransport", .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings),

    // DICOMweb (PS3.18) over HTTP(S) with async-http-client: QIDO-RS, WADO-RS, STOW-RS, the multipart
    // reader, the query mapping from C-FIND identifiers; TLS from SecureTransport. No archive here.
    .target(
      name: "DICOMweb",
      dependencies: [
        "DICOM", "SecureTransport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings),

    // Retrieval into the local archive from any remote archive (`RemoteArchive`: DIMSE, DICOMweb): queries
    // as datasets, planning, the storage every SCP, C-GET and WADO-RS store through (tests use it too).
    .target(
      name: "Retrieval",
      dependencies: [
        "Archive", "DICOMNetwork", "DICOMweb", "DICOM", "Audit", "SecureTransport",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings),

    // The workstation's core: Model, Msg, update -> effects, keymaps, the screen as text; no terminal.
    .target(
      name: "Workstation",
      dependencies: [
        "Archive", "DICOM", "DICOMImaging", "RasterCore", "Audit", "Deidentification",
        .product(name: "TOMLKit", package: "TOMLKit"),
      ],
      swiftSettings: strictSettings),

    // The workstation's view: ncursesw draws the model, turns keys and resizes into messages, and places
    // the slice with the terminal graphics module.
    .target(
      name: "CursesUI", dependencies: ["Workstation", "TerminalGraphics", "RasterCore", "CNcursesw", "SystemIO"],
      swiftSettings: strictSettings),

    // The audit trail: who did what to which study and when, append-only and synced, forwarded to syslog.
    .target(
      name: "Audit",
      dependencies: [
        "SystemIO", "SecureTransport", .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: strictSettings),

    // De-identification: PS3.15 Annex E's profile and options (Table E.1-1 generated from the standard),
    // keyed pseudonyms and UIDs (HMAC-SHA-256 from swift-crypto), burned-in annotation refusal.
    .target(
      name: "Deidentification",
      dependencies: ["DICOM", "SystemIO", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["Profile/generate_profile.py"],
      swiftSettings: strictSettings),

    // Synthetic studies made by the project's own code: samples, tests and benchmarks (no patient data).
    .target(name: "SyntheticData", dependencies: ["DICOM"], swiftSettings: strictSettings),

    // Writes the commit the build comes from, for `biloba --version`.
    .plugin(name: "BuildCommitPlugin", capability: .buildTool(), path: "Sources/BuildCommitPlugin"),

    .executableTarget(
      name: "biloba",
      dependencies: [
        "DICOM", "DICOMImaging", "RasterCore", "TerminalGraphics", "Archive", "DICOMNetwork", "Workstation", "CursesUI",
        "Retrieval", "SystemIO", "Audit", "Deidentification", "SecureTransport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"), .product(name: "TOMLKit", package: "TOMLKit"),
      ],
      swiftSettings: strictSettings,
      plugins: ["BuildCommitPlugin"]
    ),
    .executableTarget(
      name: "biloba-samples",
      dependencies: ["DICOM", "SyntheticData"],
      swiftSettings: strictSettings
    ),
    .executableTarget(
      name: "BilobaBenchmarks",
      dependencies: [
        "DICOM", "DICOMImaging", "TerminalGraphics", "RasterCore", "SyntheticData", "CSixel", "Archive", "Workstation",
        "Spawn", "Deidentification", "Retrieval", "DICOMNetwork", .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings
    ),

    .target(name: "TestSupport", dependencies: ["Spawn"], path: "Tests/TestSupport", swiftSettings: strictSettings),
    .testTarget(name: "SpawnTests", dependencies: ["Spawn"], swiftSettings: strictSettings),
    // De-identification checked against Table E.1-1, dicognito (PyPI) and dciodvfy (dicom3tools).
    .testTarget(
      name: "DeidentificationTests",
      dependencies: ["Deidentification", "DICOM", "SyntheticData", "TestSupport", "Spawn"],
      exclude: ["profile_oracle.py"],
      swiftSettings: strictSettings),
    .testTarget(name: "AuditTests", dependencies: ["Audit", "TestSupport"], swiftSettings: strictSettings),
    .testTarget(
      name: "DICOMTests", dependencies: ["DICOM", "SyntheticData", "TestSupport"], swiftSettings: strictSettings),
    .testTarget(
      name: "DICOMImagingTests", dependencies: ["DICOMImaging", "DICOM", "RasterCore", "SyntheticData", "TestSupport"],
      swiftSettings: strictSettings),
    // Decoded values checked against DCMTK, GDCM and OpenJPH transcodings (peers started by the tests).
    .testTarget(
      name: "DICOMImagingInteropTests",
      dependencies: ["DICOMImaging", "DICOM", "RasterCore", "SyntheticData", "TestSupport"],
      exclude: ["presentation_state.py"],
      swiftSettings: strictSettings),
    .testTarget(
      name: "TerminalGraphicsTests",
      dependencies: ["TerminalGraphics", "RasterCore", "CZlib", "CTerminal", "TestSupport"],
      swiftSettings: strictSettings),
    // biloba show in a real xterm under Xvfb, and the probe in xterm and tmux.
    .testTarget(
      name: "TerminalGraphicsInteropTests",
      dependencies: [
        "TerminalGraphics", "DICOMImaging", "DICOM", "RasterCore", "SyntheticData", "TestSupport", "Spawn", "CTerminal",
      ],
      swiftSettings: strictSettings),
    .testTarget(
      name: "ArchiveTests", dependencies: ["Archive", "DICOM", "Retrieval", "SyntheticData", "TestSupport"],
      swiftSettings: strictSettings),
    // Local study queries against DCMTK's dcmqrscp answering findscu over the same files.
    .testTarget(
      name: "ArchiveInteropTests",
      dependencies: [
        "Archive", "DICOM", "SyntheticData", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strictSettings),
    .testTarget(
      name: "WorkstationTests",
      dependencies: ["Workstation", "Archive", "Audit", "DICOM", "RasterCore", "SyntheticData", "TestSupport"],
      swiftSettings: strictSettings),
    .testTarget(name: "CursesUITests", dependencies: ["CursesUI", "TerminalGraphics"], swiftSettings: strictSettings),
    .testTarget(
      name: "DICOMNetworkTests",
      dependencies: [
        "DICOMNetwork", "DICOM", "Archive", "Retrieval", "SyntheticData", "TestSupport",
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOTestUtils", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings),
    // Our SCUs and SCP against DCMTK (dcmqrscp, storescp, storescu, findscu, movescu) and Orthanc.
    // The multipart reader and query mapping alone; frames and metadata against Orthanc's plugin.
    .testTarget(
      name: "DICOMwebTests",
      dependencies: ["DICOMweb", "DICOM", "Spawn", "TestSupport", .product(name: "Logging", package: "swift-log")],
      swiftSettings: strictSettings),
    .testTarget(
      name: "DICOMNetworkInteropTests",
      dependencies: [
        "biloba", "DICOMNetwork", "DICOMweb", "Retrieval", "Archive", "DICOM", "SyntheticData", "TestSupport", "Spawn",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings),
    // Runs the built `biloba` executable as a user would, and reads what it prints.
    .testTarget(
      name: "BilobaCLITests",
      dependencies: [
        "biloba", "DICOM", "DICOMNetwork", "Archive", "Workstation", "Audit", "SyntheticData", "TestSupport", "Spawn",
      ],
      exclude: ["legacy_converted_enhanced.py", "hostile_dicomweb.py"],
      swiftSettings: strictSettings),
    // Interop tests run real peers (DCMTK) and need them installed; see .ci/run.
    .testTarget(
      name: "DICOMInteropTests",
      dependencies: ["DICOM", "SyntheticData", "TestSupport"],
      swiftSettings: strictSettings
    ),
  ],
  swiftLanguageModes: [.v6]
)
