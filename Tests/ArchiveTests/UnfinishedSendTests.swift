import Foundation
import TestSupport
import Testing

@testable import Archive

/// What a send has left is kept in the index until the node confirms it; a file gone from the archive
/// meanwhile is no longer offered, and forgotten.
@Suite struct UnfinishedSendTests {
  @Test func a_send_keeps_its_unconfirmed_files_and_forgets_those_no_longer_there() throws {
    let dir = try TemporaryDirectory()
    let archive = try LocalArchive(root: dir.file("archive"))
    let files = (1...4).map { dir.file("object\($0).dcm") }
    for file in files { try Data([1]).write(to: URL(fileURLWithPath: file)) }
    let id = try archive.beginSend(node: "PACS", study: "1.2.3", detail: "study", files: files)
    try archive.confirmSent(id, files: [files[0]])
    try FileManager.default.removeItem(atPath: files[1])
    try FileManager.default.removeItem(atPath: files[2])
    let left = try archive.unfinishedSends()
    #expect(
      left == [LocalArchive.UnfinishedSend(id: id, node: "PACS", study: "1.2.3", detail: "study", files: [files[3]])])
    // The missing files were forgotten, not only skipped: back in place, they are not offered again.
    for file in files[1...2] { try Data([1]).write(to: URL(fileURLWithPath: file)) }
    #expect(try archive.unfinishedSends().first?.files == [files[3]])
    try archive.confirmSent(id, files: [files[3]])
    #expect(try archive.unfinishedSends().isEmpty)
  }
}
