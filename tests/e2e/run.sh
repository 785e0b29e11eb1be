#!/bin/bash
# Host side of the end-to-end test: starts npu-vplat, waits until its socket
# listens, boots the guest (which runs guest/init.sh), and turns the guest's
# PASS/FAIL summary and the server's escape/fault counts into the exit
# status. Logs stay in OUT_DIR (console.log, vplat.log).
#   run.sh OUT_DIR NPU_VPLAT VMLINUX INITRAMFS
# Environment: E2E_SEED (default: random, printed), E2E_CONV (1: run the
# datapath tests, default 1), E2E_QUICK (1: smaller sweeps), E2E_TIMEOUT.
set -u
out=$1 vplat=$2 vmlinux=$3 initrd=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
sock=$out/npu.sock console=$out/console.log vlog=$out/vplat.log stats=$out/vplat.stats
seed=${E2E_SEED:-$(( ($(date +%s%N) / 1000) % 4294967295 + 1 ))}
rm -f "$sock" "$stats" "$console" "$vlog"

"$vplat" --socket "$sock" --stats "$stats" >"$vlog" 2>&1 &
vpid=$!
trap 'kill "$vpid" 2>/dev/null' EXIT
for _ in $(seq 300); do
	grep -q '^npu-vplat: listening' "$vlog" 2>/dev/null && break
	kill -0 "$vpid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '^npu-vplat: listening' "$vlog"; then
	echo "e2e: npu-vplat did not start:"; cat "$vlog"
	kill "$vpid" 2>/dev/null
	echo "0 passed, 1 failed"
	exit 1
fi

echo "e2e: seed $seed (E2E_SEED=$seed reproduces), console log: $console"
t0=$(date +%s)
# The Debian kernel has no KASAN; SLUB debugging (red zones, poisoning,
# sanity checks) and poisoning of freed pages catch heap overflows and
# use-after-free in the driver instead (reported as "BUG ..." in dmesg).
debug="slub_debug=FZPU page_poison=1"
[ "${E2E_MODE:-test}" = bench ] && debug=
"$here/boot.sh" "$vmlinux" "$initrd" "$sock" $debug \
	"e2e_mode=${E2E_MODE:-test} e2e_seed=$seed e2e_conv=${E2E_CONV:-1} e2e_quick=${E2E_QUICK:-0}" \
	</dev/null >"$console" 2>&1
qrc=$?
t1=$(date +%s)

# The server exits on EOF from QEMU; give it a moment, then stop it.
for _ in $(seq 50); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
kill "$vpid" 2>/dev/null
wait "$vpid" 2>/dev/null

grep -aE '^(E2E-|fuzz:|conv:|escapes:|unload:|dmesg:|lib |CHECK FAILED)' "$console" | tr -d '\r'
grep -a 'npu-vplat:' "$vlog" | tail -n 5

pass=0 fail=0
summary=$(grep -a '^E2E-SUMMARY:' "$console" | tr -d '\r' | tail -n1)
if [ -n "$summary" ]; then
	pass=$(echo "$summary" | sed -n 's/^E2E-SUMMARY: \([0-9]*\) passed.*/\1/p')
	fail=$(echo "$summary" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
else
	echo "e2e: the guest printed no summary (QEMU exit $qrc)"
	fail=$((fail + 1))
fi
if [ "$qrc" -ne 0 ]; then
	echo "e2e: QEMU exited with $qrc (124 = timeout)"
	fail=$((fail + 1))
fi
esc=$(awk '$1 == "escapes" { print $2 }' "$stats" 2>/dev/null)
flt=$(awk '$1 == "faults" { print $2 }' "$stats" 2>/dev/null)
if [ "${esc:-x}" = 0 ] && [ "${flt:-x}" = 0 ]; then
	pass=$((pass + 1))
	echo "e2e: server: 0 escapes, 0 simulator faults"
else
	fail=$((fail + 1))
	echo "e2e: server: escapes=${esc:-?} faults=${flt:-?}"
fi
echo "e2e: $((t1 - t0)) s in the VM"
if [ "$fail" -ne 0 ]; then
	echo "e2e: FAILED; console log kept at $console; its end:"
	tail -n 40 "$console" | tr -d '\r'
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
