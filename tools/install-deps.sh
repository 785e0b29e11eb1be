#!/bin/sh
# Installs the Debian 12 packages the project needs. Idempotent and quiet when
# everything is already there; the Makefile calls it before building.
#   install-deps.sh run    what `make run` needs (compilers, Verilator, the library's deps)
#   install-deps.sh [all]  everything: tests, driver, virtual platform, synthesis, benchmarks
#                          (and their plots: gnuplot with a font it can draw text with)
set -eu

RUN_PKGS="build-essential pkg-config verilator zlib1g-dev libjansson-dev libdrm-dev \
protobuf-c-compiler libprotobuf-c-dev libonnx-dev libpng-dev dataset-fashion-mnist"
ALL_PKGS="$RUN_PKGS yosys libcmocka-dev libdnnl-dev linux-headers-amd64 linux-image-amd64 \
qemu-system-x86 busybox-static cpio kmod sparse valgrind xz-utils clang libclang-rt-14-dev \
gnuplot-nox fonts-dejavu-core man-db dkms debhelper dh-dkms lintian fakeroot"

case "${1:-all}" in
run) PKGS=$RUN_PKGS ;;
all) PKGS=$ALL_PKGS ;;
*) echo "usage: $0 [run|all]" >&2; exit 2 ;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -qq update >/dev/null
# shellcheck disable=SC2086
apt-get -qq install -y --no-install-recommends $missing >/dev/null
