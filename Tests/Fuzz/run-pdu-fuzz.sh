#!/usr/bin/env bash
# Builds and runs the libFuzzer target for the PDU codec (decode -> encode -> decode equal).
# Usage: Tests/Fuzz/run-pdu-fuzz.sh [SECONDS]   (default 600)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
out=.build-fuzz-pdu
rm -rf "$out/src" && mkdir -p "$out/src" "$out/corpus"
# The DICOM and DICOMNetwork sources as one module (their imports of each other removed).
for f in Sources/SystemIO/*.swift Sources/DICOM/*.swift Sources/DICOM/Dictionary/*.swift \
  Sources/DICOMNetwork/UpperLayer/*.swift; do
  sed -E '/^(public |internal )?import (DICOM|SystemIO)$/d' "$f" > "$out/src/$(basename "$f")"
done
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name PDUFuzz -I Sources/CZlib -lz \
  "$out"/src/*.swift Tests/Fuzz/PDUFuzzTarget.swift -o "$out/fuzz-pdu" 2> >(grep -v 'Cannot export local symbol' >&2)
# Seeds: one PDU of each type.
printf '\x05\x00\x00\x00\x00\x04\x00\x00\x00\x00' > "$out/corpus/release"
printf '\x07\x00\x00\x00\x00\x04\x00\x00\x02\x01' > "$out/corpus/abort"
printf '\x04\x00\x00\x00\x00\x0a\x00\x00\x00\x06\x01\x03\x01\x02\x03\x04' > "$out/corpus/pdata"
cd "$out"
./fuzz-pdu -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10 corpus
