#!/usr/bin/env bash
# GPU host: unpack the app (once) and run a Java main with the TensorRT runtime from /opt/trt.
#   bash .gpu/bin/run-suite.sh io.trtfleet.gpu.GpuSuite --out $OUT ...
set -euo pipefail
if [ ! -d /tmp/app ]; then
  cat $(ls /tmp/app-stage/a* | sort) | tar -C /tmp -xf -
  rm -rf /tmp/app-stage
fi
source /opt/trt/env.sh
cd /tmp/app
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx48g -cp "classes:test-classes:lib/*:anchors" "$@"
