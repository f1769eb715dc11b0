import Foundation
import TestSupport
import Testing

/// Nodes asked to compress for the wire (`compress = true`), against Orthanc 1.10 with the CT phantom of
/// Tests/ThinLink: one Orthanc stores it as sent (uncompressed), another compresses it on arrival to
/// JPEG-LS (`IngestTranscoding`). DCMTK is the oracle for the pixels: `dcmdjpls` decodes what arrived
/// compressed and `dcmdump +W` writes each object's pixel data, compared byte for byte with the original's.
@Suite(.serialized) struct WireCompressionTests {
  static let jpegLSLossless = "1.2.840.10008.1.2.4.80"
  static let explicitLittleEndian = "1.2.840.10008.1.2.1"

  @Test func nodes_asked_to_compress_send_jpeg_ls_where_they_can_and_as_stored_where_they_cannot() throws {
    if let tool = DICOMwebInteropTests.missing() ?? (ProcessRunner.isInstalled("dcmdjpls") ? nil : "dcmdjpls") {
      Issue.record("\(tool) is needed (apt-get install orthanc orthanc-dicomweb curl dcmtk)")
      return
    }
    let dir = try TemporaryDirectory()
    let d = dir.path
    let biloba = try BuiltProducts.biloba()
    let (http, dicom) = (IsolatedNetwork.port(), IsolatedNetwork.port() + 1)
    let (http2, dicom2) = (http + 2, dicom + 2)
    try DICOMwebInteropTests.write(
      DICOMwebInteropTests.orthanc(d + "/plain", http: http, dicom: dicom), dir.file("plain.json"))
    try DICOMwebInteropTests.write(
      DICOMwebInteropTests.orthanc(
        d + "/packed", http: http2, dicom: dicom2, extra: #", "IngestTranscoding": "1.2.840.10008.1.2.4.80""#),
      dir.file("packed.json"))
    try DICOMwebInteropTests.write(
      """
      [nodes.dimse]
      host = "127.0.0.1"
      port = \(dicom)
      aet = "ORTHANC"
      compress = true

      [nodes.web]
      url = "http://127.0.0.1:\(http)/dicom-web"
      compress = true

      [nodes.packed]
      host = "127.0.0.1"
      port = \(dicom2)
      aet = "ORTHANC"
      compress = true
      """, dir.file("config/biloba/config.toml"))
    let script = """
      cd '\(d)'
      python3 '\(ThinLinkRetrievalTests.phantom)' phantom 4 > /dev/null || exit 1
      Orthanc plain.json > plain.log 2>&1 & p1=$!
      Orthanc packed.json > packed.log 2>&1 & p2=$!
      for i in $(seq 100); do curl -sf http://127.0.0.1:\(http)/system >/dev/null && curl -sf http://127.0.0.1:\(http2)/system >/dev/null && break; sleep 0.1; done
      export XDG_CONFIG_HOME='\(d)/config'
      '\(biloba)' send --node dimse phantom > send.out 2>&1
      '\(biloba)' send --node packed phantom > send2.out 2>&1
      study=$(dcmdump +P StudyInstanceUID phantom/CT0001.dcm | sed 's/.*\\[\\(.*\\)\\].*/\\1/')
      for node in dimse web packed; do
        '\(biloba)' get -v --node $node --study $study --archive $node > $node.out 2>&1
        mkdir -p $node-raw
        for f in $(find $node/objects -name '*.dcm'); do
          uid=$(dcmdump +P SOPInstanceUID $f | sed 's/.*\\[\\(.*\\)\\].*/\\1/')
          dcmdump -Un +P TransferSyntaxUID -M $f | sed 's/.*\\[\\(.*\\)\\].*/\\1/' >> $node.syntaxes
          dcmdjpls $f $node-raw/$uid.dcm 2>/dev/null || cp $f $node-raw/$uid.dcm
        done
      done
      for f in phantom/*.dcm; do
        uid=$(dcmdump +P SOPInstanceUID $f | sed 's/.*\\[\\(.*\\)\\].*/\\1/')
        for node in dimse web packed; do
          mkdir -p px/$node px/original
          dcmdump -q +W px/original $f > /dev/null
          dcmdump -q +W px/$node $node-raw/$uid.dcm > /dev/null
          cmp -s px/original/*.raw px/$node/*.raw && echo "$node $uid same" >> pixels || echo "$node $uid differs" >> pixels
          rm -f px/original/*.raw px/$node/*.raw
        done
      done
      kill $p1 $p2
      wait
      true
      """
    _ = try IsolatedNetwork.run(script)
    func read(_ name: String) -> String { (try? String(contentsOfFile: dir.file(name), encoding: .utf8)) ?? "" }
    func syntaxes(_ node: String) -> [String] { read("\(node).syntaxes").split(separator: "\n").map(String.init) }
    // Orthanc 1.10 transcodes a C-GET to uncompressed syntaxes only: the node says it cannot, and the
    // objects come as stored.
    #expect(read("dimse.out").contains("4 completed, 0 failed"), "\(read("dimse.out"))")
    #expect(read("dimse.out").contains("asking for them as stored"), "\(read("dimse.out"))")
    #expect(syntaxes("dimse") == Array(repeating: Self.explicitLittleEndian, count: 4), "\(syntaxes("dimse"))")
    // Its DICOMweb plugin transcodes: JPEG-LS comes.
    #expect(read("web.out").contains("4 completed, 0 failed"), "\(read("web.out"))")
    #expect(syntaxes("web") == Array(repeating: Self.jpegLSLossless, count: 4), "\(syntaxes("web"))")
    // An Orthanc that stores JPEG-LS sends it as stored to a proposal of compressed syntaxes alone.
    #expect(read("packed.out").contains("4 completed, 0 failed"), "\(read("packed.out"))")
    #expect(!read("packed.out").contains("as stored"), "\(read("packed.out"))")
    #expect(syntaxes("packed") == Array(repeating: Self.jpegLSLossless, count: 4), "\(syntaxes("packed"))")
    // Lossless: every object's pixels, decoded by DCMTK, are the original's.
    let pixels = read("pixels").split(separator: "\n")
    #expect(pixels.count == 12 && pixels.allSatisfy { $0.hasSuffix(" same") }, "\(pixels)")
  }
}
