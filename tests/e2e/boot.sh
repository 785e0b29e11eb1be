#!/bin/sh
# Boots the virtual platform: Debian's kernel (the vmlinux extracted from its
# bzImage, booted through the PVH entry) with our initramfs, and QEMU's
# ivshmem-doorbell device connected to a running npu-vplat server. Always
# under `timeout`.
#   boot.sh VMLINUX INITRAMFS SOCKET [kernel command line words...]
# Environment: E2E_TIMEOUT seconds (default 480), E2E_MEM MiB (default 512).
set -eu
vmlinux=$1 initrd=$2 sock=$3
shift 3
exec timeout --foreground -k 10 "${E2E_TIMEOUT:-480}" \
	qemu-system-x86_64 -accel tcg -nographic -net none -no-reboot \
	-m "${E2E_MEM:-512}" -smp 1 \
	-kernel "$vmlinux" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 $*" \
	-chardev socket,path="$sock",id=npu \
	-device ivshmem-doorbell,chardev=npu,vectors=1
