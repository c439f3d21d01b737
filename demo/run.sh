#!/usr/bin/env bash
# Builds Airlock, then runs one ordinary Java program twice over the same two files: once plainly,
# once confined by Airlock under a policy that grants one of the files and not the other.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building Airlock (mvn -B -q -DskipTests package)"
mvn -B -q -DskipTests package

work=$(mktemp -d /tmp/airlock-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/public" "$work/private"
javac -d "$work/app" demo/ReadFiles.java
echo "the policy grants reading this file" > "$work/public/notes.txt"
echo "nobody was meant to read this" > "$work/private/secret.txt"
chmod -R a+rX "$work"
cat > "$work/demo.policy" <<POLICY
grant {
    permission java.io.FilePermission "$work/public/-", "read";
};
POLICY

echo
echo "== the policy ($work/demo.policy):"
sed 's/^/  /' "$work/demo.policy"
echo
echo "== without Airlock: java -cp app ReadFiles public/notes.txt private/secret.txt"
java -cp "$work/app" ReadFiles "$work/public/notes.txt" "$work/private/secret.txt"
echo
echo "== with Airlock: bin/airlock run --policy demo.policy -- -cp app ReadFiles public/notes.txt private/secret.txt"
bin/airlock run --policy "$work/demo.policy" -- -cp "$work/app" ReadFiles "$work/public/notes.txt" "$work/private/secret.txt"
