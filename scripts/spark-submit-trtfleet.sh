#!/usr/bin/env bash
# Submits a trtfleet command to a Spark cluster with the shaded jar (Spark and Hadoop from the cluster).
#   scripts/spark-submit-trtfleet.sh [spark-submit options] -- <trtfleet command and options>
#   e.g. scripts/spark-submit-trtfleet.sh --master yarn --num-executors 8 -- \
#          calibrate --model s3a://models/cnn/1 --data s3a://data/cnn-cal/ --out /tmp/cnn
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$(ls "$ROOT"/jobs/target/trtfleet-jobs-*-spark.jar 2>/dev/null | head -n 1 || true)
[ -n "$JAR" ] || { echo "build the jar first: mvn -DskipTests package" >&2; exit 2; }
SUBMIT=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do SUBMIT+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
exec "${SPARK_HOME:?set SPARK_HOME to a Spark 4.1 installation}/bin/spark-submit" \
  --class io.trtfleet.cli.Main \
  --conf spark.executorEnv.TF_CPP_MIN_LOG_LEVEL=2 \
  "${SUBMIT[@]}" "$JAR" "$@"
