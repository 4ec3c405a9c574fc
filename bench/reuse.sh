#!/bin/sh
# Speed and memory of the reuse stage (issue 4) at growing store sizes; the figures of
# BENCHMARKS.md, "Reuse".
#   bench/reuse.sh [RUNS] [SIZES]     (defaults: 3 runs; sizes "10000 100000 1000000")
# Each size: a stream of distinct articles with 4% reuse (bench/gen_distinct), added RUNS
# times into a fresh on-disk store with `newsdesk add --timings`. The 1,000,000 size runs
# RUNS_1M times (default 1: one run takes tens of minutes). Prints per size the medians of
# the reuse stage's articles per CPU second and bytes per article (nd_reuse_state_bytes at the
# end / articles), then the growth from the smallest size.
# ND_BUILD names a build folder to use as is (default: the release preset, built here).
# ND_REUSE_ONLY=1 runs bench/bench_reuse instead of `newsdesk add`: the same reading,
# batching and timings, plus the stage's own phase split (target_art_per_s: articles per CPU
# second of signature + candidates + verification, the issue's target), with the clustering
# stage left out (its time is not part of reuse_s
# either way, but it is most of the wall time of a million-article run).
set -eu
cd "$(dirname "$0")/.."
runs="${1:-3}"
sizes="${2:-10000 100000 1000000}"
runs_1m="${RUNS_1M:-1}"
corpus="${ND_CORPUS:-../shared/corpus}"
b="${ND_BUILD:-build/release}"
if [ -z "${ND_BUILD:-}" ]; then
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$(nproc)" >/dev/null
fi
out="${ND_BENCH_OUT:-build/bench}"
mkdir -p "$out"

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

echo "machine: $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "mode: $([ -n "${ND_REUSE_ONLY:-}" ] && echo "bench_reuse (clustering left out)" || echo "newsdesk add --timings")"
echo "size articles reuse_s reuse_art_per_s target_art_per_s reuse_bytes_per_art insert_s cluster_s commit_s wall_s peak_rss_kib runs"
first_rate=""
first_bpa=""
for n in $sizes; do
    stream="$out/distinct-$n.jsonl"
    [ -s "$stream" ] || $b/gen_distinct -n "$n" "$corpus/ecbplus/articles.jsonl" >"$stream" 2>/dev/null
    r="$runs"
    [ "$n" -ge 1000000 ] && r="$runs_1m"
    : >"$out/reuse-$n.txt"
    i=0
    while [ "$i" -lt "$r" ]; do
        rm -f "$out/reuse.db" "$out/reuse.db-wal" "$out/reuse.db-shm"
        if [ -n "${ND_REUSE_ONLY:-}" ]; then
            set -- $b/bench_reuse "$out/reuse.db" "$stream"
        else
            set -- $b/newsdesk --db "$out/reuse.db" add --timings "$stream"
        fi
        /usr/bin/time -f "wall=%e rss=%M" -o "$out/time.txt" "$@" >/dev/null 2>"$out/add.err"
        echo "$(grep '^timings' "$out/add.err") $(grep '^reuse_prof' "$out/add.err" | cut -d' ' -f2-) $(cat "$out/time.txt")" >>"$out/reuse-$n.txt"
        i=$((i + 1))
    done
    arts=$(head -1 "$out/reuse-$n.txt" | field articles | head -1)
    rs=$(while read -r l; do echo "$l" | field reuse_s; done <"$out/reuse-$n.txt" | median)
    rate=$(while read -r l; do
        echo "$l" | awk '{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}} END {printf "%.0f\n", v["articles"]/v["reuse_s"]}'
    done <"$out/reuse-$n.txt" | median)
    # signature + candidates + verification (sampled phase times; bench_reuse only)
    tgt=$(while read -r l; do echo "$l" | field target_art_per_s; done <"$out/reuse-$n.txt" | median)
    bpa=$(while read -r l; do
        echo "$l" | awk '{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}} END {printf "%.1f\n", v["reuse_bytes"]/v["articles"]}'
    done <"$out/reuse-$n.txt" | median)
    ins=$(while read -r l; do echo "$l" | field insert_s; done <"$out/reuse-$n.txt" | median)
    cl=$(while read -r l; do echo "$l" | field cluster_s; done <"$out/reuse-$n.txt" | median)
    cm=$(while read -r l; do echo "$l" | field commit_s; done <"$out/reuse-$n.txt" | median)
    wall=$(while read -r l; do echo "$l" | field wall; done <"$out/reuse-$n.txt" | median)
    rss=$(while read -r l; do echo "$l" | field rss; done <"$out/reuse-$n.txt" | median)
    echo "$n $arts $rs $rate ${tgt:--} $bpa $ins $cl $cm $wall $rss $r"
    if [ -z "$first_rate" ]; then
        first_rate=$rate
        first_bpa=$bpa
    else
        echo "  growth from the first size: articles/s x$(awk -v a="$rate" -v b="$first_rate" 'BEGIN{printf "%.2f", a/b}'), bytes/article x$(awk -v a="$bpa" -v b="$first_bpa" 'BEGIN{printf "%.2f", a/b}')"
    fi
done
