#!/usr/bin/env bash
# Airlock's benchmark: one command, figures printed.
#   1. brokered open+close through Airlock from Java (java.io FileInputStream on a file only the
#      policy grants, by a DIR/* grant that the kernel cannot carry) against the C floor of
#      bench/fdpass_floor.c, in the same run, unpinned and with everything on CPU 0;
#   2. start-up: wall time of plain `java -cp . Hello`, of `airlock run --policy P -- -cp . Hello`
#      and of the drop-in `java -javaagent:airlock.jar=policy=P -cp . Hello` (median of N each, in
#      the same run), each sandboxed figure also as a ratio against plain java.
#   3. brokered TCP connect+close from Java (bench/NetBench.java, a policy granting the port) against
#      the same plain connect+close from Java and the C floor of bench/connect_floor.c, in the same
#      run, to a loopback server started here; and requests per second of a small HTTP exchange over
#      one kept-alive connection, sandboxed against plain (once connected the socket is the
#      program's own: the ratio should be 1.00 within noise).
#   4. UDP (bench/UdpBench.java): 64-byte unconnected sends, each brokered (SEND_DATAGRAM), against
#      the same plain Java sends, and connected writes on the program's own socket against plain
#      (the ratio should be 1.00 within noise), to a loopback sink started here.
#   After 2: the start-up timeline of the same Hello run (AIRLOCK_TIMELINE=1): each phase mark of
#   the broker and the helper, in milliseconds since the broker's process start, as the median over
#   STARTUP_RUNS runs of that mark alone (so the medians need not add up), in the order of the
#   medians. BENCH_ONLY=timeline bench/run.sh [ITERATIONS] [STARTUP_RUNS] prints only it.
#   After 1: the cost of the audit log on the same brokered open, audit off / denials only
#   (--audit FILE) / every decision (--audit FILE --audit-allowed), as ratios against audit off in
#   the same run: AUDIT_RUNS rounds (default 5) of the three alternating, each one's median. Two
#   `nice -n 19` busy loops keep both vCPUs awake while it runs (AUDIT_AWAKE=0: not): this guest
#   halts an idle vCPU at once, so on a quiet machine a writer thread that keeps one awake makes a
#   brokered open faster, and the ratio would show the idle state instead of the audit's work.
#   BENCH_ONLY=audit bench/run.sh [ITERATIONS] stops after it.
#   5. concurrency (bench/ConcurrentOpenBench.java): the same brokered open+close from T threads at
#      once (T in CONC_THREADS, default 1,2,4,8,16; the DIR/* grant of 1, so every open is the
#      broker's), sandboxed and plain java alternating, CONC_RUNS rounds (default 3) of
#      CONC_SECONDS counted per T (default 1) after CONC_WARMUP not counted (default 0.25): per T
#      the medians of throughput and of the p50 and p99 latency of one open+close, the ratio
#      sandboxed/plain of the throughputs, the speedup of the throughput at T over the first T (the
#      median of each round's, both from one JVM), and p99/p50 (of the medians).
#      BENCH_ONLY=concurrency bench/run.sh prints only it (about a minute at the defaults).
#   6. memory: the peak resident memory (VmHWM) of the broker and of the helper for
#      `airlock run --policy P -- -cp . Hello`, against plain `java -cp . Hello`, each read every
#      5 ms until the process is gone (why so: at memory() below), median of MEM_RUNS (default 5),
#      as MiB and ratios; and the broker's resident memory (VmRSS) after MEM_WARM brokered opens
#      (default 20000) and after MEM_MORE more (default 200000), read after each of MEM_STEPS equal
#      steps of those (default 4; bench/LongOpenBench.java pauses at each point), to show whether
#      serving opens makes it grow, and whether it levels off. BENCH_ONLY=memory prints only it.
#   7. javac of a generated 300-file project outside and inside the sandbox (bench/javac.sh, which
#      says how), JAVAC_RUNS interleaved pairs (default 3): the medians and their ratio.
#      BENCH_ONLY=javac prints only it.
#   Section 2 also times `airlock --help` alone (the broker's JVM and Picocli, no helper), as a
#   ratio against the same plain java Hello.
# Usage: bench/run.sh [ITERATIONS] [STARTUP_RUNS] [CONNECTS] [HTTP_SECONDS] [DATAGRAMS]
#   (defaults 50000, 15, 5000, 5, 20000)
# Needs: a built airlock.jar (mvn -B -DskipTests package) and gcc; section 6 reads /proc/PID/status.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
iterations=${1:-50000}
runs=${2:-15}
connects=${3:-5000}
http_seconds=${4:-5}
datagrams=${5:-20000}
sink_pid=
java=${JAVA:-java}
floor_src=$repo/bench/fdpass_floor.c
work=$(mktemp -d /tmp/airlock-bench-XXXXXX)
server_pid=
awake_pids=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; [ -n "$awake_pids" ] && kill $awake_pids 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"

[ -f dist/target/airlock.jar ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
gcc -O2 -o "$work/fdpass_floor" "$floor_src"
gcc -O2 -o "$work/connect_floor" "$repo/bench/connect_floor.c"
javac -d "$work/classes" bench/OpenCloseBench.java bench/Hello.java bench/NetBench.java bench/UdpBench.java \
  bench/ConcurrentOpenBench.java bench/LongOpenBench.java
mkdir -p "$work/data"
echo "a granted file" > "$work/data/granted.txt"
chmod -R a+rX "$work"
# DIR/* (the directory's files, not beneath): a grant Landlock cannot carry, so every open is the
# broker's; a single file or DIR/- read grant is a kernel rule and would measure a direct open.
printf 'grant { permission java.io.FilePermission "%s/data/*", "read"; };\n' "$work" > "$work/bench.policy"

value() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median_of() { sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The start-up timeline: every mark's median over $runs runs, after one run not counted.
timeline() {
  echo "== start-up timeline: median of $runs runs per mark, ms since the broker's process start (AIRLOCK_TIMELINE=1 airlock run ... Hello)"
  AIRLOCK_TIMELINE=1 bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" Hello > /dev/null 2>&1
  : > "$work/timeline"
  for ((i = 0; i < runs; i++)); do
    AIRLOCK_TIMELINE=1 bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" Hello 2>> "$work/timeline" > /dev/null
  done
  # "airlock-timeline SIDE MS ms MARK": sorted by mark, then time; each mark's median; in the order of the medians.
  awk '$1 == "airlock-timeline" && $4 == "ms" { print $2 "/" $5, $3 }' "$work/timeline" | sort -k1,1 -k2,2n |
    awk 'function emit() { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "%.1f %s %d\n", m, key, n }
         { if ($1 != key) { if (key != "") emit(); key = $1; n = 0 } v[++n] = $2 }
         END { if (key != "") emit() }' |
    sort -n | awk -v runs="$runs" '{ split($2, k, "/"); printf "%9.1f ms  %-6s %-21s (in %d of %d runs)\n", $1, k[1], k[2], $3, runs }'
}
# 5. Brokered opens from many threads at once: ConcurrentOpenBench runs every T in one JVM (one
# start-up, one warm-up), sandboxed and plain alternating by round; the figures are medians over
# the rounds of each T's line, so one round slowed down by other work on the machine counts once.
conc_seconds=${CONC_SECONDS:-1}
conc_warmup=${CONC_WARMUP:-0.25}
conc_runs=${CONC_RUNS:-3}
conc_threads=${CONC_THREADS:-1,2,4,8,16}
concurrency() {
  echo "== concurrency: brokered open+close from T threads at once (java.io FileInputStream, the DIR/* grant of the first section), ${conc_seconds}s counted per T after ${conc_warmup}s not, airlock and plain java alternating, median of $conc_runs rounds"
  : > "$work/conc"
  local round mode
  for ((round = 1; round <= conc_runs; round++)); do
    for mode in airlock java; do
      local cmd=("$java")
      [ "$mode" = airlock ] && cmd=(bin/airlock run --policy "$work/bench.policy" --)
      "${cmd[@]}" -cp "$work/classes" ConcurrentOpenBench "$work/data/granted.txt" "$conc_seconds" "$conc_warmup" "$conc_threads" |
        sed "s/^/round=$round mode=$mode /" >> "$work/conc"
    done
    awk -v round="round=$round" '$1 == round { sub(/threads=/, "", $3); sub(/opens_per_s=/, "", $4); t[$2] = t[$2] sep[$2] $3; o[$2] = o[$2] sep[$2] $4; sep[$2] = "," }
      END { printf "%s threads=%s airlock_opens_per_s=%s java_opens_per_s=%s\n", round, t["mode=airlock"], o["mode=airlock"], o["mode=java"] }' "$work/conc"
  done
  # One T's median of one field in one mode.
  conc_median() { awk -v mode="mode=$1" -v t="threads=$2" '$2 == mode && $3 == t' "$work/conc" | value "$3" | median_of; }
  # The median over the rounds of one round's throughput at T $2 over its throughput at T $3: both
  # from one JVM seconds apart, so a round slowed down as a whole does not move it.
  conc_speedup() {
    awk -v mode="mode=$1" -v t="threads=$2" -v base="threads=$3" '$2 == mode && ($3 == t || $3 == base) { sub(/opens_per_s=/, "", $4); v[$1, $3] = $4; r[$1] = 1 }
      END { for (k in r) printf "%f\n", v[k, t] / v[k, base] }' "$work/conc" | median_of
  }
  local t first= ops p50 p99 jops jp50 jp99 speedup jspeedup at8= conc_list
  IFS=, read -ra conc_list <<< "$conc_threads"
  for t in "${conc_list[@]}"; do
    ops=$(conc_median airlock "$t" opens_per_s)
    p50=$(conc_median airlock "$t" p50_us)
    p99=$(conc_median airlock "$t" p99_us)
    jops=$(conc_median java "$t" opens_per_s)
    jp50=$(conc_median java "$t" p50_us)
    jp99=$(conc_median java "$t" p99_us)
    [ -z "$first" ] && first=$t
    speedup=$(conc_speedup airlock "$t" "$first")
    jspeedup=$(conc_speedup java "$t" "$first")
    printf 'threads=%s airlock_opens_per_s=%.0f java_opens_per_s=%.0f ratio=%s airlock_speedup_vs_T%s=%s java_speedup_vs_T%s=%s airlock_p50_us=%s airlock_p99_us=%s airlock_p99_p50=%s java_p50_us=%s java_p99_us=%s java_p99_p50=%s\n' \
      "$t" "$ops" "$jops" "$(ratio "$ops" "$jops")" "$first" "$speedup" "$first" "$jspeedup" \
      "$p50" "$p99" "$(ratio "$p99" "$p50")" "$jp50" "$jp99" "$(ratio "$jp99" "$jp50")"
    [ "$t" = 8 ] && at8="airlock_speedup_vs_T$first=$speedup (aim >= 2) airlock_p99_p50=$(ratio "$p99" "$p50") (aim <= 5)"
  done
  [ -n "$at8" ] && echo "target at 8 threads on $(nproc) cores: $at8"
  return 0
}

# 6. Memory. The figure is each process's VmHWM from /proc/PID/status: the peak of its resident
# set, which the kernel keeps itself (it never decreases; the kernel raises it before an unmap or a
# MADV_DONTNEED lowers the resident set), so one read is the true peak up to that moment and no
# peak between two reads is lost, as it would be by sampling VmRSS. The program is plain Hello:
# a pause before its exit, so as to read both processes while they live, would let the helper's
# background work go on (the agent's broker check, BrokerOpener, runs beside the program's start;
# a 300 ms pause grew the helper's peak by about 10 MiB, 1 s by 20) and measure more than Hello's
# run. So the script reads the VmHWM of the broker and of the helper (the broker's one java child;
# nobody when run as root) every 5 ms from their start until each is gone (an exited process has
# no VmHWM line), keeping the last read: that misses at most what a process adds in its last 5 ms.
# How much that is shows where GNU time is installed (/usr/bin/time), which wraps each run: its %M
# is the exact peak the kernel records at exit (wait4's ru_maxrss), but for the waited-for process
# and its waited-for descendants as one maximum, so for `airlock run` the larger of broker and
# helper, not each: it is printed beside the larger of the two reads, and beside plain java's.
# VmHWM counts every resident page, shared ones too (the JDK's libraries, class data sharing
# archives), the same way for plain java.
mem_runs=${MEM_RUNS:-5}
mem_warm=${MEM_WARM:-20000}
mem_more=${MEM_MORE:-200000}
mem_steps=${MEM_STEPS:-4}
gnu_time=
/usr/bin/time -f %M true > /dev/null 2>&1 && gnu_time=/usr/bin/time
# Sets kib to field $2 (VmHWM, VmRSS) of /proc/$1/status, in KiB; empty once the process is gone.
status_kib() {
  kib=
  local key val rest
  { while read -r key val rest; do
    [ "$key" = "$2:" ] && { kib=$val; break; }
  done; } 2> /dev/null < "/proc/$1/status" || true
}
# Sets child to the first child of $1 (of any of its threads) whose command is $2 (any if empty),
# or to nothing. Shell builtins only: it runs every 5 ms while sampling.
child_of() {
  child=
  local f c comm kids
  for f in /proc/"$1"/task/*/children; do
    kids=()
    { read -ra kids || :; } 2> /dev/null < "$f" || continue
    for c in "${kids[@]}"; do
      comm=
      { read -r comm || :; } 2> /dev/null < "/proc/$c/comm" || continue
      if [ -z "$2" ] || [ "$comm" = "$2" ]; then
        child=$c
        return 0
      fi
    done
  done
}
# A pause of $1 seconds without starting a process: a read that times out on fd 9, a FIFO no one
# writes to (opened by memory(); closed for every command it starts).
pause() { read -rt "$1" -u 9 _ || :; }
# Samples, every 5 ms until both are gone, the VmHWM of process $1 and, if $2 is given, of its
# child whose command is $2 once it has one; sets peak_root and peak_child (KiB) to the last reads.
sample_peaks() {
  local c= alive
  peak_root= peak_child=
  while :; do
    alive=
    status_kib "$1" VmHWM
    [ -n "$kib" ] && { peak_root=$kib; alive=yes; }
    if [ -n "${2:-}" ] && [ -z "$c" ] && [ -n "$alive" ]; then
      child_of "$1" "$2"
      c=$child
    fi
    if [ -n "$c" ]; then
      status_kib "$c" VmHWM
      [ -n "$kib" ] && { peak_child=$kib; alive=yes; }
    fi
    [ -z "$alive" ] && return 0
    pause 0.005
  done
}
# Runs "$@" in the background (under GNU time if there is one, its %M to $work/mem.time) and
# sets launched to the pid of "$@" itself.
launch() {
  : > "$work/mem.time"
  if [ -n "$gnu_time" ]; then
    "$gnu_time" -o "$work/mem.time" -f %M "$@" > /dev/null 9<&- &
    timed=$!
    local i
    for ((i = 0; i < 2000; i++)); do
      child_of "$timed" ""
      [ -n "$child" ] && break
      pause 0.001
    done
    launched=$child
  else
    "$@" > /dev/null 9<&- &
    timed=$!
    launched=$timed
  fi
}
# Waits (up to $3 seconds) until file $1 has at least $2 lines.
wait_lines() {
  local lines i
  for ((i = 0; i < $3 * 100; i++)); do
    mapfile -t lines < "$1"
    [ "${#lines[@]}" -ge "$2" ] && return 0
    pause 0.01
  done
  echo "bench: no line $2 in $1 after $3 s" >&2
  return 1
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
memory() {
  local time_note=
  [ -n "$gnu_time" ] && time_note="; beside, GNU time's %M: the exact peak at exit, for airlock run the larger of broker and helper"
  echo "== memory: peak resident set (VmHWM, read every 5 ms until exit) of the broker and the helper for airlock run --policy P -- -cp . Hello, against plain java -cp . Hello, median of $mem_runs runs each, alternating$time_note"
  rm -f "$work/tick"
  mkfifo "$work/tick"
  exec 9<> "$work/tick"
  # Not counted: the first of each (the broker's class data sharing archive is dumped by a first run).
  bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" Hello > /dev/null
  "$java" -cp "$work/classes" Hello > /dev/null
  local f round broker helper plain airlock_time java_time
  for f in broker helper both java; do : > "$work/mem.$f"; done
  for ((round = 1; round <= mem_runs; round++)); do
    launch bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" Hello
    sample_peaks "$launched" java
    wait "$timed"
    broker=$peak_root helper=$peak_child airlock_time=$(cat "$work/mem.time")
    launch "$java" -cp "$work/classes" Hello
    sample_peaks "$launched"
    wait "$timed"
    plain=$peak_root java_time=$(cat "$work/mem.time")
    [ -n "$broker" ] && [ -n "$helper" ] && [ -n "$plain" ] || { echo "bench: no VmHWM read (broker '$broker', helper '$helper', java '$plain')" >&2; return 1; }
    echo "$broker" >> "$work/mem.broker"
    echo "$helper" >> "$work/mem.helper"
    echo $((broker + helper)) >> "$work/mem.both"
    echo "$plain" >> "$work/mem.java"
    local larger=$((broker > helper ? broker : helper)) timed_figures=
    [ -n "$gnu_time" ] && timed_figures="time_airlock_run_mib=$(mib "$airlock_time") larger_read_mib=$(mib "$larger") time_java_mib=$(mib "$java_time")"
    echo "round=$round broker_peak_mib=$(mib "$broker") helper_peak_mib=$(mib "$helper") java_peak_mib=$(mib "$plain") $timed_figures"
  done
  local mb mh mboth mj
  mb=$(median_of < "$work/mem.broker")
  mh=$(median_of < "$work/mem.helper")
  mboth=$(median_of < "$work/mem.both")
  mj=$(median_of < "$work/mem.java")
  echo "median broker_peak_mib=$(mib "$mb") ratio_vs_java=$(ratio "$mb" "$mj") helper_peak_mib=$(mib "$mh") ratio_vs_java=$(ratio "$mh" "$mj")" \
    "broker_plus_helper_mib=$(mib "$mboth") ratio_vs_java=$(ratio "$mboth" "$mj") java_peak_mib=$(mib "$mj")"

  # The broker's serial collector first touches the pages of its young generation as it fills it
  # (eden was about 100 MiB with the default heap of a 24 GiB machine, 78% used and never collected
  # after 20,000 opens, by `jcmd PID GC.heap_info`), so the resident set rises until the first
  # collection and then stays: growth in the later steps would be memory the broker keeps.
  echo "== memory, long run: the broker's resident set (VmRSS) after $mem_warm brokered opens and after $mem_more more, read in $mem_steps steps (LongOpenBench pauses at each point); the helper's beside"
  rm -f "$work/ctl"
  mkfifo "$work/ctl"
  : > "$work/long.out"
  local counts=("$mem_warm") i step=$((mem_more / mem_steps))
  for ((i = 0; i < mem_steps; i++)); do counts+=("$step"); done
  bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" LongOpenBench "$work/data/granted.txt" "${counts[@]}" \
    < "$work/ctl" > "$work/long.out" 9<&- &
  broker=$!
  exec 3> "$work/ctl"
  local opens=0 first_rss= rss previous_rss= hrss line
  for ((i = 0; i <= mem_steps; i++)); do
    wait_lines "$work/long.out" $((i + 1)) 600
    if [ "$i" = 0 ]; then
      child_of "$broker" java
      helper=$child
    fi
    status_kib "$broker" VmRSS; rss=$kib
    status_kib "$helper" VmRSS; hrss=$kib
    opens=$((opens + counts[i]))
    line="opens=$opens broker_rss_mib=$(mib "$rss") helper_rss_mib=$(mib "$hrss")"
    [ -n "$previous_rss" ] && line="$line broker_growth_this_step_mib=$(mib $((rss - previous_rss)))"
    echo "$line"
    [ -z "$first_rss" ] && first_rss=$rss
    previous_rss=$rss
    echo >&3
  done
  status_kib "$broker" VmHWM
  echo "broker_rss_mib_after_$mem_warm=$(mib "$first_rss") broker_rss_mib_after_$opens=$(mib "$rss") growth_mib=$(mib $((rss - first_rss)))" \
    "ratio=$(ratio "$rss" "$first_rss") broker_peak_mib=$(mib "$kib")"
  exec 3>&- 9<&-
  wait "$broker"
}

# javac of a 300-file project outside and inside the sandbox: bench/javac.sh, which says how.
javac_build() {
  echo "== javac of a 300-file project, sandboxed against plain, interleaved (bench/javac.sh ${JAVAC_RUNS:-3})"
  JAVA="$java" bench/javac.sh "${JAVAC_RUNS:-3}"
}

case "${BENCH_ONLY:-}" in
  javac)
    javac_build
    exit 0
    ;;
  timeline | concurrency | memory)
    "$BENCH_ONLY"
    exit 0
    ;;
esac

echo "== brokered open+close, $iterations iterations (airlock: java.io FileInputStream; floor: C over SEQPACKET + SCM_RIGHTS)"
for pin in none cpu0; do
  prefix=()
  [ "$pin" = cpu0 ] && prefix=(taskset -c 0)
  floor=$("${prefix[@]}" "$work/fdpass_floor" "$work/data/granted.txt" "$iterations" | value brokered_open_close_us)
  airlock=$("${prefix[@]}" bin/airlock run --policy "$work/bench.policy" -- -cp "$work/classes" OpenCloseBench "$work/data/granted.txt" "$iterations" | value open_close_us)
  direct=$("${prefix[@]}" "$java" -cp "$work/classes" OpenCloseBench "$work/data/granted.txt" "$iterations" | value open_close_us)
  echo "pin=$pin airlock_brokered_us=$airlock c_floor_brokered_us=$floor ratio_vs_floor=$(ratio "$airlock" "$floor") java_direct_us=$direct"
done

audit_runs=${AUDIT_RUNS:-5}
if [ "${AUDIT_AWAKE:-1}" = 1 ]; then
  for _ in 1 2; do nice -n 19 sh -c 'while :; do :; done' & awake_pids="$awake_pids $!"; done
  echo "(two nice -n 19 busy loops keep the vCPUs awake during this section; AUDIT_AWAKE=0 to leave them out)"
fi
echo "== audit cost: the same brokered open+close, $iterations iterations, audit off / denials only (--audit FILE) / all decisions (--audit FILE --audit-allowed), alternating, median of $audit_runs rounds"
audit_bench() { bin/airlock run "$@" --policy "$work/bench.policy" -- -cp "$work/classes" OpenCloseBench "$work/data/granted.txt" "$iterations" | value open_close_us; }
: > "$work/audit.off"; : > "$work/audit.denials"; : > "$work/audit.all"
for ((round = 1; round <= audit_runs; round++)); do
  rm -f "$work/denials.audit" "$work/all.audit"
  off=$(audit_bench)
  denials=$(audit_bench --audit "$work/denials.audit")
  all=$(audit_bench --audit "$work/all.audit" --audit-allowed)
  echo "$off" >> "$work/audit.off"; echo "$denials" >> "$work/audit.denials"; echo "$all" >> "$work/audit.all"
  echo "round=$round audit_off_us=$off audit_denials_us=$denials audit_all_us=$all audit_all_lines=$(wc -l < "$work/all.audit")"
done
audit_off=$(median_of < "$work/audit.off")
audit_denials=$(median_of < "$work/audit.denials")
audit_all=$(median_of < "$work/audit.all")
echo "median audit_off_us=$audit_off audit_denials_us=$audit_denials ratio=$(ratio "$audit_denials" "$audit_off")" \
  "audit_all_us=$audit_all ratio=$(ratio "$audit_all" "$audit_off")"
if [ -n "$awake_pids" ]; then kill $awake_pids 2>/dev/null; wait $awake_pids 2>/dev/null || true; awake_pids=; fi
[ "${BENCH_ONLY:-}" = audit ] && exit 0

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
help=$(median_ms bin/airlock --help)
echo "java_hello_ms=$plain airlock_run_hello_ms=$sandboxed airlock_run_ratio=$(ratio "$sandboxed" "$plain")" \
  "javaagent_hello_ms=$dropin javaagent_ratio=$(ratio "$dropin" "$plain")" \
  "airlock_help_ms=$help airlock_help_ratio=$(ratio "$help" "$plain")"
timeline

echo "== brokered connect+close, $connects iterations (airlock and plain: java.net.Socket; floor: C over SEQPACKET + SCM_RIGHTS), and HTTP over one kept-alive connection for ${http_seconds}s"
"$java" -cp "$work/classes" NetBench serve "$work/port" &
server_pid=$!
for ((i = 0; i < 100; i++)); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
printf 'grant { permission java.net.SocketPermission "127.0.0.1:%s", "connect"; };\n' "$port" > "$work/net.policy"
chmod a+r "$work/net.policy"
floor=$("$work/connect_floor" "$port" "$connects" | value brokered_connect_close_us)
airlock=$(bin/airlock run --policy "$work/net.policy" -- -cp "$work/classes" NetBench connect "$port" "$connects" | value connect_close_us)
direct=$("$java" -cp "$work/classes" NetBench connect "$port" "$connects" | value connect_close_us)
echo "airlock_connect_close_us=$airlock java_direct_connect_close_us=$direct ratio_vs_java=$(ratio "$airlock" "$direct") c_floor_brokered_us=$floor ratio_vs_floor=$(ratio "$airlock" "$floor")"
plain_rps=$("$java" -cp "$work/classes" NetBench http "$port" "$http_seconds" | value http_rps)
airlock_rps=$(bin/airlock run --policy "$work/net.policy" -- -cp "$work/classes" NetBench http "$port" "$http_seconds" | value http_rps)
echo "java_http_rps=$plain_rps airlock_http_rps=$airlock_rps ratio=$(ratio "$airlock_rps" "$plain_rps")"

echo "== UDP: $datagrams datagrams of 64 bytes each way (airlock and plain: DatagramChannel), unconnected (brokered) and connected (the program's own socket)"
"$java" -cp "$work/classes" UdpBench sink "$work/udp-port" &
sink_pid=$!
for ((i = 0; i < 100; i++)); do [ -s "$work/udp-port" ] && break; sleep 0.1; done
udp_port=$(cat "$work/udp-port")
printf 'grant { permission java.net.SocketPermission "localhost:0", "listen"; permission java.net.SocketPermission "127.0.0.1:%s", "connect,accept"; };\n' "$udp_port" > "$work/udp.policy"
chmod a+r "$work/udp.policy"
plain_send=$("$java" -cp "$work/classes" UdpBench send "$udp_port" "$datagrams" | value send_us)
airlock_send=$(bin/airlock run --policy "$work/udp.policy" -- -cp "$work/classes" UdpBench send "$udp_port" "$datagrams" | value send_us)
plain_write=$("$java" -cp "$work/classes" UdpBench write "$udp_port" "$datagrams" | value send_us)
airlock_write=$(bin/airlock run --policy "$work/udp.policy" -- -cp "$work/classes" UdpBench write "$udp_port" "$datagrams" | value send_us)
echo "java_unconnected_send_us=$plain_send airlock_unconnected_send_us=$airlock_send ratio=$(ratio "$airlock_send" "$plain_send")" \
  "java_connected_write_us=$plain_write airlock_connected_write_us=$airlock_write ratio=$(ratio "$airlock_write" "$plain_write")"

concurrency
memory
javac_build
