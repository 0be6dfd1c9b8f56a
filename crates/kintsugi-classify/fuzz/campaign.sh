#!/bin/sh
# One fuzz campaign over one target (`analyze` or `redact`), as
# docs/CLASSIFIER.md ("Fuzzing") describes: build the target with libFuzzer
# instrumentation (no sanitizer, debug assertions on; the same flags as
# `cargo fuzz build -O -a -s none`), seed its corpus from the labelled
# corpus when it is empty, and run it as ONE process at the lowest priority.
#
#   fuzz/campaign.sh build TARGET        build target/…/release/TARGET
#   fuzz/campaign.sh run TARGET [RUNS]   run it (default 10,000,000 runs)
#
# No -fork: a child that passes the timeout can hang inside libFuzzer's
# timeout handler in fork mode. The timeout is large so slow units are not
# "timeouts"; slow inputs are found afterwards by replaying the corpus and
# the artifacts uninstrumented with the `slowest` example.
set -eu
cd "$(dirname "$0")"
what=${1:-}
target=${2:-}
case "$target" in
analyze | redact) ;;
*)
    echo "usage: $0 build|run analyze|redact [RUNS]" >&2
    exit 2
    ;;
esac
case "$what" in
build)
    RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing \
-Cdebug-assertions -Coverflow-checks" \
        exec nice -n 19 cargo build --release --target x86_64-unknown-linux-gnu --bin "$target"
    ;;
run)
    runs=${3:-10000000}
    mkdir -p "corpus/$target" "artifacts/$target"
    if [ -z "$(ls -A "corpus/$target")" ]; then
        # The commands of the labelled corpus (fourth column), one file each.
        for tsv in ../tests/corpus/*.tsv; do
            grep -v '^#' "$tsv" | cut -f4- | grep . || true
        done | awk -v dir="corpus/$target" '{ f = sprintf("%s/seed-%05d", dir, NR); printf "%s", $0 > f; close(f) }'
    fi
    exec nice -n 19 "target/x86_64-unknown-linux-gnu/release/$target" "corpus/$target" \
        -runs="$runs" -timeout=10 -max_len=1024 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/"
    ;;
*)
    echo "usage: $0 build|run analyze|redact [RUNS]" >&2
    exit 2
    ;;
esac
