#!/usr/bin/env bash
# airlock learn on two real programs fetched from Maven Central, each checked by
# bench/learn-check.sh (the learnt policy runs it with no denial and identical output, and without
# any one of its grant lines the run fails):
#   1. javac compiling the sources of a released Apache Commons component (commons-cli);
#   2. Apache Ant running a build file that reads a properties file, copies files, rewrites two of
#      them with <replace> (which writes a scratch file beside each and renames it over it), makes a
#      temporary file with <tempfile>, and writes a concatenation and a zip.
# Each learnt policy is printed. Usage: bench/learn-real.sh [WORKDIR] (default: a new directory
# under /tmp). Needs a built airlock.jar (mvn -B -DskipTests package) and Maven to fetch.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/airlock-learn-real.XXXXXX)}
m2=${MAVEN_REPO:-$HOME/.m2/repository}
cli=1.9.0 ant=1.10.15
mvn -B -q -Dstyle.color=never dependency:get -Dartifact=commons-cli:commons-cli:$cli:jar:sources
mvn -B -q -Dstyle.color=never dependency:get -Dartifact=org.apache.ant:ant:$ant
mvn -B -q -Dstyle.color=never dependency:get -Dartifact=org.apache.ant:ant-launcher:$ant

mkdir -p "$work/cli/src" "$work/ant/lib" "$work/ant/src/docs"
(cd "$work/cli/src" && unzip -qo "$m2/commons-cli/commons-cli/$cli/commons-cli-$cli-sources.jar" -x 'META-INF/*')
(cd "$work/cli" && find src -name '*.java' | sort > sources.txt)

cp "$m2/org/apache/ant/ant/$ant/ant-$ant.jar" "$m2/org/apache/ant/ant-launcher/$ant/ant-launcher-$ant.jar" "$work/ant/lib/"
printf 'project.version=2.4.1\nproject.vendor=Example Corp\n' > "$work/ant/build.properties"
printf 'Release notes for @VERSION@ by @VENDOR@\n' > "$work/ant/src/docs/NOTES.txt"
printf 'line one\nline two\n' > "$work/ant/src/docs/readme.txt"
cat > "$work/ant/build.xml" <<'EOF'
<project name="demo" default="dist" basedir=".">
  <property file="build.properties"/>
  <target name="dist">
    <mkdir dir="build/docs"/>
    <copy todir="build/docs"><fileset dir="src/docs"/></copy>
    <replace file="build/docs/NOTES.txt" token="@VERSION@" value="${project.version}"/>
    <replace file="build/docs/NOTES.txt" token="@VENDOR@" value="${project.vendor}"/>
    <tempfile property="manifest.tmp" destdir="${java.io.tmpdir}" prefix="manifest" suffix=".txt"
              createfile="true" deleteonexit="true"/>
    <echo file="${manifest.tmp}">Implementation-Version: ${project.version}${line.separator}</echo>
    <concat destfile="build/MANIFEST.txt">
      <filelist files="${manifest.tmp}"/>
      <fileset dir="build/docs" includes="*.txt"/>
    </concat>
    <zip destfile="build/demo-${project.version}.zip" basedir="build/docs" modificationtime="2026-01-01T00:00:00Z"/>
    <echo>built demo ${project.version}</echo>
  </target>
</project>
EOF
# As root the helper runs as nobody: it reads the class path (Ant's jars) itself.
chmod -R a+rX "$work"

echo "== javac of commons-cli $cli ($(wc -l < "$work/cli/sources.txt") files)"
"$repo/bench/learn-check.sh" "$work/cli" javac.policy 'rm -rf out' 'find out -type f | sort | xargs sha256sum' \
    -- -m jdk.compiler/com.sun.tools.javac.Main -nowarn -d out @sources.txt
cat "$work/cli/javac.policy"

echo "== Apache Ant $ant"
"$repo/bench/learn-check.sh" "$work/ant" ant.policy 'rm -rf build' 'find build -type f | sort | xargs sha256sum' \
    -- -cp "lib/ant-launcher-$ant.jar:lib/ant-$ant.jar" org.apache.tools.ant.Main -noinput -S -f build.xml
cat "$work/ant/ant.policy"
