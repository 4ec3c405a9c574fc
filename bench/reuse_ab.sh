#!/bin/sh
# Back-to-back comparison of the reuse stage of two builds (BENCHMARKS.md, "Reuse"): on a
# shared, loaded machine the spread between runs (10-20%) is larger than most changes, so
# the two builds are run alternately on the same stream and compared pair by pair.
#   bench/reuse_ab.sh BUILD_A BUILD_B STREAM.jsonl [PAIRS]     (default 3 pairs)
# Each run adds STREAM to a fresh store with BUILD/bench_reuse (clustering stubbed out) and
# prints one line per run: the build, target_art_per_s (signature + candidates +
# verification per CPU second), reuse_s, bytes per article, the verified-pair counters and
# the load average; then the median target rate of each build and the median of the
# per-pair ratios B/A.
set -eu
a="$1"
b="$2"
stream="$3"
pairs="${4:-3}"
out="${ND_BENCH_OUT:-build/bench}"
mkdir -p "$out"
db="$out/reuse-ab.db"
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
: >"$out/reuse-ab.txt"
i=0
while [ "$i" -lt "$pairs" ]; do
    for v in A B; do
        dir=$a
        [ "$v" = B ] && dir=$b
        rm -f "$db" "$db-wal" "$db-shm"
        "$dir/bench_reuse" "$db" "$stream" 2>"$out/reuse-ab.err" >/dev/null
        l="$(grep -h '^timings\|^reuse_prof' "$out/reuse-ab.err" | tr '\n' ' ')"
        arts=$(echo "$l" | field articles)
        bytes=$(echo "$l" | field reuse_bytes)
        line="build=$v pair=$i target_art_per_s=$(echo "$l" | field target_art_per_s)"
        line="$line reuse_s=$(echo "$l" | field reuse_s)"
        line="$line bytes_per_art=$(awk -v x="$bytes" -v n="$arts" 'BEGIN{printf "%.1f", x/n}')"
        line="$line verified=$(echo "$l" | field verified)"
        line="$line verified_lsh=$(echo "$l" | field verified_lsh)"
        line="$line load=$(cut -d' ' -f1 /proc/loadavg)"
        echo "$line" | tee -a "$out/reuse-ab.txt"
    done
    i=$((i + 1))
done
ma=$(grep 'build=A' "$out/reuse-ab.txt" | field target_art_per_s | median)
mb=$(grep 'build=B' "$out/reuse-ab.txt" | field target_art_per_s | median)
ratio=$(awk '
    /build=A/ {for (i = 1; i <= NF; i++) if ($i ~ /^target_art_per_s=/) {split($i, kv, "="); a = kv[2]}}
    /build=B/ {for (i = 1; i <= NF; i++) if ($i ~ /^target_art_per_s=/) {split($i, kv, "="); print kv[2] / a}}' "$out/reuse-ab.txt" | median)
echo "median target_art_per_s: A $ma, B $mb; median per-pair ratio B/A $ratio"
