public import DICOM

/// Everything that can go wrong turning pixel data into values or a display image.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
  case missingAttribute(String)
  case invalidAttribute(String, reason: String)
  /// rows x columns x samples x bytes x frames does not fit, or exceeds the limit.
  case sizeOverflow(String)
  case pixelDataTooShort(expected: Int, actual: Int)
  case noPixelData
  case unsupportedTransferSyntax(uid: String, name: String)
  /// A codec rejected the data, with its own words.
  case codec(String, reason: String)
  /// The decoded image disagrees with what the header says.
  case dimensionMismatch(expected: String, decoded: String)
  case frameOutOfRange(index: Int, count: Int)
  case decodeTimeExceeded(milliseconds: Int)
  /// The slice's object has not arrived yet (a retrieve is bringing it).
  case notHereYet
  case dataset(DICOMError)

  public var description: String {
    switch self {
    case .missingAttribute(let name): "missing \(name)"
    case .invalidAttribute(let name, let reason): "invalid \(name): \(reason)"
    case .sizeOverflow(let what): "image size out of bounds: \(what)"
    case .pixelDataTooShort(let expected, let actual): "pixel data holds \(actual) bytes, \(expected) expected"
    case .noPixelData: "no pixel data"
    case .unsupportedTransferSyntax(let uid, let name): "transfer syntax \(name) (\(uid)) is not supported"
    case .codec(let codec, let reason): "\(codec): \(reason)"
    case .dimensionMismatch(let expected, let decoded): "decoded image is \(decoded), header says \(expected)"
    case .frameOutOfRange(let index, let count): "frame \(index + 1) requested, the image has \(count)"
    case .notHereYet: "this slice is on its way: it is retrieved next"
    case .decodeTimeExceeded(let ms): "decoding took longer than \(ms) ms"
    case .dataset(let error): error.description
    }
  }
}
