#!/usr/bin/env bash
# Fuzzes profdrop's decoders with cargo-fuzz (libFuzzer), one target after the other, on one
# core (a single libFuzzer process, no -jobs/-workers), and prints one line per target:
#
#   gzip  runs=10000000 executions=10000000 exec/s=12345 crashes=0 seconds=810 max_len=1048576
#
#   bash fuzz/run.sh                  # every target, 10,000,000 runs each
#   bash fuzz/run.sh 100000           # every target, 100,000 runs each (a quick check)
#   bash fuzz/run.sh 10000000 proto   # one target
#   MAX_LEN_text=65536 bash fuzz/run.sh 10000000 text    # per-target -max_len override
#   FUZZ_TIMEOUT=1 bash fuzz/run.sh                      # -timeout in seconds (default 10: with 1,
#                                                         # a busy machine reports inputs that run in
#                                                         # 50 ms as hangs)
#
# Default -max_len is 1048576; the campaign recorded in testdata/README.md used
#   MAX_LEN_gzip=512 MAX_LEN_proto=8192 MAX_LEN_text=65536 MAX_LEN_any=4096
# to reach 10 M executions per target in reasonable time on one core (see there why).
#
# Targets (fuzz/fuzz_targets/): gzip (gunzip, 16 MB cap), proto (decode_with on non-gzip
# bytes: the protobuf path), text (decode_with behind a goroutine-dump header picked by the
# first byte), legacy (decode_with behind a legacy-format header picked by the first byte:
# heap/contention/Java text, binary CPU in each word layout; then every top table), formats
# (folded, perf script, speedscope, .cpuprofile, .heapprofile: the format the input sniffs
# as, else the one its first byte picks; then every top table), any (decode_with on
# anything, then top tables and the flame graph).
#
# Needs only a stable Rust: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags. Built
# without a sanitizer (-s none: profdrop is safe Rust, and the goal is panics, hangs and
# memory blow-ups) and with debug assertions (-a: integer overflow panics).
#
# Corpora: fuzz/corpus/<target>/ (written by libFuzzer, not in git) plus read-only seed
# folders passed on the command line, never copied: testdata/example, testdata/leaks,
# testdata/hostile and the shared public corpus ($PROFDROP_CORPUS, default
# ../shared/corpus/public beside the repository; skipped when missing).
# Crashes land in fuzz/artifacts/<target>/; logs in fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-10000000}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(gzip proto text legacy formats any)

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz
fi
FLAGS=(-O -a -s none)
cargo fuzz build "${FLAGS[@]}" >&2
SRC_HASH=$( (git ls-files src; git ls-files --others --exclude-standard src) | sort | xargs cat | sha256sum | cut -c1-12)
BUILD_HEAD=$(git rev-parse --short HEAD)
echo "built from src/ content sha256 $SRC_HASH (HEAD $BUILD_HEAD)" >&2
BIN_DIR=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release

# testdata seeds as symlinks in fuzz/seeds/ (not in git), leaving out the fixtures that are
# slow or huge on purpose (they would trip -timeout=1 / -rss_limit_mb while the seeds load).
SKIP_SEEDS='^(amp-.*|bomb-1g\.gz|funcs-1m\.pb\.gz)$'
rm -rf fuzz/seeds && mkdir -p fuzz/seeds
find testdata/example testdata/leaks testdata/hostile testdata/formats -type f ! -name '*.py' ! -name '*.md' | while read -r f; do
  base=$(basename "$f")
  if ! [[ $base =~ $SKIP_SEEDS ]]; then ln -s "$PWD/$f" "fuzz/seeds/$(echo "$f" | tr / _)"; fi
done
SEEDS=(fuzz/seeds)
PUBLIC=${PROFDROP_CORPUS:-../shared/corpus/public}
if [ -d "$PUBLIC" ]; then
  SEEDS+=("$PUBLIC")
else
  echo "note: no public corpus at $PUBLIC (set PROFDROP_CORPUS); seeding from testdata only" >&2
fi

mkdir -p fuzz/logs
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  var="MAX_LEN_$t"
  max_len=${!var:-1048576}
  before_list=$(find "fuzz/artifacts/$t" -type f | sort)
  before=$(printf '%s' "$before_list" | grep -c . || true)
  log="fuzz/logs/$t.log"
  start=$(date +%s)
  set +e
  # The binary cargo-fuzz built above, run directly (what `cargo fuzz run` does, minus a
  # rebuild when src/ changes mid-campaign): every target fuzzes the same build.
  cmd=("$BIN_DIR/$t" -artifact_prefix="fuzz/artifacts/$t/" -runs="$RUNS" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048
       -max_len="$max_len" -print_final_stats=1 "fuzz/corpus/$t" "${SEEDS[@]}")
  echo "+ ${cmd[*]}" >"$log"
  "${cmd[@]}" >>"$log" 2>&1
  status=$?
  set -e
  secs=$(( $(date +%s) - start ))
  after=$(find "fuzz/artifacts/$t" -type f | wc -l)
  execs=$(grep -oE 'stat::number_of_executed_units:[[:space:]]*[0-9]+' "$log" | tail -1 | awk '{print $2}')
  rate=$(grep -oE 'stat::average_exec_per_sec:[[:space:]]*[0-9]+' "$log" | tail -1 | awk '{print $2}')
  rss=$(grep -oE 'stat::peak_rss_mb:[[:space:]]*[0-9]+' "$log" | tail -1 | awk '{print $2}')
  line="$t runs=$RUNS executions=${execs:-?} exec/s=${rate:-?} crashes=$((after - before)) seconds=$secs max_len=$max_len peak_rss_mb=${rss:-?} exit=$status"
  echo "$line"
  summary+=("$line")
  if [ "$after" -gt "$before" ]; then
    comm -13 <(printf '%s\n' "$before_list") <(find "fuzz/artifacts/$t" -type f | sort) | sed 's/^/  new artifact: /'

    grep -m3 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/  /' || true
  fi
done
echo "--- summary ($(date -u +%FT%TZ), built at HEAD $BUILD_HEAD, src/ sha256 $SRC_HASH)"
printf '%s\n' "${summary[@]}"
