#!/usr/bin/env bash
# Regenerates every pprof fixture under testdata/ (example/ and leaks/*/),
# the golden tables under testdata/golden/, and checks
# testdata/leaks/expected.tsv against the new snapshots.
# Needs Go 1.19+ (standard library only) and python3. Takes ~25 s.
# See testdata/README.md.
set -euo pipefail

GEN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTDATA="$(dirname "$GEN")"
# Binaries live outside the repo. A fixed directory keeps the mapping file
# name recorded in the profiles stable from one regeneration to the next.
BIN="${TMPDIR:-/tmp}/profdrop-testdata-gen"
SCENARIOS="cache subslice goroutines deferloop tickers growbuf libcache healthy"

cd "$GEN"
gofmt_out="$(gofmt -l .)"
if [ -n "$gofmt_out" ]; then
  echo "gofmt needed: $gofmt_out" >&2
  exit 1
fi
go vet ./...
rm -rf "$BIN"
mkdir -p "$BIN"
trap 'rm -rf "$BIN"' EXIT
for p in example $SCENARIOS; do
  go build -trimpath -o "$BIN/$p" "./$p"
done

cd "$TESTDATA"
rm -rf example
echo "example: heap, goroutine, cpu (variant 1)"
"$BIN/example" -out example
echo "example: cpu2 (variant 2)"
"$BIN/example" -out example -variant=2 -cpu=cpu2.pb.gz -heap=false

for s in $SCENARIOS; do
  echo "leaks/$s"
  rm -rf "leaks/$s"
  "$BIN/$s" -out "leaks/$s" -n 6 -interval 300ms
done

# refine/ and golden/refine/ (its own script; golden.py below also records
# the plain top tables of refine/*.pb.gz).
bash "$GEN/refine.sh"

# source/ and golden/source/ (pprof -list; the sources stay in gen/source/).
bash "$GEN/source.sh"

python3 "$GEN/golden.py"
# pprof's call graph (-dot) of the fixtures: golden/graph/.
python3 "$GEN/graph_golden.py"
python3 "$GEN/check_expected.py" -v
