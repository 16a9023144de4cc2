#!/usr/bin/env bash
# The demo: model setup, a real sample collection (600 Noto emoji with metadata),
# ingest, two plots, then the viewer. Re-running reuses everything already done.
set -euo pipefail
cd "$(dirname "$0")/.."
pixplot=./bin/pixplot
db=demo/emoji.db

$pixplot setup
[ -f demo/emoji/metadata.csv ] || { rm -rf demo/emoji; $pixplot sample emoji --out demo/emoji --limit 600; }
$pixplot ingest --db "$db" --images demo/emoji --metadata demo/emoji/metadata.csv
$pixplot plot --db "$db" --name all
$pixplot plot --db "$db" --name nature-and-food --category "Animals & Nature" --category "Food & Drink"
$pixplot plots --db "$db"
echo "open http://${PIXPLOT_ADDR:-127.0.0.1:8080}/ (Ctrl-C stops the server)"
exec $pixplot serve --db "$db" --addr "${PIXPLOT_ADDR:-127.0.0.1:8080}"
