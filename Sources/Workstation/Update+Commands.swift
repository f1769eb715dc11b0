import Archive
import DICOMImaging
import Foundation

/// The command line (split from Update.swift): `:` commands such as `wl W L`, `preset NAME`,
/// `find KEY=VALUE`, `layout`, `privacy`, `sync`, `sort`, `q`, and those that pass a study on
/// (Update+Distribution.swift).
func command(_ model: inout Model, _ text: String) -> [Effect] {
  let words = text.split(separator: " ").map(String.init)
  guard let verb = words.first else { return [] }
  switch verb {
  case "q", "quit":
    model.quit = true
    return [.quit]
  case "cine":
    guard words.count == 2, let rate = Double(words[1]), (1...60).contains(rate) else {
      model.status = ":cine wants frames a second from 1 to 60, e.g. :cine 10"
      return []
    }
    model.viewer?.cineRate = rate
    return []
  case "wl":
    guard words.count == 3, let width = Double(words[1]), let level = Double(words[2]), width >= 1 else {
      model.status = ":wl wants a width of at least 1 and a level, e.g. :wl 400 40"
      return []
    }
    return setWindow(&model, Window(center: level, width: width), name: nil)
  case "preset":
    guard words.count == 2, let window = Window.presets[words[1].lowercased()] else {
      model.status = ":preset wants one of " + Window.presets.keys.sorted().joined(separator: ", ")
      return []
    }
    return setWindow(&model, window, name: words[1].lowercased())
  case "find":
    var query = StudyQuery()
    for pair in words.dropFirst() {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { continue }
      switch parts[0].lowercased() {
      case "patientname", "name": query.patientName = parts[1]
      case "patientid", "id": query.patientID = parts[1]
      case "studydate", "date": query.studyDate = dateRange(parts[1], today: model.today)
      case "modality", "modalitiesinstudy": query.modality = parts[1]
      case "accessionnumber", "accession": query.accessionNumber = parts[1]
      case "studydescription", "description": query.studyDescription = parts[1]
      default:
        model.status = ":find knows PatientName, PatientID, StudyDate, Modality, AccessionNumber, StudyDescription"
        return []
      }
    }
    return runQuery(&model, query)
  case "today", "week", "month":
    let span = ["today": "today", "week": "7d", "month": "30d"][verb] ?? "today"
    return command(&model, "find date=\(span)")
  case "layout":
    guard words.count == 2, let layout = Model.Layout(rawValue: words[1].lowercased()) else {
      model.status = ":layout wants 1x1, 1x2 or 2x2"
      return []
    }
    return setLayout(&model, layout)
  case "privacy":
    guard words.count == 2, ["on", "off"].contains(words[1]) else {
      model.status = ":privacy wants on or off"
      return []
    }
    setPrivacy(&model, words[1] == "on")
    return []
  case "sync":
    guard words.count == 2, ["on", "off"].contains(words[1]) else {
      model.status = ":sync wants on or off"
      return []
    }
    model.syncScroll = words[1] == "on"
    model.status = "panes scroll " + (model.syncScroll ? "together" : "each on its own")
    return []
  case "anonymize":
    return anonymize(&model, Array(words.dropFirst()))
  case "send":
    return send(&model, Array(words.dropFirst()))
  case "media":
    return writeMedia(&model, Array(words.dropFirst()))
  case "link":
    guard words.count == 2, ["on", "off"].contains(words[1]) else {
      model.status = ":link wants on or off (window and level of all panes together)"
      return []
    }
    model.linkWindow = words[1] == "on"
    model.status = "window and level " + (model.linkWindow ? "linked across panes" : "set pane by pane")
    return []
  case "history":
    return historyCommand(&model, Array(words.dropFirst()))
  case "offset":
    return offsetCommand(&model, Array(words.dropFirst()))
  case "measurements":
    return measurementsCommand(&model, Array(words.dropFirst()))
  case "keys":
    return keyImagesCommand(&model, Array(words.dropFirst()))
  case "sort":
    guard words.count == 2, let order = Model.StudySort(rawValue: words[1].lowercased()) else {
      model.status = ":sort wants one of " + Model.StudySort.allCases.map(\.rawValue).joined(separator: ", ")
      return []
    }
    model.sort = order
    model.studies = order.apply(model.studies)
    model.status = "sorted by \(order.rawValue)"
    return []
  default:
    model.status = "unknown command :\(verb)"
    return []
  }
}

/// Date shortcuts for study searches: `today`, `yesterday`, `7d` (the last seven days, today included);
/// anything else is a C-FIND date or range as typed.
func dateRange(_ text: String, today: String) -> String {
  let lower = text.lowercased()
  guard let day = DICOMDay.date(today) else { return text }
  if lower == "today" { return today }
  if lower == "yesterday" { return DICOMDay.string(day, addingDays: -1) }
  if lower.hasSuffix("d"), let n = Int(lower.dropLast()), (1...36500).contains(n) {
    return DICOMDay.string(day, addingDays: -(n - 1)) + "-" + today
  }
  return text
}

/// DA values (YYYYMMDD) to and from dates, in the Gregorian calendar at UTC.
enum DICOMDay {
  static let calendar: Calendar = {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: "UTC")!
    return c
  }()

  static func date(_ yyyymmdd: String) -> Date? {
    guard yyyymmdd.count == 8, let y = Int(yyyymmdd.prefix(4)), let m = Int(yyyymmdd.dropFirst(4).prefix(2)),
      let d = Int(yyyymmdd.suffix(2))
    else { return nil }
    let parts = DateComponents(year: y, month: m, day: d)
    guard parts.isValidDate(in: calendar) else { return nil }
    return calendar.date(from: parts)
  }

  static func string(_ date: Date, addingDays days: Int) -> String {
    let shifted = calendar.date(byAdding: .day, value: days, to: date) ?? date
    let p = calendar.dateComponents([.year, .month, .day], from: shifted)
    return String(format: "%04d%02d%02d", p.year ?? 0, p.month ?? 0, p.day ?? 0)
  }
}
