public import DICOM

/// Why an object was not de-identified. Nothing of it was written.
public enum DeidentificationError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Burned-in annotation: the pixels may show the patient's name, and the profile cannot clean them.
  case burnedIn(reason: String)
  /// `--blank` asked for on pixels it cannot reach (compressed, or outside the image).
  case cannotBlank(reason: String)
  /// A value the profile must write cannot be written in the object's character set or VR.
  case unwritable(tag: Tag, reason: String)
  /// The key file is missing, unreadable, malformed or readable by others.
  case key(path: String, reason: String)

  public var description: String {
    switch self {
    case .burnedIn(let reason):
      "refused: \(reason); the pixels may show who the patient is. Give --blank x,y,w,h to blank the text, "
        + "or --allow-burned-in once you have checked the images"
    case .cannotBlank(let reason): "cannot blank: \(reason)"
    case .unwritable(let tag, let reason): "cannot write \(tag): \(reason)"
    case .key(let path, let reason): "key \(path.strippingControlCharacters): \(reason)"
    }
  }
}
