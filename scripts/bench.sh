#!/usr/bin/env bash
# Benchmarks side by side with their references; results go to BENCHMARKS.md.
#
#   scripts/bench.sh [NAME...]   run these benchmarks (default: all, in this order):
#       ingest      ingest rate vs the model alone (raw ONNX Runtime) on the same images
#       quality     kNN@5 category accuracy of the default model: all emoji, openclipart
#       umap        plot/umap vs umap-learn: Fashion-MNIST (PCA-50) and real embeddings
#       hdbscan     plot/hdbscan vs R dbscan::hdbscan on the same 2-D points
#       e2e         `pixplot plot` of a synthetic 100k catalog: wall time, peak RSS, stages
#       similar     similar-image search at 100k × 768: p50, p99, recall@20
#       load        `pixplot serve` under 50 clients while a plot is being made
#       firstframe  the viewer's first frame in headless Chromium, bytes per image
#   BENCH_QUICK=1   small sizes, only to check that everything runs (a few minutes);
#                   its results go to $work/BENCHMARKS.quick.md, not BENCHMARKS.md
#   BENCH_OUT=FILE  write the results there instead
#
# It installs what it needs (Debian packages umap-learn, r-cran-dbscan,
# dataset-fashion-mnist, chromium; the model via `pixplot setup`; samples via
# `pixplot sample`) and keeps generated data (samples, catalogs, logs) in
# $work = ${PIXPLOT_CACHE:-~/.cache/pixplot}/bench, reused by later runs.
# BENCHMARKS.md keeps one section per benchmark: a run of some benchmarks
# replaces their sections and keeps the others. A goal that is not met is
# marked MISSED; the exit status is 1 only when a benchmark could not run.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(ingest quality umap hdbscan e2e similar load firstframe)
if (($#)); then
  names=("$@")
  for n in "${names[@]}"; do
    [[ " ${all[*]} " == *" $n "* ]] || { echo "bench.sh: unknown benchmark '$n' (known: ${all[*]})" >&2; exit 2; }
  done
else
  names=("${all[@]}")
fi

quick=${BENCH_QUICK:-0}
[ "$quick" = 0 ] || quick=1
if ((quick)); then
  INGEST_N=24 INGEST_ROUNDS=1 EMOJI_N=100 CLIP_N=100
  FASHION_N=2000 EPOCHS=50 TRUST_SAMPLE=1000
  HDBSCAN_N=2000
  SYNTH_N=3000 SIMILAR_QUERIES=30
  LOAD_CLIENTS=10 LOAD_DURATION=5s LOAD_PLOT_N=500
  FIRST_N=1000 FIRST_RUNS=1
else
  INGEST_N=300 INGEST_ROUNDS=2 EMOJI_N=all CLIP_N=2000
  FASHION_N=70000 EPOCHS=200 TRUST_SAMPLE=5000
  HDBSCAN_N=10000,20000
  SYNTH_N=100000 SIMILAR_QUERIES=200
  LOAD_CLIENTS=50 LOAD_DURATION=30s LOAD_PLOT_N=20000
  FIRST_N=10000 FIRST_RUNS=3
fi

work=${PIXPLOT_CACHE:-$HOME/.cache/pixplot}/bench
run=$work/run
mkdir -p "$work/samples" "$work/logs"
rm -rf "$run" && mkdir -p "$run"
if ((quick)); then out=${BENCH_OUT:-$work/BENCHMARKS.quick.md}; else out=${BENCH_OUT:-BENCHMARKS.md}; fi
pixplot=./bin/pixplot
bin=bin/bench

# ---------------------------------------------------------------- set-up

install_debs() {
  command -v dpkg-query >/dev/null || { echo "bench.sh: not Debian; install umap-learn, R dbscan, Fashion-MNIST and Chromium yourself" >&2; return; }
  local missing=() p
  for p in umap-learn r-cran-dbscan dataset-fashion-mnist chromium; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
  $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
}

machine_line() {
  local mem cpu
  mem=$(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  echo "$(nproc) CPUs (${cpu:-unknown}), $mem memory"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
debver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "version unknown"; }
commit() {
  local c
  c=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -z "$(git status --porcelain 2>/dev/null)" ] || c="$c + uncommitted changes"
  echo "$c"
}

# ---------------------------------------------------------------- recording
# Each benchmark runs in a subshell (so a failure stops only that one) and
# records into files under $run: rows.tsv (its table rows), cmds.NAME (the
# commands it ran), stamp.NAME (when and under what load).

current=""

# pretty prints a command as it can be pasted into a shell, with ~ for $HOME.
pretty() {
  local a out=()
  for a in "$@"; do
    a=${a//$HOME\//\~/}
    if [[ $a =~ ^[-A-Za-z0-9_./:=,@%+~]+$ ]]; then
      out+=("$a")
    else
      out+=("'${a//\'/\'\\\'\'}'")
    fi
  done
  echo "${out[*]}"
}

# step ID CMD... runs CMD, recording it for BENCHMARKS.md; its output goes to
# the terminal and to $work/logs/NAME-ID.log (see steplog).
step() {
  local id=$1
  shift
  pretty "$@" >>"$run/cmds.$current"
  echo "\$ $(pretty "$@")"
  "$@" 2>&1 | tee "$(steplog "$id")"
}
steplog() { echo "$work/logs/$current-$1.log"; }

# val LOG KEY: the value of a `result<TAB>KEY<TAB>VALUE` line of a bench program.
val() { awk -F'\t' -v k="$2" '$1 == "result" && $2 == k {v = $3} END {print v}' "$1"; }

# num VALUE DIGITS: VALUE rounded ("" stays "").
num() { [ -z "$1" ] || awk -v v="$1" -v d="$2" 'BEGIN {printf "%.*f", d, v}'; }
# ratio A B: A / B to 2 digits.
ratio() { [ -z "$1" ] || [ -z "$2" ] || awk -v a="$1" -v b="$2" 'BEGIN {if (b != 0) printf "%.2f", a / b}'; }
# verdict VALUE OP LIMIT: met or MISSED (OP is <= or >=).
verdict() {
  [ -n "$1" ] || { echo "no result"; return; }
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {ok = op == "<=" ? v + 0 <= l + 0 : v + 0 >= l + 0; print ok ? "met" : "MISSED"}'
}

# row MEASUREMENT VALUE [REFERENCE [RATIO [GOAL [VERDICT]]]]
row() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$current" "$1" "$2" "${3:-}" "${4:-}" "${5:-}" "${6:-}" >>"$run/rows.tsv"
}

# note TEXT...: a line of explanation under the benchmark's heading.
note() { echo "$*" >>"$run/notes.$current"; }

# ---------------------------------------------------------------- shared data

# sample NAME N: a folder of N images of the sample (N = all for all), in $dir.
sample() {
  local name=$1 n=$2 limit=()
  dir=$work/samples/$name-$n
  [ "$n" = all ] || limit=(--limit "$n")
  if [ ! -f "$dir/metadata.csv" ]; then
    rm -rf "$dir"
    step "sample-$name" "$pixplot" sample "$name" --out "$dir" "${limit[@]}"
  fi
}

# ingested NAME N: a catalog of that sample ingested with the default model,
# in $db. Re-running ingest is cheap: unchanged files are skipped.
ingested() {
  sample "$1" "$2"
  db=$work/$1-$2.db
  local rc=0
  step "ingest-$1" "$pixplot" ingest --db "$db" --images "$dir" --metadata "$dir/metadata.csv" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || return "$rc" # 3: some files failed, the rest is stored
}

# synthetic: the synthetic catalog of $SYNTH_N images built from real
# openclipart images, vectors and thumbnails, in $synth.
synthetic() {
  ingested openclipart "$CLIP_N"
  synth=$work/synth-$SYNTH_N.db
  step synthcat "$bin/synthcat" -from "$db" -out "$synth" -n "$SYNTH_N"
}

# plot_of NAME [FLAGS...]: make the plot in $synth unless it is stored with the same options.
plot_of() {
  local name=$1
  shift
  step "plot-$name" "$pixplot" plot --db "$synth" --name "$name" "$@"
}

# ---------------------------------------------------------------- benchmarks

bench_ingest() {
  sample openclipart "$INGEST_N"
  step run "$bin/ingest" -images "$dir" -metadata "$dir/metadata.csv" -rounds "$INGEST_ROUNDS"
  local L r
  L=$(steplog run)
  r=$(val "$L" ratio)
  note "$(val "$L" images) openclipart PNGs, default model (Inception v3 mixed7_gap), batch 16, a new catalog each time. Reference:" \
    "the same embedder alone over the same images' tensors, run before and after each ingest ($INGEST_ROUNDS round(s); the" \
    "rates are means, the ratio the median of the rounds' ratios)."
  row "ingest rate (images/s)" "$(num "$(val "$L" ingest_rate)" 2)" "$(num "$(val "$L" model_rate)" 2)" "$(num "$r" 2)" "ratio ≥ 0.9" "$(verdict "$r" '>=' 0.9)"
  row "share of the ingest's wall time the model was busy" "$(num "$(val "$L" model_busy)" 2)"
}

bench_quality() {
  note "Leave-one-out: each image gets the category most common among its 5 nearest images (catalog.Similar, the image" \
    "itself excluded; ties go to the nearer). Research saw ≈ 0.69–0.71 on all 1,911 emoji."
  ingested emoji "$EMOJI_N"
  step emoji "$bin/quality" -db "$db" -k 5
  local L
  L=$(steplog emoji)
  row "emoji ($(val "$L" images) images): kNN@5 category accuracy" "$(num "$(val "$L" accuracy)" 3)"
  ingested openclipart "$CLIP_N"
  step openclipart "$bin/quality" -db "$db" -k 5
  L=$(steplog openclipart)
  row "openclipart ($(val "$L" images) images): kNN@5 category accuracy" "$(num "$(val "$L" accuracy)" 3)"
}

# umap_rows WHAT GO_S REF_S GO_TRUST REF_TRUST GO_ACC REF_ACC
umap_rows() {
  local r floor
  r=$(ratio "$2" "$3")
  row "$1: time (s)" "$(num "$2" 2)" "$(num "$3" 2)" "$r" "ratio ≤ 0.5" "$(verdict "$r" '<=' 0.5)"
  floor=$(awk -v t="$5" 'BEGIN {if (t != "") printf "%.4f", t - 0.01}')
  row "$1: trustworthiness@15" "$(num "$4" 4)" "$(num "$5" 4)" "" "≥ umap-learn − 0.01 = ${floor:-?}" "$(verdict "$4" '>=' "${floor:-2}")"
  row "$1: 5-NN label accuracy in 2-D" "$(num "$6" 4)" "$(num "$7" 4)" "$(ratio "$6" "$7")"
}

bench_umap() {
  note "Reference: umap-learn (Debian umap-learn $(debver umap-learn)), fit time only, after a warm-up fit (no numba compilation). Both get the same" \
    "input and n_neighbors 15, min_dist 0.1, n_epochs $EPOCHS, spectral init. Trustworthiness is measured in the input" \
    "space on an evenly spaced sample of at most $TRUST_SAMPLE points; label accuracy is leave-one-out 5-NN in the 2-D layout" \
    "(labels: Fashion-MNIST classes, openclipart categories). The openclipart input is the catalog's unit vectors (Euclidean)."
  step fashion "$bin/umap" -n "$FASHION_N" -epochs "$EPOCHS" -sample "$TRUST_SAMPLE"
  local L
  L=$(steplog fashion)
  # bench/umap prints "go: 12.34s (...)", "umap-learn: 23.45s (...)", then
  # "go: TRUST ACC" and "umap-learn: TRUST ACC".
  local gs ps gt pt ga pa
  IFS='|' read -r gs ps gt pt ga pa < <(awk '
    $1 == "go:" && $2 ~ /s$/ {gs = $2 + 0}
    $1 == "umap-learn:" && $2 ~ /s$/ {ps = $2 + 0}
    $1 == "go:" && $2 !~ /s$/ {gt = $2; ga = $3}
    $1 == "umap-learn:" && $2 !~ /s$/ {pt = $2; pa = $3}
    END {print gs "|" ps "|" gt "|" pt "|" ga "|" pa}' "$L")
  umap_rows "Fashion-MNIST $FASHION_N × 50 (PCA)" "$gs" "$ps" "$gt" "$pt" "$ga" "$pa"

  ingested openclipart "$CLIP_N"
  step openclipart "$bin/umapcatalog" -db "$db" -epochs "$EPOCHS" -sample "$TRUST_SAMPLE"
  L=$(steplog openclipart)
  umap_rows "openclipart $(val "$L" images) × $(val "$L" dims) (embeddings)" \
    "$(val "$L" go_seconds)" "$(val "$L" ref_seconds)" "$(val "$L" go_trust)" "$(val "$L" ref_trust)" \
    "$(val "$L" go_knn_accuracy)" "$(val "$L" ref_knn_accuracy)"
}

bench_hdbscan() {
  note "Reference: R dbscan::hdbscan (Debian r-cran-dbscan $(debver r-cran-dbscan)); its time excludes R's start-up and reading. Input: the" \
    "same 2-D points for both, bench/hdbscan's mixture of 30 Gaussian blobs and 5% uniform noise; minPts 15 (min_cluster_size" \
    "= min_samples = 15)."
  step run "$bin/hdbscan" -n "$HDBSCAN_N" -minpts 15
  local n rs gs rc gc ari r
  # bench/hdbscan prints one line per size: n, R s, Go s, R/Go, R clusters, Go clusters, ARI.
  while read -r n rs gs _ rc gc ari; do
    r=$(ratio "$gs" "$rs")
    row "n = $n: time (s)" "$(num "$gs" 3)" "$(num "$rs" 3)" "$r" "ratio ≤ 1" "$(verdict "$r" '<=' 1)"
    row "n = $n: adjusted Rand index vs R ($gc vs $rc clusters)" "$(num "$ari" 4)" "" "" "≥ 0.95" "$(verdict "$ari" '>=' 0.95)"
  done < <(awk '$1 ~ /^[0-9]+$/ && NF == 7' "$(steplog run)")
}

synthetic_note() {
  note "SYNTHETIC catalog (bench/synthcat): $SYNTH_N images made from $CLIP_N real openclipart images, each with a real image's" \
    "metadata and real JPEG thumbnails and a vector near that image's real embedding (mixed with a similar image's, plus noise)."
}

bench_e2e() {
  synthetic_note
  note "The real \`pixplot plot\` with default options (all images); peak RSS is the command's (wait4 rusage)."
  synthetic
  step run "$bin/e2e" -pixplot "$pixplot" -db "$synth" -name e2e
  local L s m k
  L=$(steplog run)
  s=$(val "$L" seconds)
  m=$(val "$L" peak_rss_mb)
  row "$(val "$L" images) images: wall time of \`pixplot plot\` (s)" "$(num "$s" 1)" "" "" "≤ 90 s" "$(verdict "$s" '<=' 90)"
  row "$(val "$L" images) images: peak resident memory (MB)" "$(num "$m" 0)" "" "" "≤ 2048 MB" "$(verdict "$m" '<=' 2048)"
  for k in $(awk -F'\t' '$1 == "result" && $2 ~ /^stage_/ {print $2}' "$L"); do
    row "stage ${k#stage_} (s)" "$(num "$(val "$L" "$k")" 2)"
  done
}

bench_similar() {
  synthetic_note
  note "Queries: $SIMILAR_QUERIES stored images' vectors, the image itself excluded, k = 20, through catalog.Similar: above" \
    "20,000 vectors an in-memory index (centred sign-bit codes → int8 shortlist → exact re-rank of float32 vectors)," \
    "built before timing (PrepareSimilar; build time reported); recall against an exact brute-force search in Go."
  synthetic
  step run "$bin/similar" -db "$synth" -queries "$SIMILAR_QUERIES"
  local L p r n
  L=$(steplog run)
  p=$(val "$L" p50_ms)
  r=$(val "$L" recall)
  n=$(val "$L" images)
  row "$n × 768: p50 (ms)" "$(num "$p" 2)" "" "" "≤ 10 ms" "$(verdict "$p" '<=' 10)"
  row "$n × 768: p99 (ms)" "$(num "$(val "$L" p99_ms)" 2)"
  row "$n × 768: recall@20 vs exact brute force" "$(num "$r" 4)" "" "" "≥ 0.99" "$(verdict "$r" '>=' 0.99)"
  row "within a random 10% (a plot's images): p50 / p99 (ms)" "$(num "$(val "$L" within_p50_ms)" 2) / $(num "$(val "$L" within_p99_ms)" 2)"
}

# wait_http URL SECONDS: until URL answers 200.
wait_http() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench.sh: $1 did not answer within $2 s" >&2
  return 1
}

bench_load() {
  synthetic_note
  note "bench/load: $LOAD_CLIENTS clients for $LOAD_DURATION, each looping over a random mix of manifests, atlases, thumbnails," \
    "similar (within the plot) and full-text searches on the ready plot e2e, against \`pixplot serve\`, while the server makes" \
    "a plot of $LOAD_PLOT_N images (POST /api/plots 2 s into the run)."
  synthetic
  plot_of e2e
  local port=$((20000 + RANDOM % 20000))
  local base=http://127.0.0.1:$port
  echo "$(pretty "$pixplot" serve --db "$synth" --addr "127.0.0.1:$port") &" >>"$run/cmds.$current"
  "$pixplot" serve --db "$synth" --addr "127.0.0.1:$port" >"$(steplog server)" 2>&1 &
  local server=$!
  trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
  wait_http "$base/api/config" 60

  # A plot is made while the clients run: a new name each time, removed
  # afterwards. The poster times it from the POST until it is no longer running.
  local name body
  name=load-$(date +%s)
  body="{\"name\": \"$name\", \"where\": \"id <= $LOAD_PLOT_N\"}"
  echo "(sleep 2; $(pretty curl -X POST -H "Content-Type: application/json" -d "$body" "$base/api/plots")) &" >>"$run/cmds.$current"
  (
    sleep 2
    curl -sS -X POST -H "Content-Type: application/json" -d "$body" "$base/api/plots" >"$run/load-post" 2>&1
    t0=$(date +%s.%N) status=""
    if ! grep -q '"status"' "$run/load-post"; then # refused: nothing to wait for
      echo "refused 0" >"$run/load-plot"
      exit 0
    fi
    for ((i = 0; i < 2400; i++)); do
      status=$(curl -fsS "$base/api/plots/$name" 2>/dev/null | jq -r .status 2>/dev/null || true)
      [ "$status" = running ] || [ -z "$status" ] || break
      sleep 0.25
    done
    echo "${status:-unknown} $(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN {printf "%.1f", t1 - t0}')" >"$run/load-plot"
  ) &
  local poster=$!
  local rc=0
  step run "$bin/load" -addr "127.0.0.1:$port" -clients "$LOAD_CLIENTS" -duration "$LOAD_DURATION" -plot e2e || rc=$?
  wait "$poster" || true
  echo "POST /api/plots: $(cat "$run/load-post")"
  local status plot_seconds
  read -r status plot_seconds <"$run/load-plot" || true
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null || true
  trap - EXIT
  step cleanup "$pixplot" plots rm "$name" --db "$synth" || true

  local L
  L=$(steplog run)
  # bench/load's table: kind ok req/s p50 p95 p99 max errors; durations as Go prints them.
  awk '
    function ms(d,   t, n, u) {
      t = 0
      while (match(d, /^[0-9.]+(h|m|s|ms|µs|us|ns)/)) {
        n = substr(d, 1, RLENGTH); d = substr(d, RLENGTH + 1); u = n; sub(/^[0-9.]+/, "", u); n += 0
        t += u == "h" ? n * 3600000 : u == "m" ? n * 60000 : u == "s" ? n * 1000 : u == "ms" ? n : u == "ns" ? n / 1e6 : n / 1000
      }
      return t
    }
    $1 ~ /^(manifest|atlas|thumb|similar|search|all)$/ && NF == 8 {printf "%s %s %s %.2f %.2f %s\n", $1, $2, $3, ms($4), ms($6), $8}' "$L" >"$run/load-rows"
  local kind ok rps p50 p99 errors
  while read -r kind ok rps p50 p99 errors; do
    if [ "$kind" = all ]; then
      row "all requests: throughput (requests/s)" "$rps"
      row "all requests: p50 / p99 (ms)" "$(num "$p50" 1) / $(num "$p99" 1)"
      row "failed requests (of $((ok + errors)))" "$errors" "" "" "0" "$(verdict "$errors" '<=' 0)"
    else
      row "$kind: requests, p50 / p99 (ms)" "$ok, $(num "$p50" 1) / $(num "$p99" 1)"
    fi
  done <"$run/load-rows"
  [ -s "$run/load-rows" ] || { echo "bench.sh: bench/load printed no table (exit $rc)" >&2; return 1; }
  row "the plot made meanwhile: status, seconds from POST to done" "${status:-no status}, ${plot_seconds:-?} s" "" "" "ready" \
    "$([ "$status" = ready ] && echo met || echo MISSED)"
}

bench_firstframe() {
  synthetic_note
  note "Each plot opened $FIRST_RUNS time(s) in a fresh headless Chromium $(debver chromium) (software WebGL2 via SwiftShader, 1280×800, empty" \
    "profile, HTTP cache off) from \`pixplot serve --read-only\`; medians. First frame: ms from navigation start to the" \
    "viewer's first drawing of the plot; bytes: CDP Network.loadingFinished encodedDataLength (headers and bodies)."
  synthetic
  plot_of e2e
  plot_of "first-$FIRST_N" --where "id <= $FIRST_N"
  step run "$bin/firstframe" -pixplot "$pixplot" -db "$synth" -plots "first-$FIRST_N,e2e" -runs "$FIRST_RUNS"
  local L p n e
  L=$(steplog run)
  for p in "first-$FIRST_N" e2e; do
    n=$(val "$L" "$p.images")
    e=$(val "$L" "$p.console_errors")
    row "$n images: first frame (ms)" "$(num "$(val "$L" "$p.first_frame_ms")" 0)"
    row "$n images: bytes received before the first frame, per image" "$(num "$(val "$L" "$p.bytes_per_image")" 1)"
    row "$n images: all base-tier atlases in (ms) / bytes per image by then" \
      "$(num "$(val "$L" "$p.atlases_ms")" 0) / $(num "$(val "$L" "$p.atlases_bytes_per_image")" 1)"
    row "$n images: frames per second while the wheel zooms in and out for 3 s (software WebGL)" "$(num "$(val "$L" "$p.zoom_fps")" 1)"
    row "$n images: console errors" "$e" "" "" "0" "$(verdict "$e" '<=' 0)"
  done
}

title() {
  case $1 in
  ingest) echo "Ingest rate vs the model alone" ;;
  quality) echo "Embedding quality: kNN@5 category accuracy" ;;
  umap) echo "UMAP vs umap-learn" ;;
  hdbscan) echo "HDBSCAN vs R dbscan::hdbscan" ;;
  e2e) echo "A plot end to end (synthetic 100k catalog)" ;;
  similar) echo "Similar-image search (synthetic 100k catalog)" ;;
  load) echo "The server under load while a plot is made" ;;
  firstframe) echo "First frame in headless Chromium" ;;
  esac
}

# ---------------------------------------------------------------- report

# section NAME: the BENCHMARKS.md section of this run's benchmark NAME.
section() {
  local name=$1
  echo "<!-- bench:$name -->"
  echo "## $name: $(title "$name")"
  echo
  cat "$run/stamp.$name"
  if [ -f "$run/notes.$name" ]; then
    echo
    cat "$run/notes.$name"
  fi
  echo
  echo "| measurement | pixplot | reference | ratio | goal | |"
  echo "| --- | --- | --- | --- | --- | --- |"
  awk -F'\t' -v b="$name" '$1 == b {printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7 == "MISSED" ? "**MISSED**" : $7}' "$run/rows.tsv"
  echo
  echo "Commands (from the repository root, after \`make build\`; \`bin/bench/*\` are \`go build -o bin/bench/ ./bench/...\`):"
  echo
  echo '```sh'
  cat "$run/cmds.$name" 2>/dev/null
  echo '```'
  echo "<!-- /bench:$name -->"
}

# old_section NAME: NAME's section of the existing results file, if any.
old_section() {
  [ -f "$out" ] || return 0
  awk -v b="$1" '$0 == "<!-- bench:" b " -->" {on = 1} on {print} $0 == "<!-- /bench:" b " -->" {on = 0}' "$out"
}

write_report() {
  local tmp=$run/report.md name s
  {
    echo "# Benchmarks"
    echo
    echo "Written by \`make bench\` ([scripts/bench.sh](scripts/bench.sh)); \`scripts/bench.sh NAME...\` re-runs single"
    echo "benchmarks and replaces only their sections. Each section says when, on what machine and under what load"
    echo "it ran, the exact commands that produced it, and each measurement beside its reference and goal."
    echo "Ratios are pixplot / reference. **MISSED** marks a goal that was not met. Only measured numbers are here."
    echo
    echo "Last run: $started_at, commit $(commit), $(machine_line), load average $load_start at the start and $(loadavg) at the end$( ((quick)) && echo ", BENCH_QUICK=1 (small sizes: checks the script, not the goals)")."
    for name in "${all[@]}"; do
      if [ -f "$run/stamp.$name" ]; then
        echo
        section "$name"
      else
        s=$(old_section "$name")
        [ -z "$s" ] || printf '\n%s\n' "$s"
      fi
    done
  } >"$tmp"
  mv "$tmp" "$out"
}

print_table() {
  [ -s "$run/rows.tsv" ] || return 0
  echo
  { printf 'benchmark\tmeasurement\tpixplot\treference\tratio\tgoal\t\n'; cat "$run/rows.tsv"; } |
    awk -F'\t' -v OFS='\t' '{if (length($2) > 64) $2 = substr($2, 1, 61) "..."; for (i = 3; i <= 7; i++) if ($i == "") $i = "-"; print}' |
    column -t -s $'\t'
}

# ---------------------------------------------------------------- main

started_at=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(loadavg)
echo "bench.sh: ${names[*]}$( ((quick)) && echo ' (BENCH_QUICK)'); $(machine_line); load average $load_start; work folder $work"
install_debs
make --no-print-directory build # cheap when up to date; the benchmarks must run the current code
go build -o "$bin/" ./bench/...
"$pixplot" setup >/dev/null

failed=()
for name in "${names[@]}"; do
  current=$name
  echo
  echo "=== $name: $(title "$name")"
  t0=$SECONDS
  l0=$(loadavg)
  : >"$run/cmds.$name"
  rm -f "$work/logs/$name"-*.log
  set +e
  (
    set -eo pipefail
    "bench_$name"
  )
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    failed+=("$name")
    last=$(ls -t "$work/logs/$name"-*.log 2>/dev/null | head -n 1 || true)
    why=$([ -z "$last" ] || grep -v '^result' "$last" | tail -n 1 || true)
    row "did not run to the end (exit $rc): ${why:-see the output above}; logs: ${work/#$HOME/\~}/logs/$name-*.log" "FAILED" "" "" "" "MISSED"
  fi
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(commit), $(machine_line), load average $l0 at the start and $(loadavg) at the end, $((SECONDS - t0)) s$( ((quick)) && echo ", BENCH_QUICK=1")." >"$run/stamp.$name"
done

print_table
write_report
echo
echo "results written to $out"
missed=$(awk -F'\t' '$7 == "MISSED" {n++} END {print n + 0}' "$run/rows.tsv" 2>/dev/null || echo 0)
echo "goals missed: $missed"
if ((${#failed[@]})); then
  echo "benchmarks that failed to run: ${failed[*]}" >&2
  exit 1
fi
