#!/usr/bin/env bash
# Builds and runs the libFuzzer target that feeds whole associations (PDU streams) into the Storage SCP
# with a local archive behind it (Tests/Fuzz/AssociationFuzz). Usage: run-association-fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/AssociationFuzz"
seconds=${1:-600}
# Every Swift module instrumented (-Xswiftc), not only this package's, so coverage guides the fuzzer
# through the SCP, the association, the PDU codec and the archive.
swift build -c release --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address \
  --scratch-path ../../../.build-fuzz-association 2>&1 \
  | grep -v 'Cannot export local symbol' | tail -3
out=../../../.build-fuzz-association
mkdir -p "$out/corpus"
cd "$out"
# Swift's own crash backtracer and ASan's do not mix: leave crash reports to ASan and libFuzzer.
SWIFT_BACKTRACE=enable=no BILOBA_FUZZ_SEEDS="$PWD/corpus" ./release/AssociationFuzz -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=4096 -timeout=30 corpus
