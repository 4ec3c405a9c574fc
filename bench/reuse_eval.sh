#!/bin/sh
# Reuse quality on the generated gold stream (docs/reuse-eval.md); the figures of
# BENCHMARKS.md, "Reuse".
#   bench/reuse_eval.sh [SEED] [PER_CASE]     (defaults: 0 and 50)
# Prints the text report of `newsdesk eval reuse`; ND_BUILD names a build folder to use as
# is (default: the release preset, built here), ND_FORMAT a --format for the report.
set -eu
cd "$(dirname "$0")/.."
seed="${1:-0}"
per_case="${2:-50}"
corpus="${ND_CORPUS:-../shared/corpus}"
b="${ND_BUILD:-build/release}"
if [ -z "${ND_BUILD:-}" ]; then
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$(nproc)" >/dev/null
fi
out="${ND_BENCH_OUT:-build/bench}"
mkdir -p "$out"
$b/gen_reuse -s "$seed" -c "$per_case" "$corpus/ecbplus/articles.jsonl" \
    "$out/reuse-gold-stream.jsonl" "$out/reuse-gold.tsv"
rm -f "$out/reuse-gold.db" "$out/reuse-gold.db-wal" "$out/reuse-gold.db-shm"
$b/newsdesk --db "$out/reuse-gold.db" add "$out/reuse-gold-stream.jsonl" >/dev/null 2>&1
$b/newsdesk --db "$out/reuse-gold.db" --format "${ND_FORMAT:-text}" eval reuse "$out/reuse-gold.tsv"
