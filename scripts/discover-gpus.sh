#!/usr/bin/env bash
# Spark resource discovery for one GPU pool: scripts/discover-gpus.sh NAME_REGEX RESOURCE_NAME
# prints {"name":"RESOURCE_NAME","addresses":["0","3"]}: the indexes of the GPUs whose nvidia-smi name
# matches NAME_REGEX (bash ERE, e.g. 'H100'). Spark runs a discovery script without arguments, so point
# spark.worker.resource.<name>.discoveryScript (or spark.executor.resource.<name>.discoveryScript) at a
# one-line wrapper, e.g.  exec /opt/trtfleet/scripts/discover-gpus.sh 'H100' gpu-h100   (docs/fleet.md).
# TRTFLEET_FAKE_NVIDIA_SMI=PATH runs PATH instead of nvidia-smi (tests; same arguments and output).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: discover-gpus.sh NAME_REGEX RESOURCE_NAME" >&2
  exit 2
fi
regex=$1
resource=$2
# Spark cuts resource names at the first '.': a dotted name would never match the request.
if ! [[ $resource =~ ^[A-Za-z0-9][A-Za-z0-9_-]*$ ]]; then
  echo "discover-gpus.sh: '$resource' is not a Spark resource name (letters, digits, '-', '_'; no '.')" >&2
  exit 2
fi
smi=${TRTFLEET_FAKE_NVIDIA_SMI:-nvidia-smi}
if ! listing=$("$smi" --query-gpu=index,name --format=csv,noheader); then
  echo "discover-gpus.sh: $smi --query-gpu=index,name failed: no NVIDIA driver on this host?" >&2
  exit 1
fi
addresses=""
while IFS=, read -r index name; do
  index=${index//[[:space:]]/}
  name=$(echo "$name" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
  [ -z "$index" ] && continue
  if [[ $name =~ $regex ]]; then
    addresses="${addresses:+$addresses,}\"$index\""
  fi
done <<< "$listing"
printf '{"name":"%s","addresses":[%s]}\n' "$resource" "$addresses"
