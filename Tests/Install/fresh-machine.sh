#!/usr/bin/env bash
# The README's first command on a fresh Debian 12, measured: a minimal Debian 12 (debootstrap) gets only
# what the Swift toolchain itself needs (the toolchain is bind-mounted, as it is "on PATH" in the
# README), then the repository is cloned and `make run` is started in a terminal; the time from the
# clone to the study list on screen is reported, with the packages `make run` installed, and the test
# peers are checked to be absent. A second fresh Debian 12 then installs the .deb with apt: the packages
# it pulls are listed, `biloba --version` runs, and a purge leaves no file behind.
# As root, with network access to Debian's mirror: Tests/Install/fresh-machine.sh [WORKDIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$repo/.build-fresh}
say() { echo "fresh-machine: $*"; }
fail() { echo "fresh-machine: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and chroot)"
command -v debootstrap > /dev/null || apt-get install -y debootstrap > /dev/null
command -v tmux > /dev/null || apt-get install -y tmux > /dev/null
mkdir -p "$work"

# A minimal Debian 12, made once and copied for each machine.
if [ ! -x "$work/base/bin/sh" ]; then
  rm -rf "$work/base"
  debootstrap --variant=minbase bookworm "$work/base" http://deb.debian.org/debian > "$work/debootstrap.log" 2>&1 \
    || fail "debootstrap (see $work/debootstrap.log)"
fi

mounted=()
machine() { # NAME: a fresh copy of the base, with /proc, /dev, DNS and the toolchain
  local root=$work/$1
  # A run stopped before its cleanup may have left /dev or /proc bound inside: unmount before deleting,
  # and never let rm cross into another file system.
  grep -o " $root/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$root"
  cp -a "$work/base" "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  for m in proc dev dev/pts; do mkdir -p "$root/$m"; mount --bind "/$m" "$root/$m"; mounted+=("$root/$m"); done
}
cleanup() { for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2> /dev/null || true; done; }
trap cleanup EXIT
inside() { local root=$1; shift; chroot "$root" env -i HOME=/root TERM=xterm-256color LANG=C.UTF-8 \
  PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
packages() { inside "$1" dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' | sort; }

# 1. make run on a fresh machine with the toolchain on PATH.
machine run
root=$work/run
# What the Swift toolchain itself needs on Debian 12 (its binaries' libraries, a C toolchain to link
# with), and git and make to clone and run the README's command. Nothing of Biloba's.
inside "$root" apt-get update > /dev/null
inside "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git make ca-certificates \
  binutils gcc libc6-dev libstdc++-12-dev libcurl4 libxml2 libedit2 libsqlite3-0 libncurses6 libicu72 tzdata \
  > "$work/toolchain.log" 2>&1 || fail "toolchain packages (see $work/toolchain.log)"
for d in /opt/swift /opt/swift-packages; do
  [ -d "$d" ] || continue
  mkdir -p "$root$d"; mount --bind -o ro "$d" "$root$d"; mounted+=("$root$d")
done
# The machine's git settings (here they point github.com at the local package mirror).
[ -f /etc/gitconfig ] && cp /etc/gitconfig "$root/etc/gitconfig"
mkdir -p "$root/src"; mount --bind -o ro "$repo" "$root/src"; mounted+=("$root/src")
before=$(packages "$root")

session=fresh-$$
start=$(date +%s.%N)
inside "$root" git clone -q /src /root/biloba || fail "git clone"
tmux new-session -d -s "$session" -x 120 -y 40 \
  "chroot '$root' env -i HOME=/root TERM=xterm-256color LANG=C.UTF-8 PATH=/opt/swift/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin sh -c 'cd /root/biloba && script -qec \"make run\" /root/make-run.log || { echo MAKE RUN FAILED; sleep 600; }'"
shown=""
for _ in $(seq 1800); do
  screen=$(tmux capture-pane -p -t "$session" 2> /dev/null || true)
  if [[ $screen == *"PHANTOM, HEAD"* ]]; then shown=yes; break; fi
  [[ $screen == *"MAKE RUN FAILED"* ]] && break
  # The terminal is a tmux pane: the workstation's start is the first thing it draws.
  sleep 1
done
end=$(date +%s.%N)
tmux send-keys -t "$session" q 2> /dev/null || true
sleep 1
tmux kill-session -t "$session" 2> /dev/null || true
[ -n "$shown" ] || { tail -30 "$root/root/make-run.log"; fail "make run did not reach the study list"; }
say "make run reached the study list $(printf '%.0f' "$(echo "$end - $start" | bc)") s after the clone began"
echo "$screen" | head -12
added=$(comm -13 <(echo "$before") <(packages "$root"))
say "make run installed $(echo "$added" | wc -l) packages: $(echo "$added" | tr '\n' ' ')"
for peer in dcmtk orthanc libgdcm-tools openjph-tools xvfb xterm imagemagick xdotool tmux python3-pip openssh-server; do
  ! echo "$added" | grep -qx "$peer" || fail "make run installed the test peer $peer"
done
say "none of the test peers is installed (dcmtk orthanc libgdcm-tools openjph-tools xvfb xterm imagemagick xdotool tmux python3-pip openssh-server)"

# 2. The .deb on another fresh machine: apt pulls the runtime libraries, it runs, it purges cleanly.
(cd "$repo" && make --no-print-directory deb > "$work/deb.log" 2>&1) || fail "make deb (see $work/deb.log)"
deb=$(ls "$repo"/.build/biloba_*.deb)
machine deb
root=$work/deb
cp "$deb" "$root/tmp/"
inside "$root" apt-get update > /dev/null
before=$(packages "$root")
inside "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y "/tmp/$(basename "$deb")" > "$work/deb-install.log" 2>&1 \
  || { cat "$work/deb-install.log"; fail "apt install of the .deb"; }
added=$(comm -13 <(echo "$before") <(packages "$root"))
say "apt install ./$(basename "$deb") pulled: $(echo "$added" | tr '\n' ' ')"
say "the packaged binary says: $(inside "$root" biloba --version)"
files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\.##' | grep -v '/$')
inside "$root" env DEBIAN_FRONTEND=noninteractive apt-get purge -y biloba > /dev/null 2>&1 || fail "apt purge"
for f in $files; do [ ! -e "$root$f" ] || fail "purge left $f"; done
say "apt purge biloba left none of its $(echo "$files" | wc -l) files"
