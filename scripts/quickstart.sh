#!/usr/bin/env bash
# The pipeline on the bundled Fashion-MNIST sample: local Spark, local files, CPU only unless a GPU and
# TensorRT are present. Outputs in target/quickstart/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=target/quickstart
MODEL=calibration-data/samples/fashion-mnist-cnn/saved_model
CAL=calibration-data/samples/fashion-mnist/calibration.parquet
VAL=calibration-data/samples/fashion-mnist/validation.parquet
T=scripts/trtfleet
rm -rf "$OUT" && mkdir -p "$OUT"
step() { printf '\n=== %s\n' "$*"; }

step "1/5 import: what the SavedModel holds"
$T inspect --model "$MODEL"
step "2/5 segment: what TensorRT can take"
$T convert --model "$MODEL" --out "$OUT" --no-build
step "3/5 calibrate INT8 on Spark (local[2], entropy)"
$T calibrate --model "$MODEL" --data "$CAL" --algorithm entropy --out "$OUT" --master 'local[2]'
step "4/5 convert to ONNX and verify against TensorFlow on held-out data"
for p in FP32 FP16 INT8; do
  $T verify --model "$MODEL" --data "$VAL" --precision "$p" --calibration "$OUT/calibration/calibration.cache" --samples 1000
done
$T export-onnx --model "$MODEL" --out "$OUT/onnx" --precision INT8 --calibration "$OUT/calibration/calibration.cache"
step "5/5 engines"
if command -v nvidia-smi >/dev/null 2>&1; then
  echo "a GPU is present: build engines with the GPU test command in docs/gpu.md"
else
  echo "no GPU/TensorRT on this machine: engines were not built (they are built on GPU hosts, docs/gpu.md)"
fi
step "done"
echo "reports: $OUT/report/summary.txt, $OUT/calibration/histograms.html, ONNX in $OUT/onnx"
