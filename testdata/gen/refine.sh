#!/usr/bin/env bash
# Regenerates testdata/refine/ (profiles with pprof labels, numeric labels and
# inlined frames, made by testdata/gen/refine) and the golden tables of
# `go tool pprof -top` with refinement options in testdata/golden/refine/.
# Needs Go 1.19+ (standard library only) and python3. See testdata/README.md.
set -euo pipefail

GEN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTDATA="$(dirname "$GEN")"
# A fixed binary path keeps the mapping file name in the profiles stable.
BIN="${TMPDIR:-/tmp}/profdrop-testdata-gen-refine"

cd "$GEN"
gofmt_out="$(gofmt -l refine)"
if [ -n "$gofmt_out" ]; then
  echo "gofmt needed: $gofmt_out" >&2
  exit 1
fi
go vet ./refine
rm -rf "$BIN"
mkdir -p "$BIN"
trap 'rm -rf "$BIN"' EXIT
go build -trimpath -o "$BIN/refine" ./refine

cd "$TESTDATA"
rm -rf refine
"$BIN/refine" -out refine
python3 "$GEN/golden_refine.py"
