#!/bin/sh
# Builds the guest's initramfs (uncompressed newc cpio): busybox-static,
# drm.ko from the kernel's modules, npu.ko, the statically linked test
# programs, and guest/init.sh as /init.
#   mkinitramfs.sh OUT KVER NPU_KO INIT PROG...
set -eu
out=$1 kver=$2 ko=$3 init=$4
shift 4
root=$out.d
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	"$root/lib/modules" "$root/tests"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
drm=$(find "/lib/modules/$kver/kernel/drivers/gpu/drm" -maxdepth 1 -name 'drm.ko*' | head -n1)
[ -n "$drm" ] || { echo "mkinitramfs: no drm.ko for $kver" >&2; exit 1; }
case $drm in
*.xz) xz -dc "$drm" >"$root/lib/modules/drm.ko" ;;
*.zst) zstd -qdc "$drm" >"$root/lib/modules/drm.ko" ;;
*) cp "$drm" "$root/lib/modules/drm.ko" ;;
esac
cp "$ko" "$root/lib/modules/npu.ko"
cp "$init" "$root/init"
chmod 755 "$root/init"
for p in "$@"; do cp "$p" "$root/tests/"; done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
