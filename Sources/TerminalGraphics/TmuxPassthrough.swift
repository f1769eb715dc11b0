import Foundation
import Spawn

/// tmux passes escape sequences to the outer terminal only wrapped, with every ESC doubled, and only
/// when `allow-passthrough` is on.
public enum TmuxPassthrough {
  /// Asks the tmux server this process runs under whether `allow-passthrough` is on.
  public static func isAllowed() -> Bool {
    guard let run = try? ChildProcess.run(["tmux", "show-options", "-gv", "allow-passthrough"]) else { return false }
    let value = String(decoding: run.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return run.status == 0 && (value == "on" || value == "all")
  }

  public static func wrap(_ sequence: [UInt8]) -> [UInt8] {
    var out: [UInt8] = Array("\u{1B}Ptmux;".utf8)
    out.reserveCapacity(sequence.count + sequence.count / 8 + 16)
    for b in sequence {
      if b == 0x1B { out.append(0x1B) }
      out.append(b)
    }
    return out + [0x1B, 0x5C]
  }
}
