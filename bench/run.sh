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
#   the same run: AUDIT_RUNS rounds (default 5) of the three alternating, each one's median.
#   BENCH_ONLY=audit bench/run.sh [ITERATIONS] stops after it.
# Usage: bench/run.sh [ITERATIONS] [STARTUP_RUNS] [CONNECTS] [HTTP_SECONDS] [DATAGRAMS]
#   (defaults 50000, 15, 5000, 5, 20000)
# Needs: a built airlock.jar (mvn -B -DskipTests package) and gcc.
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
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"

[ -f dist/target/airlock.jar ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
gcc -O2 -o "$work/fdpass_floor" "$floor_src"
gcc -O2 -o "$work/connect_floor" "$repo/bench/connect_floor.c"
javac -d "$work/classes" bench/OpenCloseBench.java bench/Hello.java bench/NetBench.java bench/UdpBench.java
mkdir -p "$work/data"
echo "a granted file" > "$work/data/granted.txt"
chmod -R a+rX "$work"
# DIR/* (the directory's files, not beneath): a grant Landlock cannot carry, so every open is the
# broker's; a single file or DIR/- read grant is a kernel rule and would measure a direct open.
printf 'grant { permission java.io.FilePermission "%s/data/*", "read"; };\n' "$work" > "$work/bench.policy"

value() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

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
if [ "${BENCH_ONLY:-}" = timeline ]; then
  timeline
  exit 0
fi

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
echo "== audit cost: the same brokered open+close, $iterations iterations, audit off / denials only (--audit FILE) / all decisions (--audit FILE --audit-allowed), alternating, median of $audit_runs rounds"
median_of() { sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
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
echo "java_hello_ms=$plain airlock_run_hello_ms=$sandboxed airlock_run_ratio=$(ratio "$sandboxed" "$plain")" \
  "javaagent_hello_ms=$dropin javaagent_ratio=$(ratio "$dropin" "$plain")"
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
