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
  echo "fuzz: $pkg $target for ${seconds}s"
  # -parallel 2: the fuzzing workers; more only compete for the CI's two cores.
  if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "${seconds}s" -parallel 2 "$pkg"; then
    failed+=("$entry")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]} (new failing inputs are under each package's testdata/fuzz/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no failures"
