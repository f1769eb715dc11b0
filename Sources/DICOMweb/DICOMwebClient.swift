import AsyncHTTPClient
public import DICOM
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SecureTransport

/// A DICOMweb client: QIDO-RS, WADO-RS and STOW-RS through async-http-client, HTTPS under the product's
/// TLS policy. A session keeps one connection pool for a job's requests (one TLS handshake, not one per
/// instance). Redirects are not followed; every answer's size is bounded by what its kind may be.
public struct DICOMwebClient: Sendable {
  public let endpoint: DICOMwebEndpoint
  public let logger: Logger
  /// A search's or a metadata answer's largest JSON.
  public var maxJSONBytes = 64 << 20
  /// A rendered picture's largest size.
  public var maxRenderedBytes = 32 << 20
  /// The largest part of a retrieve (one object).
  public var maxPartBytes = 4 << 30
  /// Matches asked for per search request (limit/offset paging).
  public var pageSize = 500
  /// Matches taken from one search at most, as C-FIND takes (a server that pages without end is stopped).
  public var maxMatches = 100_000

  public init(endpoint: DICOMwebEndpoint, logger: Logger) {
    self.endpoint = endpoint
    self.logger = logger
  }

  /// Runs `body` with a session; its connections are closed after.
  public func withSession<Result: Sendable>(
    _ body: (DICOMwebSession) async throws -> Result
  ) async throws -> Result {
    // JSON answers may come compressed (gzip, deflate): a search's shrinks about forty times, what a thin
    // link needs. They are inflated as they stream in; what inflates is bounded downstream (a search's
    // size), so the inflater needs no ratio of its own.
    var configuration = HTTPClient.Configuration(
      redirectConfiguration: .disallow,
      timeout: HTTPClient.Configuration.Timeout(
        connect: .milliseconds(Int64(endpoint.connectTimeout * 1000)),
        read: .milliseconds(Int64(endpoint.readTimeout * 1000))),
      decompression: .enabled(limit: .none))
    // A server that refuses the connection (down, wrong port) is said at once, as a DICOM node's is: the
    // pool's default retries the connection until the connect timeout, ten seconds of a silent wait.
    configuration.connectionPool.retryConnectionEstablishment = false
    if endpoint.isHTTPS {
      let settings = endpoint.tls ?? TLSClientSettings()
      guard settings.pinnedSHA256 == nil else {
        throw DICOMwebError.unsupported("tls_pin applies to DICOM TLS nodes; give a DICOMweb node its CA (tls_ca)")
      }
      do { configuration.tlsConfiguration = try TLSPolicy.client(settings) } catch {
        throw DICOMwebError.tls(host: endpoint.host, reason: "\(error)")
      }
    }
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let session = DICOMwebSession(http: http, client: self)
    do {
      let result = try await body(session)
      try? await http.shutdown()
      return result
    } catch {
      try? await http.shutdown()
      throw error
    }
  }
}

/// Requests on one connection pool.
public struct DICOMwebSession: Sendable {
  let http: HTTPClient
  let client: DICOMwebClient
  var endpoint: DICOMwebEndpoint { client.endpoint }

  /// Sends a request and checks its status; the body is left to the caller.
  /// `compressed` asks for a gzip answer (JSON): objects and pictures come as they are, since Orthanc
  /// sends a compressed answer in one write that a slow link cannot take before its time limit.
  func execute(_ request: HTTPClientRequest, compressed: Bool = false) async throws(DICOMwebError)
    -> HTTPClientResponse
  {
    var request = request
    if let authorization { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
    request.headers.replaceOrAdd(name: "Accept-Encoding", value: compressed ? "gzip, deflate" : "identity")
    client.logger.debug("\(request.method.rawValue) \(DICOMwebEndpoint.redacted(request.url))")
    let response: HTTPClientResponse
    do { response = try await http.execute(request, timeout: .hours(24)) } catch let error as HTTPClientError
      where error == .remoteConnectionClosed && request.method == .GET
    {
      // A kept-alive connection the server closed while its last answer was still crossing a slow link
      // (Orthanc keeps one idle for a second): a GET asks again, once, on a new connection.
      do { response = try await http.execute(request, timeout: .hours(24)) } catch { throw failure(error) }
    } catch {
      throw failure(error)
    }
    if let failure = failure(response.status, headers: response.headers, url: request.url) { throw failure }
    return response
  }

  /// What an answer's status says went wrong; nil for success.
  func failure(_ status: HTTPResponseStatus, headers: HTTPHeaders, url: String) -> DICOMwebError? {
    let code = Int(status.code)
    switch code {
    case 200..<300: return nil
    case 300..<400:
      let location = headers.first(name: "Location").map { URLComponents(string: $0)?.host ?? $0 } ?? "?"
      return .redirected(location: location.strippingControlCharacters)
    case 401: return .unauthorized
    case 403: return .forbidden
    case 404: return .notFound(DICOMwebEndpoint.redacted(String(url.dropFirst(endpoint.root.count))))
    default: return .httpStatus(code, status.reasonPhrase.strippingControlCharacters)
    }
  }

  /// The Authorization header the endpoint's credentials make, if any.
  var authorization: String? {
    switch endpoint.authorization {
    case .none: nil
    case .basic(let username, let password): "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    case .bearer(let token): "Bearer \(token)"
    }
  }

  /// What a transport error means to a user.
  func failure(_ error: any Error) -> DICOMwebError {
    if let known = error as? DICOMwebError { return known }
    if let http = error as? HTTPClientError {
      switch http {
      case .connectTimeout: return .unreachable(host: endpoint.host, reason: "no connection within the time limit")
      case .readTimeout: return .timeout(seconds: endpoint.readTimeout)
      case .deadlineExceeded: return .timeout(seconds: endpoint.readTimeout)
      case .remoteConnectionClosed: return .unreachable(host: endpoint.host, reason: "the server closed the connection")
      default: return .unreachable(host: endpoint.host, reason: "\(http)")
      }
    }
    let text = "\(error)"
    if error is NIOSSLError || error is NIOSSLExtraError || text.contains("OPENSSL_internal") {
      return .tls(host: endpoint.host, reason: TLSFailure(error).description)
    }
    return .unreachable(host: endpoint.host, reason: ConnectionFailure.describe(error))
  }

  /// A whole body, at most `limit` bytes.
  func collect(_ response: HTTPClientResponse, limit: Int) async throws(DICOMwebError) -> [UInt8] {
    var out: [UInt8] = []
    do {
      for try await chunk in response.body {
        guard out.count + chunk.readableBytes <= limit else { throw DICOMwebError.responseTooLarge(limit: limit) }
        out += chunk.readableBytesView
      }
    } catch {
      throw failure(error)
    }
    return out
  }

  // MARK: - QIDO-RS

  /// Searches with `query`, page after page, until the server has no more or `onMatch` says stop.
  /// Returns how many matches were handed on.
  @discardableResult
  public func search(_ query: QIDOQuery, onMatch: (Dataset) -> Bool) async throws(DICOMwebError) -> Int {
    var offset = 0
    var handed = 0
    var lastPageFirst: Dataset?
    let page = client.pageSize
    while true {
      var parameters = query.parameters.map { ($0.name, $0.value) }
      parameters += [("limit", String(page)), ("offset", String(offset))]
      var request = HTTPClientRequest(url: endpoint.url(query.path, parameters))
      request.headers.add(name: "Accept", value: "application/dicom+json")
      let response = try await execute(request, compressed: true)
      if response.status == .noContent { return handed }
      let bytes = try await collect(response, limit: client.maxJSONBytes)
      if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return handed }
      let matches: [Dataset]
      do { matches = try DICOMJSON.decode(bytes) } catch { throw .badJSON("\(error)") }
      // A server that ignores offset answers every page with the first one: that is not more matches.
      guard offset == 0 || matches.first != lastPageFirst else {
        throw .unsupported("the server answers every page with the same matches (it ignores offset)")
      }
      lastPageFirst = matches.first
      for match in matches {
        handed += 1
        guard handed <= client.maxMatches else { throw .unsupported("more than \(client.maxMatches) matches") }
        guard onMatch(match) else { return handed }
      }
      // A server that ignores limit answers everything at once; one that honours it says less than a page at the end.
      guard matches.count >= page else { return handed }
      offset += matches.count
    }
  }

  // MARK: - WADO-RS

  /// The content type asked for when retrieving objects: as stored, whatever their syntax.
  public static let acceptDICOM = "multipart/related; type=\"application/dicom\"; transfer-syntax=*"

  /// The content type asked for when retrieving objects in one transfer syntax (the server transcodes).
  public static func acceptDICOM(in syntax: String) -> String {
    "multipart/related; type=\"application/dicom\"; transfer-syntax=\(syntax)"
  }

  /// The content type asked for when retrieving frames: as stored (raw words, or the frame's codestream).
  public static let acceptFrames = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*"

  /// Frames of one instance (`numbers` from 1), each as the server sends it: the frame's pixel bytes for
  /// a native object, its compressed codestream otherwise, with the part's content type.
  public func frames(
    study: String, series: String, instance: String, numbers: [Int]
  ) async throws -> [(contentType: String, bytes: [UInt8])] {
    guard !numbers.isEmpty, numbers.allSatisfy({ $0 >= 1 }),
      [study, series, instance].allSatisfy(UIDSyntax.isValid)
    else { throw DICOMwebError.unsupported("frames are numbered from 1, of an instance named by its UIDs") }
    let path =
      "studies/\(study)/series/\(series)/instances/\(instance)/frames/"
      + numbers.map(String.init).joined(separator: ",")
    var parts: [(contentType: String, bytes: [UInt8])] = []
    try await retrieve(path, accept: Self.acceptFrames) { event in
      switch event {
      case .partStart(let headers): parts.append((headers["content-type"] ?? "application/octet-stream", []))
      case .data(let bytes): parts[parts.count - 1].bytes += bytes
      case .partEnd: break
      }
    }
    return parts
  }

  /// The metadata of a study, series or instance (`.../metadata`): its objects' attributes without bulk data.
  public func metadata(_ path: String) async throws(DICOMwebError) -> [Dataset] {
    let answer = try await get(path + "/metadata", accept: "application/dicom+json", limit: client.maxJSONBytes)
    do { return try DICOMJSON.decode(answer.body) } catch { throw .badJSON("\(error)") }
  }

  /// A single resource (rendered picture, metadata) of at most `limit` bytes, with its content type.
  public func get(
    _ path: String, parameters: [(String, String)] = [], accept: String, limit: Int
  ) async throws(DICOMwebError) -> (contentType: String, body: [UInt8]) {
    var request = HTTPClientRequest(url: endpoint.url(path, parameters))
    request.headers.add(name: "Accept", value: accept)
    let response = try await execute(request, compressed: accept.hasSuffix("json"))
    return (response.headers.first(name: "Content-Type") ?? "", try await collect(response, limit: limit))
  }

  // MARK: - STOW-RS

  /// What a store request did, per object.
  public struct StoreResult: Sendable, Equatable {
    public var stored: Int
    /// SOP Instance UIDs refused, with the server's failure reason (PS3.18 Table I.2-1).
    public var failed: [(uid: String, reason: Int?)]

    public static func == (a: StoreResult, b: StoreResult) -> Bool {
      a.stored == b.stored && a.failed.map(\.uid) == b.failed.map(\.uid)
        && a.failed.map(\.reason) == b.failed.map(\.reason)
    }
  }

  /// Stores Part 10 objects in one request (`POST {root}/studies`).
  public func store(_ objects: [[UInt8]]) async throws(DICOMwebError) -> StoreResult {
    let boundary = "biloba-" + UUID().uuidString
    var body: [UInt8] = []
    body.reserveCapacity(objects.reduce(0) { $0 + $1.count + 80 })
    for object in objects {
      body += Array("--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n".utf8)
      body += object
      body += [0x0D, 0x0A]
    }
    body += Array("--\(boundary)--\r\n".utf8)
    var request = HTTPClientRequest(url: endpoint.url("studies"))
    request.method = .POST
    request.headers.add(
      name: "Content-Type", value: "multipart/related; type=\"application/dicom\"; boundary=\(boundary)")
    request.headers.add(name: "Accept", value: "application/dicom+json")
    request.body = .bytes(ByteBuffer(bytes: body))
    let response: HTTPClientResponse
    do { response = try await execute(request) } catch .httpStatus(409, _) {
      // 409: none stored; the body (not read here) lists why. Every object failed.
      return StoreResult(stored: 0, failed: [])
    }
    let answer = try await collect(response, limit: client.maxJSONBytes)
    guard !answer.isEmpty else { return StoreResult(stored: objects.count, failed: []) }
    let datasets: [Dataset]
    do { datasets = try DICOMJSON.decode(answer) } catch { throw .badJSON("\(error)") }
    let result = datasets.first ?? Dataset()
    let failed = (result.items(Tag.failedSOPSequence) ?? []).map {
      ($0.string(Tag.referencedSOPInstanceUID) ?? "", $0.int(Tag.failureReason))
    }
    let stored = result.items(Tag.referencedSOPSequence)?.count ?? (objects.count - failed.count)
    return StoreResult(stored: stored, failed: failed)
  }
}
