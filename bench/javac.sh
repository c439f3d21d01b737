#!/usr/bin/env bash
# Airlock on a real program not written for it: javac compiling a generated project of 300 sources
# in 15 packages (integration-tests/src/test/java/dev/airlock/it/JavacProject.java, the project
# JavacIT compiles), outside the sandbox and inside it with the sources granted read and the output
# granted write, interleaved (outside, inside, outside, inside, ...) so both see the same machine.
# After an untimed warm-up pair (which also prepares Airlock's cache for the JDK and checks that
# both outputs are byte-identical) prints the median wall time of each and their ratio.
# If javac fails inside the sandbox, prints its stderr, times only the outside runs, and exits 1.
# Usage: bench/javac.sh [RUNS]   (default 5)
# Needs: a built airlock.jar (mvn -B -DskipTests package). JAVA (default: java on PATH) is the JDK
# of both compiles; the helper runs it with --java.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
runs=${1:-5}
java=$(command -v "${JAVA:-java}")
work=$(mktemp -d /tmp/airlock-javac-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
# World-readable: as root the helper runs as nobody.
chmod 755 "$work"

[ -f dist/target/airlock.jar ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
"$java" integration-tests/src/test/java/dev/airlock/it/JavacProject.java "$work/src" > "$work/sources.txt"
mapfile -t sources < "$work/sources.txt"
# Both compiles run in an empty directory: without -cp, javac's class path is ".", and Airlock lets
# the helper read its class path directly, so "." must not hold the sources or the output.
mkdir "$work/cwd"
chmod -R a+rX "$work"
cat > "$work/javac.policy" <<EOF
grant {
  permission java.io.FilePermission "$work/src", "read";
  permission java.io.FilePermission "$work/src/-", "read";
  permission java.io.FilePermission "$work/out-inside", "read,write";
  permission java.io.FilePermission "$work/out-inside/-", "read,write,delete";
};
EOF
chmod 644 "$work/javac.policy"

# The sources are named on the command line, not in an @argfile, so nothing but javac reads the list.
javac_args() { printf '%s\n' -m jdk.compiler/com.sun.tools.javac.Main -d "$work/$1" -sourcepath "$work/src" "${sources[@]}"; }
mapfile -t outside_args < <(javac_args out-outside)
mapfile -t inside_args < <(javac_args out-inside)
outside() { (cd "$work/cwd" && "$java" "${outside_args[@]}"); }
inside() { (cd "$work/cwd" && "$repo/bin/airlock" run --java "$java" --policy "$work/javac.policy" -- "${inside_args[@]}"); }

# Runs one side into a fresh output directory; prints its wall time in microseconds.
timed() {
  local side=$1 t0 t1
  rm -rf "${work:?}/out-$side"
  mkdir -m 755 "$work/out-$side"
  t0=$(date +%s%N)
  "$side" > "$work/$side.out" 2> "$work/$side.err" || return 1
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000 ))
}
median_ms() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== javac ($("$java" -version 2>&1 | head -n 1)): ${#sources[@]} sources, median wall time of $runs runs each, interleaved"
timed outside > /dev/null || { echo "javac failed outside the sandbox:" >&2; cat "$work/outside.err" >&2; exit 1; }
classes=$(find "$work/out-outside" -type f | wc -l)
inside_ok=1
if ! timed inside > /dev/null; then
  inside_ok=0
  echo "javac FAILED inside the sandbox (its stderr follows); timing only outside"
  sed 's/^/  | /' "$work/inside.err"
elif ! diff -r "$work/out-outside" "$work/out-inside" > "$work/diff.txt"; then
  echo "the class files written inside the sandbox differ from those written outside:" >&2
  head -n 20 "$work/diff.txt" >&2
  exit 1
fi
echo "class_files=$classes identical_inside_and_outside=$([ "$inside_ok" = 1 ] && echo yes || echo n/a)"

outside_us=()
inside_us=()
for ((i = 1; i <= runs; i++)); do
  t=$(timed outside) || { echo "javac failed outside the sandbox on run $i:" >&2; cat "$work/outside.err" >&2; exit 1; }
  outside_us+=("$t")
  if [ "$inside_ok" = 1 ]; then
    t=$(timed inside) || { echo "javac failed inside the sandbox on run $i:" >&2; cat "$work/inside.err" >&2; exit 1; }
    inside_us+=("$t")
  fi
done

plain=$(median_ms "${outside_us[@]}")
if [ "$inside_ok" = 1 ]; then
  sandboxed=$(median_ms "${inside_us[@]}")
  echo "javac_ms=$plain airlock_javac_ms=$sandboxed ratio=$(ratio "$sandboxed" "$plain")"
else
  echo "javac_ms=$plain airlock_javac_ms=FAILED"
  exit 1
fi
