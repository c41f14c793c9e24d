#!/usr/bin/env bash
# GPU host: unpack the app (once) and run a Java main with the TensorRT runtime from /opt/trt.
#   bash .gpu/bin/run-suite.sh io.trtfleet.gpu.GpuSuite --out $OUT ...
#   bash .gpu/bin/run-suite.sh io.trtfleet.cli.Main build --model data/fashion-mnist-cnn --out $OUT/b ...
set -euo pipefail
if [ ! -d /tmp/app ]; then
  cat $(ls /tmp/app-stage/a* | sort) | tar -C /tmp -xf -
  rm -rf /tmp/app-stage
fi
source /opt/trt/env.sh
cd /tmp/app
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx48g -cp "classes:test-classes:jobs-classes:caldata-classes:lib/*:anchors" "$@"
