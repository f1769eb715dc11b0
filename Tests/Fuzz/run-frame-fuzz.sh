#!/usr/bin/env bash
# Builds and runs the libFuzzer target for frame decoding (every codec).
# Usage: Tests/Fuzz/run-frame-fuzz.sh [SECONDS]   (default 600)
# The DICOM, RasterCore and DICOMImaging sources are compiled as one module (their imports of each
# other removed) so swiftc can instrument them all. Seeds: frames of the samples compressed by DCMTK,
# GDCM and OpenJPH, prefixed with the codec and description bytes the target reads.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
out=.build-fuzz-frames
rm -rf "$out/src" && mkdir -p "$out/src" "$out/corpus"
for f in Sources/SystemIO/*.swift Sources/DICOM/*.swift Sources/DICOM/Dictionary/*.swift Sources/RasterCore/*.swift \
  Sources/DICOMImaging/*.swift; do
  sed -E '/^(public |internal )?import (DICOM|RasterCore|SystemIO)$/d' "$f" > "$out/src/$(basename "$f")"
done
cflags=$(pkg-config --cflags libopenjp2)
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FrameFuzz \
  -I Sources/CZlib -I Sources/CTurboJPEG -I Sources/CCharLS -I Sources/COpenJPEG -Xcc ${cflags} \
  -lz -lturbojpeg -lcharls -lopenjp2 \
  "$out"/src/*.swift Tests/Fuzz/FrameDecodingFuzzTarget.swift -o "$out/fuzz-frames" \
  2> >(grep -v 'Cannot export local symbol' >&2)

# Seeds: codec index (0 RLE, 1 JPEG baseline, 2 lossless, 3 extended, 4 JPEG-LS, 5 J2K) and description
# index (0 signed 16-bit, 1 8-bit, 2 RGB, 3 12-bit) before each frame.
tmp=$(mktemp -d)
swift run -q biloba-samples "$tmp/s" >/dev/null 2>&1 || true
python3 - "$tmp" "$out/corpus" <<'PY'
import os, subprocess, sys, pydicom
from pydicom.encaps import generate_frames
tmp, corpus = sys.argv[1], sys.argv[2]
ct = os.path.join(tmp, "s/ct-head/slice012.dcm")
rgb_src = os.path.join(tmp, "s/misc/multiframe.dcm")
jobs = [
  (0, 0, ["dcmcrle"]), (2, 0, ["dcmcjpeg", "+el"]), (2, 0, ["dcmcjpeg", "+e1"]), (4, 0, ["dcmcjpls", "+el"]),
  (5, 0, ["gdcmconv", "-K"]), (5, 0, ["gdcmconv", "-K", "-Y", "-q", "40"]),
]
for n, (codec, desc, cmd) in enumerate(jobs):
    out = os.path.join(tmp, f"c{n}.dcm")
    if subprocess.run(cmd + [ct, out], capture_output=True).returncode != 0:
        continue
    ds = pydicom.dcmread(out)
    frame = next(generate_frames(ds.PixelData, number_of_frames=1))
    open(os.path.join(corpus, f"seed{n}"), "wb").write(bytes([codec, desc]) + frame)
PY
rm -rf "$tmp"
cd "$out"
./fuzz-frames -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=10 corpus
