#!/usr/bin/env bash
# Regenerates testdata/source/ (profiles of testdata/gen/source, whose files
# stay in the repository so that pprof's -list finds the very lines the
# profiles name) and the golden listings of
# `go tool pprof -list REGEX -source_path DIR` in testdata/golden/source/.
# Needs Go 1.19+ (standard library only) and python3. See testdata/README.md.
set -euo pipefail

GEN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTDATA="$(dirname "$GEN")"
# A fixed binary path keeps the mapping file name in the profiles stable.
BIN="${TMPDIR:-/tmp}/profdrop-testdata-gen-source"

cd "$GEN"
gofmt_out="$(gofmt -l source)"
if [ -n "$gofmt_out" ]; then
  echo "gofmt needed: $gofmt_out" >&2
  exit 1
fi
go vet ./source/...
rm -rf "$BIN"
mkdir -p "$BIN"
trap 'rm -rf "$BIN"' EXIT
# -trimpath: the profiles name files by module path (profdrop/testdata/gen/source/main.go).
# -gcflags=-l=4 is not used: the default inlining is what a user's build has.
go build -trimpath -o "$BIN/source" ./source

cd "$TESTDATA"
rm -rf source
"$BIN/source" -out source
python3 "$GEN/golden_source.py"
