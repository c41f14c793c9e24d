#!/usr/bin/env bash
# For the fleet run on a GPU host (STAGE_SPARK=1): the bundle's /opt/trt/jre lacks jdk.security.auth,
# which Hadoop's login (Spark's Master/Worker/executors) needs. Packs this machine's full JDK 17 modules
# as a jlink'd runtime in 48 MiB parts under .gpu/jre (send one per call; docs/fleet.md).
set -euo pipefail
JMODS=${JMODS:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/jmods}
rm -rf /tmp/jre-full .gpu/jre && mkdir -p .gpu/jre
jlink --add-modules ALL-MODULE-PATH --module-path "$JMODS" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output /tmp/jre-full 2>/dev/null
tar -C /tmp -cf - jre-full | split -b 48M -d -a 2 - .gpu/jre/j
echo "runtime ready: $(ls .gpu/jre | wc -l) parts in .gpu/jre (host: cat them | tar -C /tmp -xf -; JAVA_HOME=/tmp/jre-full)"
