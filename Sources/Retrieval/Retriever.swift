public import Archive
import DICOM
import Foundation
public import DICOMNetwork
public import Logging
import Synchronization

/// One retrieve into the local archive, as `biloba move`, `biloba get` and the workstation do it, from
/// any remote archive: plan (a query lists the instances; those already here are skipped), fetch into
/// the archive's one receive path, make the objects durable, and record the job in the archive's
/// retrieval table.
public struct Retriever: Sendable {
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
  }

  public let remote: any RemoteArchive
  public let archive: LocalArchive
  /// AE titles whose objects may replace instances the archive holds.
  public var replacingAETitles: Set<String>
  public var maxObjectSize: Int
  public let logger: Logger

  public init(
    remote: any RemoteArchive, archive: LocalArchive, replacingAETitles: Set<String> = [],
    maxObjectSize: Int = LocalArchive.defaultMaxReceivedObjectSize, logger: Logger
  ) {
    self.remote = remote
    self.archive = archive
    self.replacingAETitles = replacingAETitles
    self.maxObjectSize = maxObjectSize
    self.logger = logger
  }

  /// Retrieves `target`; `onPlan` hears what was already here before anything is asked for. With
  /// `focus` (a reader on screen), the instances are fetched one by one in reading order around it,
  /// asked again before each; without, as the plan groups them (a series a request).
  public func run(
    _ target: RetrieveTarget, refetch: Bool, focus: (@Sendable () -> ReadingFocus?)? = nil,
    onPlan: (RetrievalPlan) -> Void = { _ in }, onProgress: @escaping @Sendable (SubOperationProgress) -> Void
  ) async throws -> RetrieveOutcome {
    archive.prepareForReceiving(logger: logger)
    // Only what was asked for is kept.
    let storage = ArchiveStorage(
      archive: archive, replacingAETitles: replacingAETitles, accepts: target.accepts, maxObjectSize: maxObjectSize,
      logger: logger)
    let plan = try await target.plan(from: remote, archive: archive, refetch: refetch)
    onPlan(plan)
    let record = RetrievalRecord(archive: archive, node: remote.name, target: target)
    let outcome: RetrieveOutcome
    do {
      let requests: RequestSource
      if let focus, !plan.pending.isEmpty {
        let queue = ReadingOrderQueue(plan.pending, focus: focus)
        requests = RequestSource(
          pull: { queue.next().flatMap { try? target.imageRequest(series: $0.series, instances: [$0.instance]) } },
          remaining: { queue.count })
      } else {
        requests = .list(plan.requests)
      }
      let first = try await remote.fetch(
        requests, root: target.root, storageClasses: plan.storageClasses, storage: storage, onProgress: onProgress)
      outcome = try await fetchAsStored(
        after: first, target, storage: storage, onProgress: onProgress)
    } catch {
      record.finish(nil)
      throw Failure(description: "\(error)")
    }
    let unflushed = await archive.flushReceived()
    if !unflushed.isEmpty {
      record.finish(nil)
      throw Failure(description: "\(unflushed.count) objects could not be stored: \(unflushed[0])")
    }
    record.finish(outcome)
    return outcome
  }
}

extension Retriever {
  /// After a fetch that asked the node to compress for the wire: what did not come (a sub-operation the
  /// node could not transcode) is listed again and asked for as stored. The failures of the first pass
  /// are those of the second; what each brought adds up.
  func fetchAsStored(
    after first: RetrieveOutcome, _ target: RetrieveTarget, storage: ArchiveStorage,
    onProgress: @escaping @Sendable (SubOperationProgress) -> Void
  ) async throws -> RetrieveOutcome {
    guard first.progress.failed > 0, let plain = remote.asStored else { return first }
    logger.notice("the node could not send some objects compressed; asking for them as stored")
    // What the first pass brought is indexed before the listing tells what is missing.
    let unflushed = await archive.flushReceived()
    guard unflushed.isEmpty else {
      throw Failure(description: "\(unflushed.count) objects could not be stored: \(unflushed[0])")
    }
    let rest = try await target.plan(from: plain, archive: archive, refetch: false)
    guard !rest.requests.isEmpty else { return first }
    let done = first.progress.completed
    let second = try await plain.fetch(
      .list(rest.requests), root: target.root, storageClasses: rest.storageClasses, storage: storage
    ) { p in
      var p = p
      p.completed += done
      onProgress(p)
    }
    var progress = second.progress
    progress.completed += done
    progress.warning += first.progress.warning
    return RetrieveOutcome(status: second.status, progress: progress)
  }
}

/// The move association's keep-alive, set while it runs and touched from the SCP's tasks.
final class KeepAliveBox: Sendable {
  private let current = Mutex<KeepAlive?>(nil)

  func set(_ keepAlive: KeepAlive?) { current.withLock { $0 = keepAlive } }
  func touch() { current.withLock { $0?() } }
}

extension RetrieveTarget {
  /// Whether a received object is part of this target: its study, and its series and instance when the
  /// target names them.
  var accepts: @Sendable (InstanceRecord) -> Bool {
    let (study, series, instance) = (study, series, instance)
    return { record in
      record.studyInstanceUID == study && (series.map { $0 == record.seriesInstanceUID } ?? true)
        && (instance.map { $0 == record.sopInstanceUID } ?? true)
    }
  }
}

/// The IP addresses a host name stands for, to admit a node's connections by address.
public enum HostAddresses {
  public static func resolve(_ host: String) -> Set<String> {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [host] }
    defer { freeaddrinfo(first) }
    var out: Set<String> = []
    var next: UnsafeMutablePointer<addrinfo>? = first
    while let entry = next {
      var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
      if getnameinfo(
        entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0
      {
        out.insert(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
      }
      next = entry.pointee.ai_next
    }
    return out.isEmpty ? [host] : out
  }
}
