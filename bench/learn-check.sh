#!/usr/bin/env bash
# Learns a policy for a program with `airlock learn`, runs it under the learnt policy (zero denials,
# identical output), and shows that removing any one grant line makes the run fail.
# Usage: bench/learn-check.sh WORKDIR POLICY-OUT RESET-COMMAND OUTPUT-COMMAND -- JAVA-ARGS
#   RESET-COMMAND restores WORKDIR before each run (e.g. removes the output directory);
#   OUTPUT-COMMAND prints what the run produced (compared between runs).
set -euo pipefail
airlock=${AIRLOCK:-$(dirname "$0")/../bin/airlock}
work=$1 policy=$2 reset=$3 output=$4
shift 4
[ "$1" = "--" ] && shift
cd "$work"
scratch=$(mktemp -d /tmp/learn-check.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
rm -f "$policy"
eval "$reset"
"$airlock" learn --output "$policy" -- "$@" > $scratch/out
expected=$( (cat $scratch/out; eval "$output") | sha256sum)
eval "$reset"
"$airlock" run --policy "$policy" -- "$@" > $scratch/out 2> $scratch/err
got=$( (cat $scratch/out; eval "$output") | sha256sum)
if grep -q "denied" $scratch/err || [ "$got" != "$expected" ]; then
    echo "FAIL: the run under the learnt policy differs or was denied"; cat $scratch/err; exit 1
fi
echo "OK: the learnt policy runs the program with no denial and identical output"
grants=$(grep -n '^    permission ' "$policy" | cut -d: -f1)
total=0 failed=0
for line in $grants; do
    total=$((total + 1))
    sed "${line}d" "$policy" > "$policy.without"
    eval "$reset"
    if "$airlock" run --policy "$policy.without" -- "$@" > $scratch/out 2> $scratch/err \
            && [ "$( (cat $scratch/out; eval "$output") | sha256sum)" = "$expected" ]; then
        echo "NOT NEEDED: line $line: $(sed -n "${line}p" "$policy")"
    else
        failed=$((failed + 1))
    fi
done
rm -f "$policy.without"
echo "$failed of $total grants removed one at a time made the run fail"
[ "$failed" = "$total" ]
