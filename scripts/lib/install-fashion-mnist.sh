#!/usr/bin/env bash
# Installs Debian's dataset-fashion-mnist (the four gzip IDX files in /usr/share/datasets/fashion-mnist)
# when missing: the source of the bundled Fashion-MNIST samples, which some tests and the GPU suite read.
set -euo pipefail
DIR=/usr/share/datasets/fashion-mnist
[ -f "$DIR/t10k-images-idx3-ubyte.gz" ] && exit 0
echo "installing dataset-fashion-mnist into $DIR (apt-get)" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >&2
