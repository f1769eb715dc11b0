import DICOM

/// Dates moved by a number of days, for the Retain Longitudinal Temporal Information with Modified
/// Dates option: every date of a patient moves by the same offset, so intervals stay true.
enum DateShift {
  /// A DA or DT value moved by `days`, its precision and the rest of a DT (time, offset) kept; nil for
  /// a value that is not a date (it is then emptied: it cannot be moved, and may identify).
  static func shift(_ value: String, vr: VR, days: Int) -> String? {
    if value.isEmpty { return value }
    let chars = Array(value.utf8)
    let datePart = vr == .DA ? chars.count : min(8, chars.count)
    guard datePart == 4 || datePart == 6 || datePart == 8, chars.count == datePart || vr == .DT,
      chars[0..<datePart].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
    else { return nil }
    let digits = String(decoding: chars[0..<datePart], as: UTF8.self)
    guard let year = Int(digits.prefix(4)) else { return nil }
    let month = datePart >= 6 ? Int(digits.dropFirst(4).prefix(2)) ?? 0 : 1
    let day = datePart == 8 ? Int(digits.dropFirst(6).prefix(2)) ?? 0 : 1
    guard (1...12).contains(month), (1...31).contains(day) else { return nil }
    let moved = civil(fromDays: daysFromCivil(year: year, month: month, day: day) + days)
    guard (1...9999).contains(moved.year) else { return nil }
    var text = pad(moved.year, 4)
    if datePart >= 6 { text += pad(moved.month, 2) }
    if datePart == 8 { text += pad(moved.day, 2) }
    return text + String(decoding: chars[datePart...], as: UTF8.self)
  }

  private static func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }

  /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
