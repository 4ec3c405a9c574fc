#!/bin/sh
# Scores the clustering on the gold sets, in file order and in K random orders, each into a
# fresh store:
#   ECB+ as JSON Lines (ecbplus/articles.jsonl), ECB+ as .txt files (ecbplus/articles/), and
#   MEANTIME (converted at run time by bench/meantime_jsonl; story level only, see below).
# Prints one row per run (B-cubed P/R/F1 at story and event level, cluster counts) and the
# mean and minimum F1 of each set; then, for the first order of each set, the gold stories
# split over the most found stories and the found stories that merge gold stories.
#
#   bench/eval_clusters.sh [K]        (default K = 5 random orders; seeds 1..K)
#
# Environment: ND_CORPUS (default ../shared/corpus); ND_BUILD, a build folder holding
# newsdesk and meantime_jsonl (default: build and use the release preset); ND_EVAL_OUT, the
# scratch folder (default build/eval-clusters).
#
# Orders are made by `awk srand(SEED)` keys and a sort, so a seed gives the same order on a
# given machine. MEANTIME's topics are a company or a market over six years, much broader
# than a story, and it has no document-level event labels: its event F1 is not printed and
# its story precision is the figure that matters (recall below 1 is expected).
set -eu
cd "$(dirname "$0")/.."
k="${1:-5}"
corpus="${ND_CORPUS:-../shared/corpus}"
if [ -n "${ND_BUILD:-}" ]; then
    b="$ND_BUILD"
else
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$(nproc)" >/dev/null
    b=build/release
fi
out="${ND_EVAL_OUT:-build/eval-clusters}"
mkdir -p "$out"
db="$out/eval.db"
tab=$(printf '\t')

# shuffle SEED: stdin to stdout in the order of seed SEED.
shuffle() {
    awk -v seed="$1" 'BEGIN { srand(seed) } { printf "%.12f\t%s\n", rand(), $0 }' |
        LC_ALL=C sort -t "$tab" -k1,1 | cut -f2-
}

# add_input KIND INPUT: adds the input to the fresh store $db. KIND jsonl: INPUT is a JSON
# Lines file; list: INPUT is a file of paths, added in that order.
add_input() {
    rm -f "$db" "$db-wal" "$db-shm"
    rc=0
    if [ "$1" = jsonl ]; then
        "$b/newsdesk" --db "$db" add "$2" >/dev/null 2>"$out/add.err" || rc=$?
    else
        tr '\n' '\0' <"$2" | xargs -0 "$b/newsdesk" --db "$db" add >/dev/null 2>"$out/add.err" ||
            rc=$?
    fi
    # 1 = some articles rejected: the scorer reports them as missing.
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "eval_clusters: newsdesk add failed ($rc):" >&2
        cat "$out/add.err" >&2
        exit 1
    fi
}

# score SET ORDER GOLD: scores the store, prints a row and appends it to $out/rows.tsv.
score() {
    row=$("$b/newsdesk" --db "$db" --format tsv eval clusters --gold "$3" 2>"$out/eval.err" |
        tail -n 1)
    echo "$1$tab$2$tab$row" >>"$out/rows.tsv"
    echo "$1$tab$2$tab$row" | awk -F '\t' -v OFS='\t' '{
        if ($1 == "meantime")
            ev = sprintf("%5s %5s  %6s %6s %6s", "-", "-", "-", "-", "-")
        else
            ev = sprintf("%5d %5d  %6.4f %6.4f %6.4f", $18, $19, $20, $21, $22)
        printf "%-9s %-8s %5d %4d  %5d %5d  %6.4f %6.4f %6.4f   %s\n", $1, $2, $3, $5, $7, $8, $9, $10, $11, ev
    }'
    if [ "$2" = file ] || [ "${ND_EVAL_ERRORS:-}" = all ]; then
        "$b/newsdesk" --db "$db" --format tsv export clusters >"$out/pred-$1-$2.tsv" 2>/dev/null ||
            rm -f "$out/pred-$1-$2.tsv"
    fi
}

# errors SET GOLD PRED: the most split gold stories and the found stories merging several
# gold stories; at event level, gold events split and found events merging gold events.
errors() {
    [ -s "$3" ] || { echo "  (no 'newsdesk export clusters': error analysis skipped)"; return; }
    awk -F '\t' -v set="$1" '
        FNR == 1 { next }
        NR == FNR { gs[$1] = $2; ge[$1] = $3; if ($3 != "") events = 1; next }
        ($1 in gs) {
            s = gs[$1]; p = $2; e = s "/" ge[$1]; q = p "/" $3
            if (!((s, p) in sp)) { nsplit[s]++; } sp[s, p]++; gsize[s]++
            if (!((p, s) in ps)) { nmerge[p]++; members[p] = members[p] " " s } ps[p, s]++
            psize[p]++
            if (!((e, q) in eq)) { esplit[e]++ } eq[e, q]++
            if (!((s, p, e) in spe)) { spe[s, p, e] = 1; nev_sp[s, p]++ }
            if (!((q, e) in qe)) { emerge[q]++; emembers[q] = emembers[q] " " e } qe[q, e]++
        }
        END {
            for (k in sp) { split(k, a, SUBSEP); parts[a[1]] = parts[a[1]] " " sp[k] }
            for (k in ps) { split(k, a, SUBSEP); from[a[1]] = from[a[1]] " " a[2] ":" ps[k] }
            for (s in nsplit) if (nsplit[s] > 1)
                printf "  split  story %-8s %3d articles in %2d found stories, sizes%s\n", s, gsize[s], nsplit[s], parts[s] | "sort -k7,7nr -k4,4nr | head -10"
            close("sort -k7,7nr -k4,4nr | head -10")
            for (p in nmerge) if (nmerge[p] > 1)
                printf "  merge  found story %-10s %3d articles from %d gold stories:%s\n", p, psize[p], nmerge[p], from[p] | "sort -k8,8nr -k5,5nr | head -10"
            close("sort -k8,8nr -k5,5nr | head -10")
            nsp = 0; nme = 0
            for (s in nsplit) nsp += nsplit[s] > 1
            for (p in nmerge) nme += nmerge[p] > 1
            along = 0
            for (k in nev_sp) { split(k, a, SUBSEP); if (nev_sp[k] > 1) mixed[a[1]] = 1 }
            for (s in nsplit) if (nsplit[s] > 1 && !(s in mixed)) along++
            if (events)
                printf "  stories: %d gold stories split (%d of them only along their gold events), %d found stories merging gold stories\n", nsp, along, nme
            else
                printf "  stories: %d gold stories split, %d found stories merging gold stories\n", nsp, nme
            ns = 0; nm = 0
            if (!events) exit
            for (e in esplit) if (esplit[e] > 1) ns++
            for (q in emerge) if (emerge[q] > 1) { nm++; if (nm <= 6) printf "  merge  found event %s holds gold events%s\n", q, emembers[q] }
            printf "  events: %d gold events split, %d found events merging gold events\n", ns, nm
        }' "$2" "$3"
}

: >"$out/rows.tsv"
printf '%-9s %-8s %5s %4s  %5s %5s  %6s %6s %6s   %5s %5s  %6s %6s %6s\n' set order arts miss \
    gold found "st-P" "st-R" "st-F1" gold found "ev-P" "ev-R" "ev-F1"

# ECB+ as JSON Lines.
jsonl="$corpus/ecbplus/articles.jsonl"
gold="$corpus/ecbplus/gold.tsv"
add_input jsonl "$jsonl"
score ecb-jsonl file "$gold"
i=1
while [ "$i" -le "$k" ]; do
    shuffle "$i" <"$jsonl" >"$out/order.jsonl"
    add_input jsonl "$out/order.jsonl"
    score ecb-jsonl "seed$i" "$gold"
    i=$((i + 1))
done

# ECB+ as .txt files.
find "$corpus/ecbplus/articles" -name '*.txt' | LC_ALL=C sort >"$out/files.txt"
rm -f "$db" "$db-wal" "$db-shm"
"$b/newsdesk" --db "$db" add "$corpus/ecbplus/articles" >/dev/null 2>"$out/add.err" || true
score ecb-txt file "$gold"
i=1
while [ "$i" -le "$k" ]; do
    shuffle "$i" <"$out/files.txt" >"$out/order.txt"
    add_input list "$out/order.txt"
    score ecb-txt "seed$i" "$gold"
    i=$((i + 1))
done

# MEANTIME, converted now.
"$b/meantime_jsonl" "$corpus/meantime" "$out/meantime-gold.tsv" >"$out/meantime.jsonl" \
    2>/dev/null
add_input jsonl "$out/meantime.jsonl"
score meantime file "$out/meantime-gold.tsv"
i=1
while [ "$i" -le "$k" ]; do
    shuffle "$i" <"$out/meantime.jsonl" >"$out/order.jsonl"
    add_input jsonl "$out/order.jsonl"
    score meantime "seed$i" "$out/meantime-gold.tsv"
    i=$((i + 1))
done

echo
echo "B-cubed F1 over all orders (file order and $k random):"
awk -F '\t' '{
        n[$1]++; s[$1] += $11; e[$1] += $22
        if (!($1 in smin) || $11 < smin[$1]) smin[$1] = $11
        if (!($1 in emin) || $22 < emin[$1]) emin[$1] = $22
        if (!($1 in first)) { first[$1] = NR; order[++m] = $1 }
    }
    END {
        for (j = 1; j <= m; j++) {
            x = order[j]
            if (x == "meantime")
                printf "  %-9s story mean %.4f min %.4f   event -\n", x, s[x] / n[x], smin[x]
            else
                printf "  %-9s story mean %.4f min %.4f   event mean %.4f min %.4f\n", x,
                       s[x] / n[x], smin[x], e[x] / n[x], emin[x]
        }
    }' "$out/rows.tsv"

echo
echo "Errors in file order:"
for set in ecb-jsonl ecb-txt meantime; do
    echo "$set:"
    g="$gold"
    [ "$set" = meantime ] && g="$out/meantime-gold.tsv"
    errors "$set" "$g" "$out/pred-$set-file.tsv"
done
