#!/bin/sh
# Runs the foundation benchmarks and prints the figures recorded in BENCHMARKS.md.
#   bench/run.sh [RUNS]      (default 5 runs each; medians are printed)
# Needs the release build (scripts/test or cmake --preset release && cmake --build ...).
set -eu
cd "$(dirname "$0")/.."
runs="${1:-5}"
corpus="${ND_CORPUS:-../shared/corpus}"
b=build/release
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench: needs GNU time (apt-get install time)"; exit 2; }
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" >/dev/null
out=build/bench
mkdir -p "$out"

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

echo "machine: $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "== text layer (bench_text, ECB+ articles, 20 passes)"
$b/bench_text "$corpus/ecbplus/articles" 20

for n in 10000 100000; do
    stream="$out/stream-$n.jsonl"
    [ -s "$stream" ] || $b/gen_stream -n "$n" "$corpus/ecbplus/articles.jsonl" >"$stream"
    bytes=$(stat -c %s "$stream")
    : >"$out/add-$n.txt"
    : >"$out/read-$n.txt"
    i=0
    while [ "$i" -lt "$runs" ]; do
        # Baseline in the same run: the reader alone (everything but the store).
        $b/bench_read "$stream" | awk '{print $2}' >>"$out/read-$n.txt"
        rm -f "$out/bench.db" "$out/bench.db-wal" "$out/bench.db-shm"
        /usr/bin/time -f "%e %M" -o "$out/time.txt" $b/newsdesk --db "$out/bench.db" add "$stream" 2>/dev/null
        cat "$out/time.txt" >>"$out/add-$n.txt"
        i=$((i + 1))
    done
    secs=$(awk '{print $1}' "$out/add-$n.txt" | median)
    rss=$(awk '{print $2}' "$out/add-$n.txt" | median)
    rsecs=$(median <"$out/read-$n.txt")
    echo "== add $n articles ($((bytes / 1048576)) MiB JSONL) into a fresh store, median of $runs:" \
         "$secs s, $(awk -v n="$n" -v s="$secs" 'BEGIN{printf "%.0f", n/s}') articles/s," \
         "peak RSS $rss KiB; reader alone $rsecs s," \
         "$(awk -v n="$n" -v s="$rsecs" 'BEGIN{printf "%.0f", n/s}') articles/s;" \
         "add/read time ratio $(awk -v a="$secs" -v r="$rsecs" 'BEGIN{printf "%.2f", a/r}')"
done
