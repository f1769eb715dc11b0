import RasterCore
import Testing

@testable import TerminalGraphics

struct LinkEstimateTests {
  @Test func the_calibration_answers_give_the_round_trip_and_the_rate() {
    var link = LinkEstimate()
    #expect(link.bytesPerSecond == nil && link.roundTrip == nil && !link.isThin, "unknown: taken as fast")
    // A request, 16 KB of filler, a request, written at once; the link carries 200 KB/s, 100 ms round trip.
    link.sent(bytes: 4, at: 0)
    link.sent(bytes: 16_388, at: 0)
    #expect(!link.ready(at: 0.05), "nothing goes while the rate is unknown and bytes are in flight")
    link.acknowledged(at: 0.1)
    link.acknowledged(at: 0.1 + 16_388.0 / 200_000)
    #expect(abs((link.roundTrip ?? 0) - 0.1) < 0.001)
    #expect(abs((link.bytesPerSecond ?? 0) - 200_000) < 1)
    #expect(link.isThin && link.ready(at: 0.2) && link.inFlightBytes == 0)
    #expect(abs((link.budget(seconds: 0.15) ?? 0) - 30_000) <= 1)
  }

  @Test func a_frame_may_follow_only_once_those_before_it_should_have_arrived() {
    var link = LinkEstimate()
    link.sent(bytes: 10, at: 0)
    link.sent(bytes: 20_000, at: 0)
    link.acknowledged(at: 0.05)
    link.acknowledged(at: 0.15)  // 200 KB/s
    link.sent(bytes: 40_000, at: 1.0)  // 0.2 s on the link
    #expect(!link.ready(at: 1.1))
    #expect(link.ready(at: 1.2), "due to have arrived: the next one follows it without waiting for the answer")
    link.sent(bytes: 40_000, at: 1.2)
    #expect(!link.ready(at: 5), "two frames in flight at most, whatever the estimate says")
    // Sent while the one before was in flight: its rate is measured from that one's answer on.
    link.acknowledged(at: 1.25)
    link.acknowledged(at: 1.25 + 40_000.0 / 100_000)
    #expect((link.bytesPerSecond ?? 0) < 200_000, "a slower link lowers the estimate")
  }

  @Test func the_calibration_measures_the_rate_even_when_the_round_trip_dwarfs_the_filler() {
    var link = LinkEstimate()
    // As seen over ssh at 2 Mbit/s behind a 120 ms round trip: the filler's 37 ms (the token bucket's
    // burst makes it quick) are under a quarter of the 157 ms it took.
    link.sent(bytes: 4, at: 0)
    link.sent(bytes: 16_388, at: 0)
    link.acknowledged(at: 0.12)
    link.acknowledged(at: 0.12 + 16_388.0 / 440_000)
    #expect(abs((link.bytesPerSecond ?? 0) - 440_000) < 1)
    #expect(link.isThin, "known thin before the first picture, so it is not enlarged")
  }

  @Test func answers_read_together_or_small_frames_say_nothing_of_the_rate() {
    var link = LinkEstimate()
    link.sent(bytes: 4, at: 0)
    link.sent(bytes: 16_388, at: 0)
    link.acknowledged(at: 0.001)
    link.acknowledged(at: 0.001)
    #expect(link.bytesPerSecond == nil && link.roundTrip != nil && !link.isThin, "a local terminal: fast")
    link.sent(bytes: 10_000, at: 1)
    link.acknowledged(at: 1.04)
    #expect(link.bytesPerSecond == nil, "a thumbnail's answer is the terminal's wake-up, not its rate")
    link.sent(bytes: 200_000, at: 2)
    link.acknowledged(at: 2.05)
    #expect((link.bytesPerSecond ?? 0) > 3_000_000 && !link.isThin)
  }

  @Test func a_link_turns_thin_below_700_kBs_and_back_only_above_1400() {
    var link = LinkEstimate()
    var t = 0.0
    func frame(_ rate: Double) {
      link.sent(bytes: 100_000, at: t)
      t += 100_000 / rate
      link.acknowledged(at: t)
      t += 1
    }
    frame(900_000)
    #expect(!link.isThin, "xterm's own sixel rate is not a thin link")
    frame(300_000)
    frame(300_000)
    #expect(link.isThin)
    frame(1_200_000)
    #expect(link.isThin && (link.bytesPerSecond ?? 0) < 1_400_000, "between the two: as it was")
    for _ in 0..<5 { frame(3_000_000) }
    #expect(!link.isThin)
  }

  @Test func a_terminal_that_never_answers_stops_pacing_after_three_overdue_frames() {
    var link = LinkEstimate()
    link.sent(bytes: 10, at: 0)
    link.sent(bytes: 16_384, at: 0)
    link.expire(at: 2.5)
    #expect(link.inFlightFrames == 2 && link.expiryDeadline == 3.0)
    link.expire(at: 3.5)
    #expect(link.answers && link.inFlightFrames == 0)
    link.sent(bytes: 5000, at: 4)
    link.expire(at: 7.5)
    #expect(!link.answers, "three answers missed: the terminal does not answer")
    link.sent(bytes: 5000, at: 8)
    #expect(link.inFlightFrames == 0 && link.ready(at: 8))
    // A late answer after all (a terminal that was suspended): it answers, so frames are tracked again.
    link.acknowledged(at: 9)
    link.sent(bytes: 5000, at: 10)
    #expect(link.answers && link.inFlightFrames == 1)
  }

  @Test func inside_tmux_with_passthrough_the_requests_go_to_the_outer_terminal() {
    // Unwrapped, tmux answers itself and the link to the reader goes unmeasured.
    #expect(LinkEstimate.request(passthrough: false) == Array("\u{1B}[5n".utf8))
    #expect(
      String(decoding: LinkEstimate.request(passthrough: true), as: UTF8.self) == "\u{1B}Ptmux;\u{1B}\u{1B}[5n\u{1B}\\")
    let wrapped = String(decoding: LinkEstimate.calibration(bytes: 30, passthrough: true), as: UTF8.self)
    #expect(
      wrapped.hasPrefix("\u{1B}Ptmux;\u{1B}\u{1B}[5n\u{1B}\u{1B}[m") && wrapped.hasSuffix("\u{1B}\u{1B}[5n\u{1B}\\"))
    var link = LinkEstimate()
    link.calibrationSent(total: 1000, at: 0)
    #expect(link.inFlightFrames == 2 && link.inFlightBytes == 1000)
  }

  @Test func the_calibration_is_a_request_harmless_filler_and_a_request() {
    let bytes = LinkEstimate.calibration(bytes: 300)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.hasPrefix("\u{1B}[5n") && text.hasSuffix("\u{1B}[5n"))
    let filler = text.dropFirst(4).dropLast(4)
    #expect(filler.count == 300 && filler.replacingOccurrences(of: "\u{1B}[m", with: "").isEmpty)
  }
}

struct PictureGradeTests {
  @Test func previews_fit_the_budget_from_what_pictures_of_each_grade_cost() {
    var costs = PictureCosts()
    let ladder = PictureGrade.ladder(.kitty)
    #expect(costs.choose(ladder, fullPixels: 100_000, budget: 1000) == .full, "nothing known: full")
    costs.record(.full, bytes: 40_000, fullPixels: 100_000)
    #expect(costs.choose(ladder, fullPixels: 100_000, budget: 50_000) == .full)
    // Half the pixels each way: a quarter of the bytes until measured.
    #expect(costs.choose(ladder, fullPixels: 100_000, budget: 12_000) == PictureGrade(scale: 2, levels: 256))
    costs.record(PictureGrade(scale: 2, levels: 256), bytes: 15_000, fullPixels: 100_000)
    #expect(costs.choose(ladder, fullPixels: 100_000, budget: 12_000) == PictureGrade(scale: 3, levels: 64))
    #expect(costs.choose(ladder, fullPixels: 100_000, budget: 10) == ladder.last, "the least when none fits")
    #expect(costs.choose(ladder, fullPixels: 100_000, budget: nil) == .full, "rate unknown: full")
  }

  @Test func sixel_and_blocks_previews_drop_grays_and_kitty_previews_drop_pixels() {
    #expect(PictureGrade.ladder(.sixel).dropFirst().allSatisfy { $0.scale == 1 && $0.levels < 256 })
    #expect(PictureGrade.ladder(.blocks).dropFirst().allSatisfy { $0.scale == 1 && $0.levels < 256 })
    #expect(PictureGrade.ladder(.kitty).dropFirst().allSatisfy { $0.scale > 1 })
    #expect(PictureGrade.ladder(.ascii) == [.full])
  }

  @Test func posterizing_keeps_evenly_spaced_levels_with_black_and_white() {
    let ramp = Raster(width: 256, height: 1, format: .gray8, pixels: (0...255).map(UInt8.init))
    let four = PictureGrade.posterize(ramp, levels: 4)
    #expect(Set(four.pixels) == [0, 85, 170, 255])
    #expect(four.pixels.enumerated().allSatisfy { abs(Int($0.element) - $0.offset) <= 43 })
    #expect(PictureGrade.posterize(ramp, levels: 256).pixels == ramp.pixels)
  }
}
