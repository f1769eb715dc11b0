#!/usr/bin/env bash
# Builds and runs the libFuzzer target for the DICOM reader.
# Usage: Tests/Fuzz/run-reader-fuzz.sh [SECONDS]   (default 600)
# Seeds: the bundled Samples/ plus their DCMTK transcodings when dcmconv is installed.
# A crash leaves crash-* files in .build-fuzz/; add each as a regression test in Tests/DICOMTests.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
out=.build-fuzz
mkdir -p "$out/corpus"
# The SystemIO and DICOM sources as one module (the import of the one by the other removed).
rm -rf "$out/src" && mkdir -p "$out/src"
for f in Sources/SystemIO/*.swift Sources/DICOM/*.swift Sources/DICOM/Dictionary/*.swift; do
  sed -E '/^(public |internal )?import SystemIO$/d' "$f" > "$out/src/$(basename "$f")"
done
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name DICOMFuzz \
  -I Sources/CZlib -lz \
  "$out"/src/*.swift Tests/Fuzz/ReaderFuzzTarget.swift \
  -o "$out/fuzz-reader" 2> >(grep -v 'Cannot export local symbol' >&2)
find Samples -name '*.dcm' -size -200k -exec cp {} "$out/corpus/" \;
if command -v dcmconv >/dev/null; then
  for f in Samples/misc/*.dcm Samples/names/*.dcm; do
    b=$(basename "$f" .dcm)
    dcmconv +ti "$f" "$out/corpus/$b-ti.dcm" && dcmconv +tb "$f" "$out/corpus/$b-tb.dcm" \
      && dcmconv +td "$f" "$out/corpus/$b-td.dcm" || true
  done
fi
cd "$out"
./fuzz-reader -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 corpus
