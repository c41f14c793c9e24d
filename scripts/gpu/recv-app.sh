#!/usr/bin/env bash
# GPU host: keep the app part carried with this call (like recv.sh does for the TensorRT bundle).
set -euo pipefail
mkdir -p /tmp/app-stage
for d in .gpu/appparts/a*; do [ -f "$d/part" ] && cp "$d/part" "/tmp/app-stage/$(basename "$d")"; done
echo "app parts held: $(ls /tmp/app-stage | tr '\n' ' ')"
