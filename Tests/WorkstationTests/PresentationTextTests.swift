import Archive
import DICOM
import DICOMImaging
import Foundation
import RasterCore
import SyntheticData
import TestSupport
import Testing

@testable import Workstation

/// A presentation state's text objects are drawn over the picture at display size, where the state puts
/// them, turned with the picture.
@Suite struct PresentationTextTests {
  static func state(referencing image: Dataset, rotation: Int) throws -> Dataset {
    func sequence(_ tag: DICOM.Tag, _ items: [Dataset]) -> Element {
      Element(tag: tag, vr: .SQ, value: .sequence(items.map { Item($0) }))
    }
    var reference = Dataset(byteOrder: .little)
    try reference.set(Tag.referencedSOPClassUID, .UI, image.string(Tag.sopClassUID) ?? "")
    try reference.set(Tag.referencedSOPInstanceUID, .UI, image.string(Tag.sopInstanceUID) ?? "")
    var series = Dataset(byteOrder: .little)
    try series.set(Tag.seriesInstanceUID, .UI, image.string(Tag.seriesInstanceUID) ?? "")
    series.set(sequence(Tag.referencedImageSequence, [reference]))
    var text = Dataset(byteOrder: .little)
    try text.set(Tag.unformattedTextValue, .ST, "HERE")
    try text.set(Tag.boundingBoxAnnotationUnits, .CS, "PIXEL")
    text.set(Tag.boundingBoxTopLeftHandCorner, .FL, floats: [100, 100])
    text.set(Tag.boundingBoxBottomRightHandCorner, .FL, floats: [120, 110])
    var annotation = Dataset(byteOrder: .little)
    try annotation.set(Tag.graphicLayer, .CS, "TEXT")
    annotation.set(sequence(Tag.textObjectSequence, [text]))
    var ps = Dataset(byteOrder: .little)
    try ps.set(Tag.sopInstanceUID, .UI, "2.25.999")
    try ps.set(Tag.contentLabel, .CS, "NOTES")
    ps.set(sequence(Tag.referencedSeriesSequence, [series]))
    ps.set(sequence(Tag.graphicAnnotationSequence, [annotation]))
    ps.set(Tag.imageRotation, .US, integers: [UInt16(rotation)])
    return ps
  }

  @Test(arguments: [0, 180])
  func a_text_object_is_drawn_where_the_state_puts_it(rotation: Int) throws {
    let dir = try TemporaryDirectory()
    let image = try SyntheticData.ctSlice(index: 0, of: 24, rows: 128, columns: 128)
    let imagePath = dir.file("ct.dcm")
    try DICOMFile(dataset: image, transferSyntax: .explicitVRLittleEndian).write(to: imagePath)
    let statePath = dir.file("ps.dcm")
    try DICOMFile(
      dataset: try Self.state(referencing: image, rotation: rotation), transferSyntax: .explicitVRLittleEndian
    )
    .write(to: statePath)
    let runtime = Runtime(archive: try LocalArchive(root: dir.file("archive")))
    var viewer = UpdateTests.viewerModel().viewer!
    viewer.slices = [StackSlice(path: imagePath, frame: 0)]
    viewer.index = 0
    viewer.presentationStates = [PresentationChoice(path: statePath, label: "NOTES")]
    viewer.presentation = 0
    // Shown at twice the image's size: the text stays 13 pixels high, at twice the corner's coordinates.
    let (raster, info) = try runtime.render(viewer, box: (256, 256), fit: { _, _ in (256, 256) }).get()
    #expect(info.annotationTexts == ["HERE"] && info.presentationLabel == "NOTES")
    // The corner (100, 100) of 128 x 128 is (200, 200) on screen; turned half round it lies at (28, 28),
    // so (56, 56) on screen.
    let (x0, y0) = rotation == 0 ? (200, 200) : (56, 56)
    func white(_ r: Raster) -> Int {
      var n = 0
      for dy in 0..<13 {
        for dx in 0..<24 where r.pixels[(y0 + dy) * 256 + x0 + dx] == 255 { n += 1 }
      }
      return n
    }
    #expect(white(raster) > 20, "the text's strokes at (\(x0), \(y0)): \(white(raster)) white pixels")
    // Without the state the same place holds no such strokes (the picture there is not white).
    viewer.presentation = nil
    let (plain, _) = try runtime.render(viewer, box: (256, 256), fit: { _, _ in (256, 256) }).get()
    #expect(white(plain) < 5)
  }
}
