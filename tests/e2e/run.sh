#!/usr/bin/env bash
# End-to-end tests of the built page in headless Chromium (system /usr/bin/chromium).
#
#   tests/e2e/run.sh                 # tests <repo>/dist
#   DIST_DIR=/some/dir tests/e2e/run.sh
#   tests/e2e/run.sh tests/e2e/page.test.mjs   # only some test files
#
# Env: DIST_DIR (default <repo>/dist), CORPUS_DIR (default <repo>/../shared/corpus/public),
#      CHROMIUM_PATH (default /usr/bin/chromium). Exits non-zero on any failure.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$E2E_DIR/../.." && pwd)"

# Resolve DIST_DIR against the caller's directory before changing directory.
if [[ -n "${DIST_DIR:-}" ]]; then
  DIST_DIR="$(realpath -m -- "$DIST_DIR")"
  export DIST_DIR
fi
dist="${DIST_DIR:-$REPO_ROOT/dist}"
if [[ ! -f "$dist/index.html" ]]; then
  echo "dist/ not built: run make dist (no $dist/index.html)" >&2
  exit 1
fi

if [[ ! -d "$E2E_DIR/node_modules/playwright-core" ]]; then
  echo "installing e2e dependencies (npm ci) ..." >&2
  (cd "$E2E_DIR" && npm ci --no-audit --no-fund)
fi

cd "$REPO_ROOT"
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  files=(tests/e2e/*.test.mjs)
fi
exec node --test --test-concurrency=1 "${files[@]}"
