// swift-tools-version: 6.0
// The association fuzzer: whole PDU streams into the Storage SCP with the archive behind it. Built with
// libFuzzer by Tests/Fuzz/run-association-fuzz.sh (`swift build --sanitize fuzzer`), apart from the main
// package so that its tests are not built with the fuzzer's instrumentation.
import PackageDescription

let package = Package(
  name: "AssociationFuzz",
  platforms: [.macOS(.v13)],
  dependencies: [.package(name: "Biloba", path: "../../..")],
  targets: [
    .executableTarget(
      name: "AssociationFuzz",
      dependencies: [
        .product(name: "BilobaReceiving", package: "Biloba"), .product(name: "DICOM", package: "Biloba"),
      ],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])])
  ],
  swiftLanguageModes: [.v6]
)
