#!/usr/bin/env bash
# Fuzzes every parser of untrusted input for SECONDS each (default 10):
#   fuzz.sh [SECONDS]
# `make test` runs it briefly, `make fuzz` for longer. A failing input is kept by
# `go test` in the package's testdata/fuzz/<Target>/ (commit it: it becomes a
# regression case that every plain `go test` runs), and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}

# package:target, one per fuzz test; a missing one is an error, not a skip.
targets=(
  ./catalog:FuzzFilter
  ./ingest/metadata:FuzzParseCSV
  ./ingest/metadata:FuzzParseJSON
  ./ingest/iiif:FuzzParse
  ./imagecodec:FuzzDecode
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# fuzz_once runs one target for $seconds, keeping its output in $log.
fuzz_once() {
  echo "fuzz: $1 $2 for ${seconds}s"
  # -parallel 2: the fuzzing workers; more only compete for the CI's two cores.
  go test -run '^$' -fuzz "^${2}\$" -fuzztime "${seconds}s" -parallel 2 "$1" 2>&1 | tee "$log"
}

failed=()
for entry in "${targets[@]}"; do
  pkg=${entry%%:*} target=${entry##*:}
  if ! listed=$(go test -list "^${target}\$" "$pkg"); then
    failed+=("$entry (does not build)")
    continue
  fi
  if ! grep -qx "$target" <<<"$listed"; then
    echo "fuzz: $pkg has no $target" >&2
    failed+=("$entry (missing)")
    continue
  fi
  if ! fuzz_once "$pkg" "$target"; then
    # go test sometimes ends a fuzz run with "context deadline exceeded" and no
    # failing input when -fuzztime runs out mid-input; a second such ending
    # (or any failing input) is a finding.
    if grep -q "Failing input written to" "$log" || ! grep -q "context deadline exceeded" "$log"; then
      failed+=("$entry")
    elif ! fuzz_once "$pkg" "$target"; then
      failed+=("$entry")
    fi
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]} (new failing inputs are under each package's testdata/fuzz/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no failures"
