#!/usr/bin/env bash
# GPU host: unpack the app (once) and run a Java main with the TensorRT runtime from /opt/trt.
#   bash .gpu/bin/run-suite.sh io.trtfleet.gpu.GpuSuite --out $OUT ...
#   bash .gpu/bin/run-suite.sh io.trtfleet.cli.Main build --model data/fashion-mnist-cnn --out $OUT/b ...
set -euo pipefail
if [ ! -d /tmp/app ]; then
  cat $(ls /tmp/app-stage/a* | sort) | zstd -q -d | tar -C /tmp -xf -
  rm -rf /tmp/app-stage
fi
source /opt/trt/env.sh
cd /tmp/app
# A staged Spark (STAGE_SPARK=1) brings a runtime with the modules Hadoop's login needs.
[ -x jre/bin/java ] && export JAVA_HOME=/tmp/app/jre PATH=/tmp/app/jre/bin:$PATH
export TF_CPP_MIN_LOG_LEVEL=2
OPENS=""
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  OPENS="$OPENS --add-opens=java.base/$p=ALL-UNNAMED"
done
exec java -Xmx48g $OPENS -Djdk.reflect.useDirectMethodHandle=false -Dlog4j2.configurationFile=conf/log4j2.properties \
  -cp "classes:test-classes:jobs-classes:jobs-test-classes:caldata-classes:lib/*:anchors" "$@"
