#!/usr/bin/env bash
# Golden-output tests of the newsdesk command-line tool.
#
#   golden.sh NEWSDESK SOURCE_DIR [CORPUS_DIR]
#
# Runs commands over examples/ into a temporary store and compares, for each case, stdout,
# stderr and the exit status with tests/cli/expected/<case>.out. With UPDATE=1 the expected
# files are rewritten from the current output instead (review the diff before committing).
#
# Outputs are made deterministic: commands run from SOURCE_DIR with relative paths, the
# temporary folder is printed as $TMP, and timings and the store's file size are dropped.
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 NEWSDESK SOURCE_DIR [CORPUS_DIR]" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
corpus=${3:-}
expected="$src/tests/cli/expected"
update=${UPDATE:-0}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ndgolden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
actual="$tmp/actual"
mkdir -p "$actual"
[ "$update" = 1 ] && mkdir -p "$expected"

cd "$src" || exit 1
export NEWSDESK_DB="$tmp/golden.db"
unset ND_CORPUS
export LC_ALL=C.UTF-8
failed=0
passed=0
names=()

# Replaces what changes from run to run: the temporary folder, timings, the file size.
normalize() {
    sed -e "s|$tmp|\$TMP|g" \
        -e 's/ ([0-9][0-9.]* s)$/ (T s)/' \
        -e '/^file_bytes /d' \
        -e 's/"file_bytes": [0-9]*/"file_bytes": N/' \
        -e 's/"seconds": [0-9.e+-]*/"seconds": T/'
}

# case_ NAME [FILTER] -- ARGS...: runs `newsdesk ARGS` and records stdout, stderr and the exit
# status in $actual/NAME.out. FILTER (optional) is a command stdout is piped through; run_dir
# (optional, from the environment) is the folder to run in.
case_() {
    local name=$1
    shift
    local filter=cat
    if [ "$1" != "--" ]; then
        filter=$1
        shift
    fi
    shift # --
    names+=("$name")
    local out="$actual/$name.out"
    {
        printf '$ newsdesk'
        printf ' %q' "$@"
        printf '\n'
    } | normalize >"$out"
    (cd "${run_dir:-.}" && exec "$bin" "$@") >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
    local rc=$?
    $filter <"$tmp/stdout" | normalize >>"$out"
    if [ -s "$tmp/stderr" ]; then
        echo "--- stderr" >>"$out"
        normalize <"$tmp/stderr" >>"$out"
    fi
    echo "--- exit $rc" >>"$out"
}

# The add summary in TSV without its seconds column.
tsv_no_seconds() { cut -f1-4; }
# stats in TSV without the file size column (10th).
tsv_no_file_bytes() { cut -f1-9,11-; }

# ---- help --------------------------------------------------------------------------------
case_ help -- --help
for c in add ls show stats eval; do
    case_ "help-$c" -- "$c" --help
done
case_ help-via-command -- help show

# ---- add ---------------------------------------------------------------------------------
case_ add-ledger tsv_no_seconds -- add --format tsv --outlet "Harbour Ledger" \
    examples/ledger-gate.txt examples/ledger-evacuation.txt
case_ add-courier tsv_no_seconds -- add --format tsv --outlet "Seld Valley Courier" \
    examples/courier-gate.txt
case_ add-wire tsv_no_seconds -- --format tsv add --outlet "Coastline Wire" --date 2025-11-11 \
    examples/wire-gate.txt
# JSON Lines bring their own outlet (source_domain), date and url.
case_ add-wire-jsonl tsv_no_seconds -- add --format tsv examples/wire.jsonl
case_ add-northgate tsv_no_seconds -- add --format tsv --outlet "Northgate Daily" \
    --date "November 12, 2025" examples/northgate-gate.txt
case_ add-radio tsv_no_seconds -- add --format tsv --outlet "Radio Marrow" \
    examples/radio-evacuation.txt
# The whole folder again: nothing new, the README is skipped and named (-v).
case_ add-folder-again -- add -v examples
case_ add-json-summary -- add --format json examples/wire-gate.txt

# ---- reading -----------------------------------------------------------------------------
case_ ls -- ls
case_ ls-json -- ls --format json
case_ ls-tsv -- ls --format tsv
case_ ls-outlet-limit -- ls --outlet "harbour ledger" --limit 1
case_ show-ledger-gate -- show ledger-gate
case_ show-ledger-gate-json -- show ledger-gate --format json
case_ show-courier-gate -- show courier-gate
case_ show-courier-gate-json -- show --format=json courier-gate
case_ show-wire-tsv-raw -- show --format tsv --raw coastline-1125-evacuation
case_ reuse -- reuse
case_ reuse-tsv -- reuse --format tsv
case_ reuse-json-id -- reuse --format json northgate-gate
case_ show-wire-gate-reuse -- show --reuse wire-gate
case_ help-reuse -- reuse --help
case_ stats -- stats
case_ stats-tsv tsv_no_file_bytes -- stats --format tsv
case_ stats-json -- stats --format json

# ---- errors ------------------------------------------------------------------------------
case_ add-missing-path -- add examples/no-such-file.txt
case_ add-missing-and-good -- add examples/no-such-file.txt examples/wire-gate.txt
case_ show-unknown -- show no-such-article
case_ reuse-unknown -- reuse no-such-article
case_ unknown-command -- frobnicate
case_ unknown-option -- ls --colour
case_ bad-format -- ls --format xml
case_ bad-batch -- add --batch 0 examples
case_ bad-max-bytes -- add --max-bytes 12X examples
case_ bad-date -- add --date "not a date" examples/wire-gate.txt
case_ id-without-stdin -- add --id x examples/wire-gate.txt
case_ no-input -- add
case_ ls-no-store -- --db "$tmp/none.db" ls
printf 'this is not a database\n' >"$tmp/notastore.db"
case_ ls-not-a-store -- --db "$tmp/notastore.db" ls
case_ add-not-a-store -- add --db "$tmp/notastore.db" examples/wire-gate.txt

# A bad JSON line between two good ones, read from the temporary folder by a relative name.
mkdir -p "$tmp/in"
{
    printf '%s\n' '{"id": "good-1", "title": "Ferry service resumes", "maintext": "The harbour ferry ran again on Friday after a week of repairs. Passengers said the crossing was calm."}'
    printf '%s\n' '{"id": "broken", "title": "Half a line", "maintext": "This record ends too soon'
    printf '%s\n' '{"id": "good-2", "title": "Fish market reopens", "maintext": "Traders returned to the fish market on Saturday. The hall had been closed since the flood."}'
} >"$tmp/in/bad.jsonl"
run_dir="$tmp/in" case_ add-bad-json-line -- --db "$tmp/in.db" add bad.jsonl

# ---- eval on a small gold file written for the examples ----------------------------------
case_ eval-examples -- eval sentences --gold tests/cli/data/sentences.tsv --articles examples
case_ eval-examples-tsv -- eval sentences --format tsv --gold tests/cli/data/sentences.tsv \
    --articles examples
case_ eval-missing-gold -- eval sentences --gold tests/cli/data/none.tsv --articles examples

# ---- compare -----------------------------------------------------------------------------
for name in "${names[@]}"; do
    got="$actual/$name.out"
    want="$expected/$name.out"
    if [ "$update" = 1 ]; then
        cp "$got" "$want"
        continue
    fi
    if [ ! -f "$want" ]; then
        echo "FAIL $name: no expected output $want (run with UPDATE=1 to create it)"
        failed=$((failed + 1))
    elif ! diff -u --label "expected/$name.out" --label "actual/$name.out" "$want" "$got"; then
        echo "FAIL $name"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done

# Expected files that no case produces any more are stale.
if [ "$update" != 1 ] && [ -d "$expected" ]; then
    for f in "$expected"/*.out; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .out)
        found=0
        for name in "${names[@]}"; do [ "$name" = "$n" ] && found=1 && break; done
        if [ $found = 0 ]; then
            echo "FAIL stale expected file $f (no case named $n)"
            failed=$((failed + 1))
        fi
    done
fi

# ---- the real gold data: not golden (scores move with the splitter), only that it runs --
if [ -n "$corpus" ] && [ -f "$corpus/ecbplus/sentences.tsv" ]; then
    if ND_CORPUS="$corpus" "$bin" eval sentences --format tsv >"$tmp/eval.tsv" 2>"$tmp/eval.err" &&
        [ "$(head -1 "$tmp/eval.tsv" | cut -f1)" = articles ] &&
        [ "$(sed -n 2p "$tmp/eval.tsv" | cut -f1)" -gt 900 ]; then
        passed=$((passed + 1))
    else
        echo "FAIL eval sentences on $corpus:"
        cat "$tmp/eval.tsv" "$tmp/eval.err"
        failed=$((failed + 1))
    fi
fi

if [ "$update" = 1 ]; then
    echo "updated ${#names[@]} expected files in $expected"
    exit 0
fi
echo "cli golden: $passed passed, $failed failed"
[ $failed = 0 ]
