#!/usr/bin/env bash
# Packs trtfleet for a bare GPU host (see docs/gpu.md): classes, runtime jars (TF Java, JavaCPP presets),
# the sample model and Fashion-MNIST IDX files, split into 48 MiB parts under .gpu/appparts/aNN/part,
# plus the host-side scripts in .gpu/bin. Run from the project root after ../shared/gpu/stage.sh.
# Works on a fresh machine: Maven fetches what its cache lacks (the linux-x86_64 native jars included)
# and the Fashion-MNIST IDX files come from Debian's dataset-fashion-mnist.
set -euo pipefail
ROOT=$(pwd)
[ -d .git ] || { echo "run from the project root" >&2; exit 2; }
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true"
MVN=(mvn -B -q -ntp -Dstyle.color=never)
"${MVN[@]}" -pl jobs -am test-compile >&2
# jobs/target/classpath*.txt (the CLI's runtime jars) are written by `package`
[ -s jobs/target/classpath.txt ] || "${MVN[@]}" -pl jobs -am package -DskipTests -Dtrtfleet.skipSparkJar=true >&2
scripts/lib/install-fashion-mnist.sh
CPF=$(mktemp)
"${MVN[@]}" -pl core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CPF" >&2
B=$(mktemp -d)
mkdir -p "$B/app/lib" "$B/app/data"
cp -r core/target/classes "$B/app/classes"
cp -r core/target/test-classes "$B/app/test-classes"
# The CLI (trtfleet build/bench/verify): jobs and calibration-data classes, and their runtime jars (Parquet,
# Hadoop client, picocli) that core does not already bring.
cp -r jobs/target/classes "$B/app/jobs-classes"
cp -r calibration-data/target/classes "$B/app/caldata-classes"
# JUnit and the in-process HDFS are CPU-side test tools: not needed on the GPU host (ONNX Runtime is: CPU pools).
# Test tools of the CPU side (S3 on loopback, architecture rules) and other platforms' natives stay behind;
# so does the AWS SDK (the GPU runs use file:// stores).
SKIP='junit|opentest4j|apiguardian|minicluster|/com/tngtech/|/org/gaul/|/org/apache/jclouds/|/org/eclipse/jetty/|/software/amazon/|/com/amazonaws/|aarch_64|osx-|windows'
tr ':' '\n' < "$CPF" | grep -vE "$SKIP" | while read -r j; do cp "$j" "$B/app/lib/"; done
tr ':' '\n' < jobs/target/classpath.txt | grep -vE "trtfleet-|tensorflow-core-native|$SKIP" | while read -r j; do
  cp -n "$j" "$B/app/lib/"
done
# Parquet's zstd codec is provided by Spark on clusters; the CLI reads the zstd-compressed samples without Spark.
tr ':' '\n' < jobs/target/classpath-provided.txt | grep 'zstd-jni' | while read -r j; do cp -n "$j" "$B/app/lib/"; done
# With STAGE_SPARK=1 also Spark's jars (provided on clusters) and the jobs test classes: for the fleet
# run on a multi-GPU host (standalone Master and Worker from the same classpath, docs/fleet.md).
if [ "${STAGE_SPARK:-0}" = 1 ]; then
  # RocksDB (Spark's UI/history store) and other platforms' natives are not needed on an x86-64 host.
  tr ':' '\n' < jobs/target/classpath-provided.txt | grep -vE "trtfleet-|rocksdbjni|$SKIP" \
    | while read -r j; do cp -n "$j" "$B/app/lib/"; done
  cp -r jobs/target/test-classes "$B/app/jobs-test-classes"
  mkdir -p "$B/app/scripts" && cp scripts/discover-gpus.sh "$B/app/scripts/"
  # Spark 4.1 runs on netty 4.2; the 4.1 jars other test tools bring would shadow it (NoSuchMethodError).
  rm -f "$B"/app/lib/netty-*-4.1.*.Final*.jar
  # The bundle's JRE lacks jdk.security.auth, which Hadoop's login needs: a runtime that has it.
  JMODS=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/jmods
  jlink --add-modules java.se,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.zipfs,jdk.httpserver,jdk.security.auth,jdk.naming.dns,jdk.security.jgss \
    --module-path "$JMODS" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$B/app/jre"
fi
# The H200 fleet and registry (scripts/gpu/*.yaml, paths relative to conf/) and the CLI's log settings.
mkdir -p "$B/app/conf" && cp scripts/gpu/*.yaml conf/log4j2.properties "$B/app/conf/"
# With STAGE_ZOO=1 the public SavedModels of ../shared/fixtures/zoo (issue 19's GPU builds).
[ "${STAGE_ZOO:-0}" = 1 ] && cp -r ../shared/fixtures/zoo "$B/app/data/zoo"
# The native jars (classifier linux-x86_64) of the presets: the classpath above has only the Java ones, and
# Maven fetches a classifier jar only when asked for it.
for c in tensorrt cuda javacpp; do
  v=$(basename "$(tr ':' '\n' < "$CPF" | grep "/org/bytedeco/$c/" | head -1)" .jar | sed "s/^$c-//")
  "${MVN[@]}" -N dependency:copy -Dartifact="org.bytedeco:$c:$v:jar:linux-x86_64" -DoutputDirectory="$B/app/lib" >&2
done
cp -r calibration-data/samples/fashion-mnist-cnn/saved_model "$B/app/data/fashion-mnist-cnn"
cp /usr/share/datasets/fashion-mnist/*.gz "$B/app/data/"
cp calibration-data/samples/fashion-mnist/*.parquet "$B/app/data/"
[ -d target/gpu-data ] && cp -r target/gpu-data/. "$B/app/data/"   # e.g. calibration caches made on the CPU
javac -d "$B/app/anchors" -cp "$(cat "$CPF")" ../shared/gpu/anchors/OnnxAnchor.java
cp ../shared/gpu/anchors/*.py "$B/app/anchors/"
rm -f "$CPF"
rm -rf .gpu/appparts && mkdir -p .gpu/appparts .gpu/bin
tar -C "$B" -cf - app | zstd -q -T0 -10 | split -b ${PART_MB:-48}M -d -a 2 - .gpu/appparts/a
for f in .gpu/appparts/a*; do mkdir "$f.d" && mv "$f" "$f.d/part" && mv "$f.d" "$f"; done
rm -rf "$B"
cp scripts/gpu/recv-app.sh scripts/gpu/run-suite.sh scripts/gpu/export_anchor.py .gpu/bin/
echo "app ready: $(ls .gpu/appparts | wc -l) parts in .gpu/appparts"
