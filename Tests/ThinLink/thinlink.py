#!/usr/bin/env python3
"""The workstation over `ssh -t` on a thin link, measured as its remote readers meet it.

sshd runs in a private network namespace on loopback; a token-bucket filter limits each direction
(`tc ... tbf`), and a delaying ProxyCommand (delay.py) adds the round trip (netem is refused here). The
workstation runs in a tmux pane of 160x48 cells under `script` with timing, so every byte the ssh client
received has a time, and so does every key. Each picture is found in that stream between ESC 7 and
ESC 8 (the view frames each one so).

Steps, each ended by QUIET seconds without output: Enter (study -> series), Enter (first image), Down,
20 Down at 20 a second, Right (window), then 20 Up at 20 a second with q 50 ms after the last.

usage: thinlink.py [--biloba PATH] [--rates 2mbit,512kbit] [--delay-ms 50] [--variants sixel,kitty,...]
                   [--work DIR] [--json FILE]
Needs root (network namespace, tc), sshd, tmux, script, python3 with pydicom and numpy.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PORT = 2222
COLUMNS, ROWS = 160, 48
VARIANTS = {
    "sixel": ("sixel", {}),
    "kitty": ("kitty", {}),
    "blocks-truecolor": ("blocks", {"COLORTERM": "truecolor"}),
    "blocks-256": ("blocks", {}),
}
KEYS = {b"\r": "Enter", b"\x1bOB": "Down", b"\x1b[B": "Down", b"\x1bOA": "Up", b"\x1b[A": "Up",
        b"\x1bOC": "Right", b"\x1b[C": "Right", b"q": "q"}
PICTURE = re.compile(rb"\x1b7(?:\x1b_Ga=d[^\x1b]*\x1b\\)?\x1b\[(\d+);(\d+)H")


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


class Namespace:
    """A network namespace with loopback only, sshd in it, and the link's limits on its loopback."""

    def __init__(self, work):
        self.name = "biloba-thin-%d" % os.getpid()
        self.work = work
        self.sshd = None

    def __enter__(self):
        run("ip", "netns", "add", self.name)
        # A small MTU: a tbf with a small burst stalls on loopback's 64 KiB packets.
        self.exec("ip", "link", "set", "lo", "up", "mtu", "1500")
        ssh = os.path.join(self.work, "ssh")
        os.makedirs(ssh, exist_ok=True)
        for key in ("host", "user"):
            path = os.path.join(ssh, key)
            if not os.path.exists(path):
                run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path)
        shutil.copy(os.path.join(ssh, "user.pub"), os.path.join(ssh, "authorized_keys"))
        with open(os.path.join(ssh, "sshd_config"), "w") as f:
            f.write(f"""Port {PORT}
ListenAddress 127.0.0.1
HostKey {ssh}/host
AuthorizedKeysFile {ssh}/authorized_keys
PidFile {ssh}/sshd.pid
PermitRootLogin yes
StrictModes no
UsePAM no
PrintMotd no
""")
        os.makedirs("/run/sshd", exist_ok=True)
        self.sshd = subprocess.Popen(
            ["ip", "netns", "exec", self.name, shutil.which("sshd") or "/usr/sbin/sshd", "-D", "-e", "-f",
             os.path.join(ssh, "sshd_config")], stdout=subprocess.DEVNULL, stderr=open(os.path.join(ssh, "log"), "w"))
        for _ in range(100):
            if subprocess.run(["ip", "netns", "exec", self.name, "bash", "-c", f"echo > /dev/tcp/127.0.0.1/{PORT}"],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        return self

    def exec(self, *args):
        return run("ip", "netns", "exec", self.name, *args)

    def limit(self, rate):
        """Each direction through its own token bucket: server to client by source port, the other way by
        destination port (htb only classifies)."""
        subprocess.run(["ip", "netns", "exec", self.name, "tc", "qdisc", "del", "dev", "lo", "root"],
                       capture_output=True)
        if rate is None:
            return
        self.exec("tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "30")
        for cls, match in (("1:10", "sport"), ("1:20", "dport")):
            self.exec("tc", "class", "add", "dev", "lo", "parent", "1:", "classid", cls, "htb", "rate", "10gbit")
            self.exec("tc", "qdisc", "add", "dev", "lo", "parent", cls, "handle", cls.split(":")[1] + ":", "tbf",
                      "rate", rate, "burst", "32kbit", "latency", "400ms")
            self.exec("tc", "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32",
                      "match", "ip", match, str(PORT), "0xffff", "flowid", cls)

    def __exit__(self, *exc):
        if self.sshd:
            self.sshd.terminate()
            self.sshd.wait()
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


class Pane:
    """A private tmux server whose one pane runs ssh -t under script, in the namespace."""

    def __init__(self, ns, rundir, command):
        self.ns, self.rundir = ns, rundir
        self.socket = "biloba-thin-%d" % os.getpid()
        self.out = os.path.join(rundir, "out.log")
        ssh = os.path.join(ns.work, "ssh")
        with open(os.path.join(ssh, "config"), "w") as f:
            f.write(f"""Host thin
  HostName 127.0.0.1
  Port {PORT}
  User root
  IdentityFile {ssh}/user
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  ProxyCommand {sys.executable} {HERE}/delay.py 127.0.0.1 {PORT} {ns.delay_ms}
""")
        inner = f"ssh -F {ssh}/config -t thin '{command}'"
        script = (f"script -q -f -m advanced -T {rundir}/timing -I {rundir}/in.log -O {self.out} "
                  f"-c \"{inner}\"")
        self.tmux("new-session", "-d", "-x", str(COLUMNS), "-y", str(ROWS), script)
        self.tmux("set-option", "-g", "status", "off")

    def tmux(self, *args):
        return self.ns.exec("tmux", "-L", self.socket, *args)

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "0", *keys)

    def screen(self):
        try:
            return self.tmux("capture-pane", "-p", "-t", "0")
        except subprocess.CalledProcessError:
            return ""

    def size(self):
        try:
            return os.path.getsize(self.out)
        except OSError:
            return 0

    def quiet(self, seconds, limit=60):
        """Waits until nothing was received for `seconds` (at most `limit`)."""
        start = time.monotonic()
        last, since = self.size(), time.monotonic()
        while time.monotonic() - start < limit:
            time.sleep(0.05)
            now = self.size()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= seconds:
                return True
        return False

    def alive(self):
        """The pane's command (script, ssh, biloba) still runs: when it ends, its session and server go."""
        return subprocess.run(["ip", "netns", "exec", self.ns.name, "tmux", "-L", self.socket, "list-panes"],
                              capture_output=True).returncode == 0

    def close(self):
        subprocess.run(["ip", "netns", "exec", self.ns.name, "tmux", "-L", self.socket, "kill-server"],
                       capture_output=True)


def burst(pane, key, count=20):
    for _ in range(count):
        pane.keys(key)
        time.sleep(0.05)


def timeline(rundir):
    """Input and output chunks as (time, offset, end) on script's clock, and both byte streams."""
    def body(name):
        data = open(os.path.join(rundir, name), "rb").read()
        nl = data.find(b"\n")  # script's "Script started" line
        return data[nl + 1:] if data.startswith(b"Script started") else data

    t = 0.0
    ins, outs = [], []
    offsets = {"I": 0, "O": 0}
    for line in open(os.path.join(rundir, "timing")):
        parts = line.split()
        if len(parts) < 3 or parts[0] not in ("I", "O"):
            continue
        t += float(parts[1])
        size = int(parts[2])
        kind = parts[0]
        (ins if kind == "I" else outs).append((t, offsets[kind], offsets[kind] + size))
        offsets[kind] += size
    return ins, outs, body("in.log"), body("out.log")


def keys_in(ins, data):
    found = []
    for t, a, b in ins:
        chunk, i = data[a:b], 0
        while i < len(chunk):
            for seq in sorted(KEYS, key=len, reverse=True):
                if chunk.startswith(seq, i):
                    found.append((t, KEYS[seq]))
                    i += len(seq)
                    break
            else:
                i += 1
    return found


def pictures(outs, data):
    def time_at(offset):
        for t, a, b in outs:
            if a <= offset < b:
                return t
        return outs[-1][0]

    pics, pos = [], 0
    while True:
        m = PICTURE.search(data, pos)
        if not m:
            return pics
        end = data.find(b"\x1b8", m.end())
        if end < 0:
            return pics
        pics.append({"start": m.start(), "bytes": end + 2 - m.start(), "t_start": time_at(m.start()),
                     "t_end": time_at(end + 1)})
        pos = end + 2


def analyze(rundir, phases, png_bytes):
    ins, outs, inb, outb = timeline(rundir)
    keys = keys_in(ins, inb)
    pics = pictures(outs, outb)
    # The phases' keys in order, on script's clock.
    k = 0
    marks = []
    for name, wanted in phases:
        times = []
        for want in wanted:
            while keys[k][1] != want:
                k += 1
            times.append(keys[k][0])
            k += 1
        marks.append((name, times))
    res = {}
    for i, (name, times) in enumerate(marks):
        t0, t1 = times[0], marks[i + 1][1][0] if i + 1 < len(marks) else float("inf")
        chunks = [c for c in outs if t0 <= c[0] < t1]
        ps = [p for p in pics if t0 <= p["t_end"] < t1]
        d = {"bytes": sum(b - a for _, a, b in chunks), "pictures": len(ps), "picture_bytes": [p["bytes"] for p in ps],
             "last_byte_s": round(chunks[-1][0] - t0, 3) if chunks else None,
             "last_picture_s": round(ps[-1]["t_end"] - t0, 3) if ps else None}
        if len(times) > 1:
            last = times[-1]
            d["after_last_key_s"] = round(chunks[-1][0] - last, 3) if chunks else None
            d["final_picture_after_last_key_s"] = round(ps[-1]["t_end"] - last, 3) if ps else None
            during = [p for p in ps if p["t_end"] <= last]
            d["pictures_per_second_while_keys_come"] = round(len(during) / (last - t0), 2) if last > t0 else None
        if name == "burstquit":
            q = next(t for t, key in keys if key == "q" and t >= times[-1])
            d["q_to_last_byte_s"] = round(max([c[0] for c in outs if c[0] >= q] or [q]) - q, 3)
            q_offset = min([a for t, a, b in outs if t >= q] or [len(outb)])
            d["picture_bytes_after_q"] = sum(max(0, p["start"] + p["bytes"] - max(p["start"], q_offset))
                                             for p in pics if p["start"] + p["bytes"] > q_offset)
            d["pictures_after_q"] = sum(1 for p in pics if p["t_end"] > q)
        res[name] = d
    down = res.get("down", {})
    full = max(down.get("picture_bytes") or [0])
    res["slice_change_vs_png"] = round(full / png_bytes, 2) if png_bytes else None
    return res


def measure(ns, args, variant, rate, workdir):
    proto, env = VARIANTS[variant]
    rundir = os.path.join(workdir, "runs", f"{rate or 'loopback'}-{variant}")
    shutil.rmtree(rundir, ignore_errors=True)
    os.makedirs(rundir)
    envs = " ".join(f"{k}={v}" for k, v in {"TERM": "xterm-256color", "LANG": "C.UTF-8", "BILOBA_HOME": REPO,
                                            "XDG_CONFIG_HOME": os.path.join(workdir, "xdg"), **env}.items())
    command = f"env {envs} {args.biloba} --archive {workdir}/archive --graphics {proto}"
    pane = Pane(ns, rundir, command)
    screens = {}
    phases = [("series", ["Enter"]), ("first", ["Enter"]), ("down", ["Down"]), ("burst", ["Down"] * 20),
              ("window", ["Right"]), ("burstquit", ["Up"] * 20)]
    try:
        pane.quiet(args.quiet)
        pane.keys("Enter")
        pane.quiet(args.quiet)
        pane.keys("Enter")
        pane.quiet(args.quiet)
        screens["first"] = pane.screen()
        pane.keys("Down")
        pane.quiet(args.quiet)
        burst(pane, "Down")
        pane.quiet(args.quiet)
        screens["burst"] = pane.screen()
        pane.keys("Right")
        pane.quiet(args.quiet)
        burst(pane, "Up")
        time.sleep(0.05)
        pane.keys("q")
        for _ in range(200):
            if not pane.alive():
                break
            time.sleep(0.05)
        exited = not pane.alive()
    finally:
        pane.close()
    png = os.path.join(workdir, "slice2.png")
    res = analyze(rundir, phases, os.path.getsize(png))
    res.update({"variant": variant, "rate": rate or "loopback", "delay_ms": ns.delay_ms, "exited": exited,
                "screen_after_burst": corner(screens.get("burst", "")),
                "screen_first": corner(screens.get("first", ""))})
    return res


def corner(screen):
    m = re.search(r"Im (\d+)/(\d+)", screen)
    return {"slice": m.group(1) if m else None, "preview": "PREVIEW" in screen}


def prepare(args, workdir):
    data = os.path.join(workdir, "ct512")
    if not os.path.exists(os.path.join(data, "CT0060.dcm")):
        run(sys.executable, os.path.join(HERE, "phantom.py"), data, "60")
    archive = os.path.join(workdir, "archive")
    if not os.path.exists(os.path.join(archive, "index.sqlite")):
        run(args.biloba, "import", data, "--archive", archive)
    run(args.biloba, "export", os.path.join(data, "CT0002.dcm"), "--output", os.path.join(workdir, "slice2.png"))


def table(results):
    cols = [("rate", 9), ("graphics", 16), ("TTFI s", 7), ("slice B", 8), ("xPNG", 5), ("burst pics", 10),
            ("pics/s", 6), ("final s", 7), ("lag s", 6), ("shown", 6), ("q s", 5), ("B after q", 9)]
    lines = [" ".join(n.rjust(w) for n, w in cols)]
    for r in results:
        b, q = r.get("burst", {}), r.get("burstquit", {})
        shown = r["screen_after_burst"]
        vals = [r["rate"], r["variant"], r.get("first", {}).get("last_picture_s"), r.get("down", {}).get("bytes"),
                r.get("slice_change_vs_png"), f"{b.get('pictures')}/20", b.get("pictures_per_second_while_keys_come"),
                b.get("final_picture_after_last_key_s"), b.get("after_last_key_s"),
                f"{shown['slice']}{'p' if shown['preview'] else ''}", q.get("q_to_last_byte_s"),
                q.get("picture_bytes_after_q")]
        lines.append(" ".join(str("-" if v is None else v).rjust(w) for v, (_, w) in zip(vals, cols)))
    return "\n".join(lines)


LEGEND = """TTFI s: Enter on the series -> last byte of the first picture. slice B: one Down, all bytes; xPNG: its
largest picture against the PNG of that slice (biloba export). burst: pictures received for 20 Down at
20/s, pictures a second that arrived while keys came, seconds from the last key to the last picture
(final s) and to the last byte (lag s), the slice shown after (p: still a preview). q s: q (50 ms after
20 Up at 20/s) -> last byte; B after q: picture bytes the client received after q."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--biloba", default=os.path.join(REPO, ".build", "release", "biloba"))
    parser.add_argument("--rates", default="2mbit,512kbit")
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--variants", default="sixel,kitty,blocks-truecolor,blocks-256")
    parser.add_argument("--work", default="/tmp/biloba-thinlink")
    parser.add_argument("--quiet", type=float, default=1.5)
    parser.add_argument("--json")
    args = parser.parse_args()
    args.biloba = os.path.abspath(args.biloba)
    os.makedirs(args.work, exist_ok=True)
    prepare(args, args.work)
    results = []
    with Namespace(args.work) as ns:
        ns.delay_ms = args.delay_ms
        for rate in args.rates.split(","):
            ns.limit(None if rate == "loopback" else rate)
            for variant in args.variants.split(","):
                r = measure(ns, args, variant, None if rate == "loopback" else rate, args.work)
                results.append(r)
                print(table([r]).splitlines()[1], flush=True)
    print(table(results))
    print(LEGEND)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
