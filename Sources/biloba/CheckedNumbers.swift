import ArgumentParser
import Foundation

/// Every number a user or a file gives is checked here before it is converted or used: a size, a
/// duration, a count. Out of range, not finite or not a number is an error that names the option (exit
/// status 1), never a trap in a conversion.
enum ByteSize {
  /// The largest size accepted anywhere: 1 PiB.
  static let maximum = 1 << 50

  /// "500M", "20G", "1.5T", "4096": bytes, from 1 to 1 PiB. Nil for anything else (zero, negative, nan,
  /// inf, 1e300, 99999999999G, an unknown unit).
  static func parse(_ text: String) -> Int? {
    let units: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40, "P": 0x1p50]
    let upper = text.uppercased().trimmingCharacters(in: .whitespaces)
    var number = Substring(upper)
    var factor = 1.0
    if let unit = upper.last, let f = units[unit] {
      factor = f
      number = upper.dropLast()
    }
    // Digits and one point only: no sign, no exponent, no "nan" or "inf" for Double to accept.
    guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
      number.filter({ $0 == "." }).count <= 1, let value = Double(number)
    else { return nil }
    let bytes = value * factor
    guard bytes.isFinite, bytes >= 1, bytes <= Double(maximum) else { return nil }
    return Int(bytes)
  }

  /// A size as people read it: "1.2 GB".
  static func describe(_ bytes: Int) -> String {
    ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)
  }
}

enum CheckedNumber {
  /// Seconds for a timeout: finite, within `range` (a day at most by default).
  static func seconds(_ value: Double, option: String, range: ClosedRange<Double> = 0.001...86_400)
    throws(ValidationError)
  {
    guard value.isFinite, range.contains(value) else {
      throw ValidationError("\(option) must be a number of seconds from \(range.lowerBound) to \(range.upperBound)")
    }
  }

  /// A whole number within `range`.
  static func count(_ value: Int, option: String, range: ClosedRange<Int>) throws(ValidationError) {
    guard range.contains(value) else {
      throw ValidationError("\(option) must be \(range.lowerBound) to \(range.upperBound)")
    }
  }
}
