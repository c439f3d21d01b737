#!/usr/bin/env bash
# Airlock's benchmark: one command, figures printed.
#   1. brokered open+close through Airlock from Java (java.io FileInputStream on a file only the
#      policy grants) against the C floor of bench/fdpass_floor.c, in the same run,
#      unpinned and with everything on CPU 0;
#   2. start-up: wall time of plain `java -cp . Hello`, of `airlock run --policy P -- -cp . Hello`
#      and of the drop-in `java -javaagent:airlock.jar=policy=P -cp . Hello` (median of N each, in
#      the same run), each sandboxed figure also as a ratio against plain java.
# Usage: bench/run.sh [ITERATIONS] [STARTUP_RUNS]   (defaults 50000 and 15)
# Needs: a built airlock.jar (mvn -B -DskipTests package) and gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
iterations=${1:-50000}
runs=${2:-15}
java=${JAVA:-java}
floor_src=$repo/bench/fdpass_floor.c
work=$(mktemp -d /tmp/airlock-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

[ -f dist/target/airlock.jar ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
gcc -O2 -o "$work/fdpass_floor" "$floor_src"
javac -d "$work/classes" bench/OpenCloseBench.java bench/Hello.java
mkdir -p "$work/data"
echo "a granted file" > "$work/data/granted.txt"
chmod -R a+rX "$work"
printf 'grant { permission java.io.FilePermission "%s/data/-", "read"; };\n' "$work" > "$work/bench.policy"

value() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== brokered open+close, $iterations iterations (airlock: java.io FileInputStream; floor: C over SEQPACKET + SCM_RIGHTS)"
for pin in none cpu0; do
  prefix=()
  [ "$pin" = cpu0 ] && prefix=(taskset -c 0)
  floor=$("${prefix[@]}" "$work/fdpass_floor" "$work/data/granted.txt" "$iterations" | value brokered_open_close_us)
  airlock=$("${prefix[@]}" bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" OpenCloseBench "$work/data/granted.txt" "$iterations" | value open_close_us)
  direct=$("${prefix[@]}" "$java" -cp "$work/classes" OpenCloseBench "$work/data/granted.txt" "$iterations" | value open_close_us)
  echo "pin=$pin airlock_brokered_us=$airlock c_floor_brokered_us=$floor ratio_vs_floor=$(ratio "$airlock" "$floor") java_direct_us=$direct"
done

echo "== start-up: median wall time of $runs runs each (Hello)"
median_ms() {
  local times=()
  for ((i = 0; i < runs; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" > /dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}
agent=$repo/dist/target/airlock.jar
# One warm-up run of each (the JDK's class data sharing archive, Airlock's transform cache).
"$java" -cp "$work/classes" Hello > /dev/null
bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" Hello > /dev/null
"$java" -javaagent:"$agent"=policy="$work/bench.policy" -cp "$work/classes" Hello > /dev/null
plain=$(median_ms "$java" -cp "$work/classes" Hello)
sandboxed=$(median_ms bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" Hello)
dropin=$(median_ms "$java" -javaagent:"$agent"=policy="$work/bench.policy" -cp "$work/classes" Hello)
echo "java_hello_ms=$plain airlock_run_hello_ms=$sandboxed airlock_run_ratio=$(ratio "$sandboxed" "$plain")" \
  "javaagent_hello_ms=$dropin javaagent_ratio=$(ratio "$dropin" "$plain")"
