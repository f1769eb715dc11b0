import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension DICOMwebSession {
  /// Retrieves `path` (`studies/{uid}[/series/{uid}[/instances/{uid}]]`) as a multipart stream of Part 10
  /// objects; each part's events go to `onEvent` as they arrive, on the connection's event loop, in order,
  /// while the caller awaits this call (never at the same time as the caller, so `onEvent` may keep its
  /// state in the caller's variables). A request whose kept-alive connection the server closed before
  /// answering is asked again, once.
  public func retrieve(
    _ path: String, accept: String = DICOMwebSession.acceptDICOM,
    onEvent: @escaping (MultipartReader.Event) throws -> Void
  ) async throws {
    do {
      try await retrieveOnce(path, accept: accept, onEvent: onEvent)
    } catch is MultipartDelegate.ClosedBeforeAnswer {
      // A kept-alive connection the server closed while its last answer was still crossing a slow link
      // (Orthanc keeps one idle for a second).
      do { try await retrieveOnce(path, accept: accept, onEvent: onEvent) } catch let again
        as MultipartDelegate.ClosedBeforeAnswer
      {
        throw failure(again.error)
      }
    }
  }

  private func retrieveOnce(
    _ path: String, accept: String, onEvent: @escaping (MultipartReader.Event) throws -> Void
  ) async throws {
    let url = endpoint.url(path)
    var request: HTTPClient.Request
    do { request = try HTTPClient.Request(url: url) } catch { throw DICOMwebError.invalidURL("\(error)") }
    request.headers.add(name: "Accept", value: accept)
    // Objects come as they are: compressing them costs the server more than it saves the wire.
    request.headers.add(name: "Accept-Encoding", value: "identity")
    if let authorization { request.headers.add(name: "Authorization", value: authorization) }
    client.logger.debug("GET \(DICOMwebEndpoint.redacted(url))")
    let delegate = MultipartDelegate(session: self, url: url, maxPartBytes: client.maxPartBytes, onEvent: onEvent)
    let task = http.execute(request: request, delegate: delegate, deadline: .now() + .hours(24))
    do {
      try await withTaskCancellationHandler {
        try await task.futureResult.get()
      } onCancel: {
        task.cancel()
      }
    } catch {
      // What the delegate or `onEvent` threw (the archive refusing, a malformed body) goes as it is.
      if let thrown = delegate.thrown { throw thrown }
      // Cancelled by the delegate once every part had come: a whole answer.
      if delegate.complete && !Task.isCancelled { return }
      if let http = error as? HTTPClientError, http == .remoteConnectionClosed, !delegate.answered {
        throw MultipartDelegate.ClosedBeforeAnswer(error: error)
      }
      throw failure(error)
    }
  }
}

/// A multipart answer read where it arrives: each body chunk goes through the multipart reader on the
/// connection's event loop and its events to `onEvent` there, synchronously, so reading goes on at the
/// pace of the archive's writes. (The async body sequence hopped threads for every chunk and turned
/// reading off and on: a 200-slice study took three times curl's time.) Every callback runs on the one
/// event loop of the request, which is what makes the mutable state safe.
final class MultipartDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
  typealias Response = Void

  /// The server closed a kept-alive connection before any answer: the request may be made again.
  struct ClosedBeforeAnswer: Error { let error: any Error }

  let session: DICOMwebSession
  let url: String
  let maxPartBytes: Int
  let onEvent: (MultipartReader.Event) throws -> Void
  private var reader: MultipartReader?
  /// Whether an answer's head came.
  private(set) var answered = false
  /// What the answer or `onEvent` failed with, kept as it was thrown.
  private(set) var thrown: (any Error)?
  /// The closing boundary came and an epilogue after it went on past `maxEpilogue`: the request was
  /// cancelled, the answer whole. (A short epilogue is read to its end, so the connection stays open
  /// for the next request.)
  private(set) var complete = false
  private var epilogue = 0
  static let maxEpilogue = 64 << 10

  init(
    session: DICOMwebSession, url: String, maxPartBytes: Int,
    onEvent: @escaping (MultipartReader.Event) throws -> Void
  ) {
    self.session = session
    self.url = url
    self.maxPartBytes = maxPartBytes
    self.onEvent = onEvent
  }

  private func fail(_ error: any Error, on loop: any EventLoop) -> EventLoopFuture<Void> {
    thrown = error
    return loop.makeFailedFuture(error)
  }

  func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
    answered = true
    if let failure = session.failure(head.status, headers: head.headers, url: url) {
      return fail(failure, on: task.eventLoop)
    }
    let type = head.headers.first(name: "Content-Type") ?? ""
    guard let boundary = MultipartReader.boundary(ofContentType: type) else {
      return fail(DICOMwebError.unexpectedContentType(type.strippingControlCharacters), on: task.eventLoop)
    }
    reader = MultipartReader(boundary: boundary, maxPartBytes: maxPartBytes)
    return task.eventLoop.makeSucceededVoidFuture()
  }

  func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
    guard thrown == nil, !complete, var reader else { return task.eventLoop.makeSucceededVoidFuture() }
    if reader.isDone {
      epilogue += buffer.readableBytes
      if epilogue > Self.maxEpilogue {
        complete = true
        task.cancel()
      }
      return task.eventLoop.makeSucceededVoidFuture()
    }
    do {
      let events: [MultipartReader.Event]
      do { events = try reader.feed(buffer.readableBytesView) } catch { throw DICOMwebError.multipart(error) }
      self.reader = reader
      for event in events { try onEvent(event) }
      return task.eventLoop.makeSucceededVoidFuture()
    } catch {
      return fail(error, on: task.eventLoop)
    }
  }

  func didFinishRequest(task: HTTPClient.Task<Void>) throws {
    if let thrown { throw thrown }
    do { try reader?.finish() } catch {
      thrown = DICOMwebError.multipart(error)
      throw DICOMwebError.multipart(error)
    }
  }
}
