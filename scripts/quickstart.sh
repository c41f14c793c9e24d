#!/usr/bin/env bash
# The pipeline on the bundled Fashion-MNIST sample: local Spark, local files, CPU only unless a GPU and
# TensorRT are present. Outputs in target/quickstart/. Every step prints a line when it starts and the
# time so far; the build shows Maven's own progress.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=target/quickstart
MODEL=calibration-data/samples/fashion-mnist-cnn/saved_model
CAL=calibration-data/samples/fashion-mnist/calibration.parquet
VAL=calibration-data/samples/fashion-mnist/validation.parquet
T=scripts/trtfleet
START=$SECONDS
elapsed() { local s=$((SECONDS - START)); printf '%d min %02d s' $((s / 60)) $((s % 60)); }
step() { printf '\n=== %s  [%s]\n' "$*" "$(elapsed)"; }
rm -rf "$OUT" && mkdir -p "$OUT"

source scripts/lib/build-cli.sh
if cli_missing "$ROOT"; then
  step "0/6 build the CLI (first run only: Maven compiles trtfleet, about a minute)"
  build_cli "$ROOT"
fi
step "1/6 import: what the SavedModel holds (the frozen graph is cached for the next steps)"
$T inspect --model "$MODEL"
step "2/6 segment: what TensorRT can take"
$T convert --model "$MODEL" --out "$OUT" --no-build
step "3/6 calibrate INT8 on Spark (local[2], entropy)"
$T calibrate --model "$MODEL" --data "$CAL" --algorithm entropy --out "$OUT" --master 'local[2]'
step "4/6 convert to ONNX and verify against TensorFlow on held-out data"
for p in FP32 FP16 INT8; do
  echo "--- $p"
  $T verify --model "$MODEL" --data "$VAL" --precision "$p" --calibration "$OUT/calibration/calibration.cache" --samples 1000
done
echo "--- ONNX files (INT8)"
$T export-onnx --model "$MODEL" --out "$OUT/onnx" --precision INT8 --calibration "$OUT/calibration/calibration.cache"
step "5/6 build: segment, convert, build, validate against TensorFlow FP32, benchmark, TF-TRT SavedModel"
ENGINES="built in $OUT/engines (build-report.json)"
if ! $T build --model "$MODEL" --out "$OUT/engines" --precision FP32,FP16,INT8 \
    --calibration "$OUT/calibration/calibration.cache" --data "$VAL" --batch-sizes 1,256 2> "$OUT/build.err"; then
  cat "$OUT/build.err" >&2
  grep -q "no GPU/TensorRT" "$OUT/build.err" || exit 1
  ENGINES="not built: $(sed 's/^error: //' "$OUT/build.err")"
  echo "--- no GPU: the same stages on the CPU (ONNX Runtime; TF-TRT SavedModel whose engines build when it loads)"
  $T build --model "$MODEL" --out "$OUT/engines-cpu" --backend onnxruntime --precision FP32,FP16,INT8 \
    --calibration "$OUT/calibration/calibration.cache" --data "$VAL"
fi
step "6/6 fleet run (what the nightly job does): plan every (model, pool, precision), build, publish, report"
# CPU pools publish under device key cpu; GPU pools' targets wait for a GPU (exit 3: not built, nothing published).
rc=0
$T nightly --fleet conf/fleet.yaml --models conf/models.yaml --store "$OUT/store" --master 'local[2]' \
  --run-id quickstart || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || exit "$rc"
step "done"
echo "engines: $ENGINES"
echo "reports: $OUT/report/summary.txt, $OUT/calibration/histograms.html, ONNX in $OUT/onnx"
[ "$rc" = 3 ] && echo "fleet: GPU targets not built on this machine (no GPU of their pool); CPU artifacts published"
echo "run report: $OUT/store/runs/quickstart/report.html"
