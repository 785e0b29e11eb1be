#!/bin/bash
# Boots the virtual platform by hand (`make vm`): npu-vplat in the
# background, the guest with npu.ko loaded and a shell on the console
# (tests in /tests: npu-e2e). Leave with `poweroff -f` or Ctrl-A X.
#   vm.sh OUT_DIR NPU_VPLAT VMLINUX INITRAMFS
set -u
out=$1 vplat=$2 vmlinux=$3 initrd=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
sock=$out/npu.sock
rm -f "$sock"
"$vplat" --socket "$sock" -v >"$out/vplat.log" 2>&1 &
vpid=$!
trap 'kill "$vpid" 2>/dev/null' EXIT
for _ in $(seq 300); do
	[ -S "$sock" ] && grep -q listening "$out/vplat.log" 2>/dev/null && break
	sleep 0.1
done
echo "vm: server log $out/vplat.log"
E2E_TIMEOUT=${E2E_TIMEOUT:-7200} "$here/boot.sh" "$vmlinux" "$initrd" "$sock" e2e_mode=shell
kill "$vpid" 2>/dev/null
wait "$vpid" 2>/dev/null
