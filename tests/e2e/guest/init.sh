#!/bin/sh
# /init of the e2e guest. Kernel command line: e2e_mode=test|shell,
# e2e_seed=N (0 = pick one), e2e_conv=0|1 (run the datapath tests),
# e2e_quick=1 (smaller sweeps).
/bin/busybox --install -s /bin
export PATH=/bin:/tests
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
echo 7 >/proc/sys/kernel/printk_ratelimit_burst 2>/dev/null
mode=${e2e_mode:-test}
seed=${e2e_seed:-0}
[ "$seed" = 0 ] && seed=$(( $(date +%s) ^ $$ ))

insmod /lib/modules/drm.ko || echo "init: insmod drm.ko failed"

if [ "$mode" = shell ]; then
	insmod /lib/modules/npu.ko && echo "init: npu.ko loaded; tests in /tests (npu-e2e help)"
	setsid cttyhack sh
	poweroff -f
fi

pass=0
fail=0
failed=
run() {
	name=$1
	shift
	echo "=== e2e: $name"
	t0=$(date +%s)
	if "$@"; then
		pass=$((pass + 1))
		echo "E2E-RESULT: $name PASS ($(( $(date +%s) - t0 )) s)"
	else
		rc=$?
		fail=$((fail + 1))
		failed="$failed $name"
		echo "E2E-RESULT: $name FAIL (exit $rc)"
	fi
}

conv=${e2e_conv:-1}
if [ "${e2e_quick:-0}" = 1 ]; then
	n_ioctls=20000 n_jobs=2000 n_rtt=200 n_conv=10 n_lib=8
else
	n_ioctls=100000 n_jobs=10000 n_rtt=1000 n_conv=60 n_lib=30
fi

if [ "$mode" = bench ]; then
	# No checks beyond the run's own: figures for the report.
	run load insmod /lib/modules/npu.ko
	echo 60000 >/sys/module/npu/parameters/timeout_ms
	run rtt npu-e2e rtt 1000
	run resnet18 npu-lib-e2e net /tests/resnet18.json
	echo "E2E-SUMMARY: $pass passed, $fail failed$failed"
	poweroff -f
fi

modrefs() { awk '$1 == "npu" { print $3 }' /proc/modules; }

# rmmod must refuse while a file is open, then succeed; the reloaded
# driver must work.
unload_reload() {
	npu-e2e hold 4 &
	hp=$!
	i=0
	while [ "$(modrefs)" = 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if rmmod npu 2>/dev/null; then
		echo "unload: rmmod succeeded with an open file"
		return 1
	fi
	echo "unload: rmmod refused while the device is open (expected)"
	wait $hp || return 1
	rmmod npu || return 1
	[ ! -e /sys/module/npu ] || return 1
	insmod /lib/modules/npu.ko || return 1
	# Unload with jobs pending (their file already closed).
	npu-e2e orphan || return 1
	rmmod npu || return 1
	echo "unload: rmmod with pending jobs and no open file succeeded"
	insmod /lib/modules/npu.ko || return 1
	npu-e2e basic "$seed"
}

dmesg_clean() {
	if dmesg | grep -E 'Oops|WARNING:|BUG:|KASAN|UBSAN|general protection|Call Trace|list_(add|del) corruption|refcount_t:|blocked for more than'; then
		echo "dmesg: kernel reported problems (above)"
		return 1
	fi
	echo "dmesg: no Oops/WARN/BUG/KASAN reports"
}

echo "E2E-SEED: $seed"
run load insmod /lib/modules/npu.ko
run basic npu-e2e basic "$seed"
run neg npu-e2e neg "$seed"
run fault npu-e2e fault "$seed" "$conv"
run multi npu-e2e multi "$seed" "$conv"
[ "$conv" = 1 ] && run conv npu-e2e conv "$seed" "$n_conv"
if [ "$conv" = 1 ]; then
	run lib-auto npu-lib-e2e auto
	run lib-layers npu-lib-e2e layers "$seed" "$n_lib"
	run lib-lenet5 npu-lib-e2e net /tests/lenet5.json
	run lib-resnet18-32x32 npu-lib-e2e net /tests/resnet18.json 32 32
fi
run fuzz npu-e2e fuzz "$seed" "$conv" "$n_ioctls" "$n_jobs"
[ "$conv" = 1 ] && run conv-after-fuzz npu-e2e conv "$((seed + 1))" "$n_conv"
run escapes npu-e2e escapes
run rtt npu-e2e rtt "$n_rtt"
run unload-reload unload_reload
run unbind-rebind npu-e2e unbind
run escapes-final npu-e2e escapes
run dmesg dmesg_clean
echo "E2E-SUMMARY: $pass passed, $fail failed$failed"
poweroff -f
