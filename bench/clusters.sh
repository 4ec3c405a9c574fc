#!/bin/sh
# Speed and memory of the online stages (reuse and cluster) on generated story streams.
#
#   bench/clusters.sh [RUNS]     (default 3 runs per size; medians are printed; 0: only the
#                                 growth run below)
#
# For each size (ND_BENCH_SIZES, default "10000 100000 1000000") a stream is generated once by
# bench/gen_stories (seed 1: synthetic stories over 450 days, see that file) and added RUNS
# times into a fresh store with `newsdesk add --timings`. From the timings line on stderr
# (`timings articles=N insert_s=.. reuse_s=.. cluster_s=.. commit_s=.. reuse_bytes=..
# cluster_bytes=..`) and GNU time it prints the median of: wall seconds, articles/s of the
# whole add, CPU seconds and articles/s of the cluster stage (and of reuse), the cluster
# state's bytes at the end per stored article and per article of the active window, and
# peak RSS. The active window is the clusterer's retirement rule (a story stays active while
# its last article is among the last ND_WINDOW_ARTICLES added, default 20000, or dated within
# ND_WINDOW_DAYS, default 30, of the newest): both are suffixes of a stream in publication
# order, so the window holds max(20000, articles of the last 30 days) articles.
#
# Then, for the largest size, the growth of the cost with the store: the stream is cut in
# 10 slices added one after the other to one store (one process each), and each slice's
# cluster articles/s is printed. Each slice's process starts with an empty cache and
# rebuilds its state from the store lazily, so that cost is inside the slice's figure.
#
# Environment: ND_CORPUS, ND_BUILD (a build folder with newsdesk and gen_stories; default:
# build and use the release preset), ND_BENCH_OUT (default build/bench), ND_BENCH_SIZES,
# ND_WINDOW_DAYS, ND_WINDOW_ARTICLES, ND_BENCH_SLICES=0 to skip the sliced run.
set -eu
cd "$(dirname "$0")/.."
runs="${1:-3}"
corpus="${ND_CORPUS:-../shared/corpus}"
sizes="${ND_BENCH_SIZES:-10000 100000 1000000}"
window="${ND_WINDOW_DAYS:-30}"
window_articles="${ND_WINDOW_ARTICLES:-20000}"
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench: needs GNU time (apt-get install time)"; exit 2; }
if [ -n "${ND_BUILD:-}" ]; then
    b="$ND_BUILD"
else
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$(nproc)" >/dev/null
    b=build/release
fi
out="${ND_BENCH_OUT:-build/bench}"
mkdir -p "$out"
db="$out/clusters.db"

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# field NAME: the value of NAME=... in the timings line on stdin.
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

echo "machine: $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "active window: the last $window_articles articles or those dated within $window days of the last one"
last=""
for n in $sizes; do
    stream="$out/stories-$n.jsonl"
    [ -s "$stream" ] || "$b/gen_stories" -n "$n" -s 1 -g "$out/stories-$n.gold.tsv" \
        "$corpus/ecbplus/articles.jsonl" >"$stream"
    # Articles of the active window: dates within $window days of the stream's last date.
    active=$(grep -o '"date_publish": "[0-9-]*' "$stream" | cut -c18- |
        awk -v w="$window" -F- '
            function days(y, m, d) { if (m < 3) { y--; m += 12 }
                return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d }
            { t[NR] = days($1 + 0, $2 + 0, $3 + 0); if (t[NR] > max) max = t[NR] }
            END { for (i = 1; i <= NR; i++) c += (t[i] > max - w); print c }')
    [ "$active" -ge "$window_articles" ] || active=$window_articles
    [ "$active" -le "$n" ] || active=$n
    : >"$out/clusters-$n.txt"
    i=0
    while [ "$i" -lt "$runs" ]; do
        rm -f "$db" "$db-wal" "$db-shm"
        /usr/bin/time -f "%e %M" -o "$out/time.txt" \
            "$b/newsdesk" --db "$db" add --timings "$stream" >/dev/null 2>"$out/add.err" ||
            [ $? -eq 1 ] || {
            echo "bench: newsdesk add failed:" >&2
            tail -n 5 "$out/add.err" >&2
            exit 1
        }
        t=$(grep '^timings ' "$out/add.err" | tail -n 1)
        [ -n "$t" ] || { echo "bench: no timings line from newsdesk add --timings" >&2; exit 1; }
        echo "$(cat "$out/time.txt") $(echo "$t" | field articles) $(echo "$t" | field cluster_s)" \
            "$(echo "$t" | field reuse_s) $(echo "$t" | field cluster_bytes)" \
            "$(echo "$t" | field insert_s) $(echo "$t" | field commit_s)" >>"$out/clusters-$n.txt"
        i=$((i + 1))
    done
    last="$n"
    [ "$runs" -gt 0 ] || continue
    col() { awk -v c="$1" '{print $c}' "$out/clusters-$n.txt" | median; }
    wall=$(col 1); rss=$(col 2); arts=$(col 3); cs=$(col 4); rs=$(col 5); cb=$(col 6)
    ins=$(col 7); com=$(col 8)
    awk -v n="$n" -v wall="$wall" -v rss="$rss" -v a="$arts" -v cs="$cs" -v rs="$rs" \
        -v cb="$cb" -v act="$active" -v ins="$ins" -v com="$com" -v runs="$runs" 'BEGIN {
        printf "== %d articles, median of %d runs: add %.1f s wall = %.0f articles/s; " \
               "insert %.1f s CPU, commit %.1f s\n", n, runs, wall, a / wall, ins, com
        printf "   cluster stage %.2f s CPU = %.0f articles/s; reuse stage %.2f s = %.0f articles/s\n",
               cs, (cs > 0 ? a / cs : 0), rs, (rs > 0 ? a / rs : 0)
        printf "   cluster state %.1f MiB at the end = %.0f bytes/article, %.0f bytes per " \
               "active-window article (%d articles in the window); peak RSS %.0f MiB\n",
               cb / 1048576, cb / a, (act > 0 ? cb / act : 0), act, rss / 1024
    }'
done

[ "${ND_BENCH_SLICES:-1}" = 0 ] && exit 0
# Growth with the store: the largest stream in 10 slices into one store.
stream="$out/stories-$last.jsonl"
per=$(( (last + 9) / 10 ))
rm -f "$db" "$db-wal" "$db-shm" "$out"/slice-*
split -l "$per" -d -a 2 "$stream" "$out/slice-"
echo "== growth: $last articles in 10 slices of $per into one store (cluster stage per slice)"
k=0
for s in "$out"/slice-*; do
    "$b/newsdesk" --db "$db" add --timings "$s" >/dev/null 2>"$out/add.err" || [ $? -eq 1 ]
    t=$(grep '^timings ' "$out/add.err" | tail -n 1)
    a=$(echo "$t" | field articles); cs=$(echo "$t" | field cluster_s)
    ins=$(echo "$t" | field insert_s); cb=$(echo "$t" | field cluster_bytes)
    awk -v k="$k" -v per="$per" -v a="$a" -v cs="$cs" -v ins="$ins" -v cb="$cb" 'BEGIN {
        printf "   slice %2d (store %7d -> %7d): cluster %.2f s = %6.0f articles/s, insert %.2f s, " \
               "state %.1f MiB\n", k, k * per, k * per + a, cs, (cs > 0 ? a / cs : 0), ins,
               cb / 1048576 }'
    k=$((k + 1))
done
rm -f "$out"/slice-*
