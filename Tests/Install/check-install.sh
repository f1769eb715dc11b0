#!/usr/bin/env bash
# What `make install` and `make deb` deliver, read with the tools a user has: the installed binary runs
# without the Swift toolchain and finds its keymaps, `man -l` renders a page for biloba and for every
# subcommand, the completions load in bash, zsh and fish, and the .deb installs, runs and purges
# without a trace. Run by `make test` after the Swift tests (they hold .build while they run); exits 1
# at the first thing wrong, saying what.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "check-install: FAIL: $*" >&2; exit 1; }
say() { echo "check-install: $*"; }
dest=$(mktemp -d)
trap 'rm -rf "$dest" "$dest.log" "$dest.err"' EXIT

make --no-print-directory install DESTDIR="$dest" PREFIX=/usr/local > "$dest.log" 2>&1 || { cat "$dest.log"; fail "make install"; }
root=$dest/usr/local
bin=$root/bin/biloba
version=$("$bin" --version) || fail "the installed binary does not run"
[[ $version =~ ^biloba\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]{7,} ]] || fail "--version says '$version'"
! ldd "$bin" | grep -q 'swift' || fail "the binary links the toolchain's Swift libraries: $(ldd "$bin" | grep swift)"
say "$version, no toolchain library linked"

# The keymaps are found beside the installed binary, from any folder (it stops at the terminal check).
out=$(cd / && "$bin" --archive "$dest/archive" --keymap vim 2>&1 < /dev/null || true)
[[ $out == *"needs a terminal"* ]] || fail "the installed binary did not find its keymaps: $out"
say "keymaps found under share/biloba"

# A page for every command ArgumentParser knows, each rendered by man without a warning.
expected=$("$bin" --experimental-dump-help | python3 -c '
import json, sys
def walk(c, prefix):
    name = prefix + [c["commandName"]]
    yield ".".join(name)
    for s in c.get("subcommands", []):
        yield from walk(s, name)
print("\n".join(sorted(walk(json.load(sys.stdin)["command"], []))))')
pages=$(cd "$root/share/man/man1" && ls *.1 | sed 's/\.1$//' | sort)
[ "$expected" = "$pages" ] || fail "man pages differ from the commands: $(diff <(echo "$expected") <(echo "$pages") | tr '\n' ' ')"
for page in "$root"/share/man/man1/*.1; do
  text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2> "$dest.err") || fail "man -l $page"
  [ -s "$dest.err" ] && fail "man -l $page warns: $(cat "$dest.err")"
  [[ $text == *NAME* && $text == *SYNOPSIS* ]] || fail "$page has no NAME or SYNOPSIS"
done
MANWIDTH=80 man -l "$root/share/man/man1/biloba.doctor.1" | grep -q 'Check the terminal' || fail "biloba.doctor.1 lacks its abstract"
say "$(echo "$pages" | wc -l) man pages render"

# Completions: bash registers one and completes a subcommand; zsh and fish when they are installed.
bash_out=$(bash -c "source '$root/share/bash-completion/completions/biloba'; complete -p biloba;
  COMP_WORDS=(biloba doc); COMP_CWORD=1; COMP_LINE='biloba doc'; COMP_POINT=10; _biloba; echo \"\${COMPREPLY[*]}\"")
[[ $bash_out == *"-F _biloba biloba"* && $bash_out == *doctor* ]] || fail "bash completion: $bash_out"
say "bash: $(echo "$bash_out" | head -1)"
if command -v zsh > /dev/null; then
  zsh_out=$(zsh -fc "fpath=('$root/share/zsh/site-functions' \$fpath); autoload -Uz compinit; compinit -u -d '$dest/zcomp'; print \$_comps[biloba]")
  [ "$zsh_out" = "_biloba" ] || fail "zsh completion: '$zsh_out'"
  say "zsh: biloba completes with $zsh_out"
fi
if command -v fish > /dev/null; then
  fish_out=$(fish --no-config -c "source '$root/share/fish/vendor_completions.d/biloba.fish'; complete -C 'biloba doc'")
  [[ $fish_out == *doctor* ]] || fail "fish completion: '$fish_out'"
  say "fish: 'biloba doc' completes to $(echo "$fish_out" | head -1 | cut -f1)"
fi

make --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr/local > /dev/null
left=$(find "$root" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
say "make uninstall removes every file"

# The Debian package, installed for real when we may (root, a Debian system, no biloba installed).
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null || dpkg -s biloba > /dev/null 2>&1; then
  say "the .deb check skipped (needs root, apt and no biloba package installed)"
  exit 0
fi
make --no-print-directory deb > "$dest.log" 2>&1 || { cat "$dest.log"; fail "make deb"; }
deb=$(ls .build/biloba_*.deb)
files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\.##' | grep -v '/$')
DEBIAN_FRONTEND=noninteractive apt-get install -y "./$deb" > "$dest.log" 2>&1 || { cat "$dest.log"; fail "apt install $deb"; }
[ "$(/usr/bin/biloba --version)" = "$version" ] || fail "the packaged biloba says $(/usr/bin/biloba --version)"
man -w biloba > /dev/null || fail "man does not find the packaged biloba page"
DEBIAN_FRONTEND=noninteractive apt-get purge -y biloba > "$dest.log" 2>&1 || { cat "$dest.log"; fail "apt purge biloba"; }
for f in $files; do [ ! -e "$f" ] || fail "purging left $f"; done
! dpkg -s biloba > /dev/null 2>&1 || fail "dpkg still knows biloba after the purge"
say "$(basename "$deb") installs, runs ($version), and purges cleanly"
