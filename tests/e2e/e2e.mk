# End-to-end test: Debian's kernel in QEMU (TCG) with npu.ko, the device
# served by npu-vplat (the simulator), tests in the guest.
#   make test-e2e    build everything, boot, run guest/init.sh, check
#   make vm          boot the same platform with a shell (README: driver/)
# Knobs: E2E_SEED=N (reproduce), E2E_QUICK=1, E2E_CONV=0 (control path only).
include sim/vplat/vplat.mk

E2E_DIR     := $(B)/e2e
# = driver/driver.mk's $(NPU_KO), which is included after this file
E2E_KO      := $(B)/kmod/npu.ko
E2E_VMLINUX := $(E2E_DIR)/vmlinux
E2E_INITRD  := $(E2E_DIR)/initramfs.cpio
E2E_PROG    := $(E2E_DIR)/npu-e2e
E2E_SRCS    := $(wildcard tests/e2e/guest/*.c) lib/ref/ref_conv.c lib/ref/requant.c
E2E_HDRS    := $(wildcard tests/e2e/guest/*.h) hw/npu_hw.h hw/npu_hw_check.h \
	       lib/ref/npu_ref.h driver/uapi/npu_drm.h
E2E_CFLAGS  := -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -static -Ihw -Ilib/ref \
	       -Idriver/uapi $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)

$(E2E_VMLINUX): tests/e2e/extract-vmlinux.sh
	@mkdir -p $(dir $@)
	tests/e2e/extract-vmlinux.sh /boot/vmlinuz-$(KVER) $@

# Statically linked: the initramfs has no libc. libdrm.a comes with libdrm-dev.
$(E2E_PROG): $(E2E_SRCS) $(E2E_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(E2E_CFLAGS) -o $@ $(E2E_SRCS) -ldrm -lm

# libnpu on the drm backend, statically linked (libdrm.a, libjansson.a).
E2E_LIBPROG := $(E2E_DIR)/npu-lib-e2e
E2E_NETS    := examples/lenet5.json examples/resnet18.json
$(E2E_LIBPROG): tests/e2e/guest_lib/npu_lib_e2e.c $(LIBNPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(E2E_CFLAGS) -Ilib/include -Ilib/src -Isim -o $@ $< $(LIBNPU_A) \
		$(LIBNPU_LDFLAGS) -lm -lpthread 2>&1 | { grep -Ev 'statically linked applications requires|in function .npu_backend_sim_open' || true; }
	@test -x $@

E2E_GUEST_FILES := $(E2E_PROG) $(E2E_LIBPROG) $(E2E_NETS)
$(E2E_INITRD): $(E2E_KO) $(E2E_GUEST_FILES) tests/e2e/guest/init.sh tests/e2e/mkinitramfs.sh
	tests/e2e/mkinitramfs.sh $@ $(KVER) $(E2E_KO) tests/e2e/guest/init.sh $(E2E_GUEST_FILES)

.PHONY: test-e2e e2e-images bench-e2e
e2e-images: $(E2E_VMLINUX) $(E2E_INITRD)

test-e2e: $(E2E_VMLINUX) $(E2E_INITRD) $(NPU_VPLAT)
	tests/e2e/run.sh $(E2E_DIR)/run $(NPU_VPLAT) $(E2E_VMLINUX) $(E2E_INITRD)

# ResNet-18 (224x224) through libnpu -> libdrm -> npu.ko -> QEMU -> npu-vplat,
# plus the round-trip figures; prints, does not judge.
bench-e2e: $(E2E_VMLINUX) $(E2E_INITRD) $(NPU_VPLAT) $(B)/bin/npu
	E2E_MODE=bench E2E_TIMEOUT=$${E2E_TIMEOUT:-1200} tests/e2e/run.sh $(E2E_DIR)/bench \
		$(NPU_VPLAT) $(E2E_VMLINUX) $(E2E_INITRD)
	@echo "--- the same network on the in-process simulator (no VM, no driver):"
	$(B)/bin/npu run examples/resnet18.json --backend sim --check | tail -n 4

vm: $(E2E_VMLINUX) $(E2E_INITRD) $(NPU_VPLAT)
	tests/e2e/vm.sh $(E2E_DIR)/vm $(NPU_VPLAT) $(E2E_VMLINUX) $(E2E_INITRD)

# test-e2e joins TEST_STAGES in driver/driver.mk, which is included after
# the other tests' fragments: the VM test runs after the quick ones.
