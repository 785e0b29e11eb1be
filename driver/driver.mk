# The kernel module npu.ko, built with Kbuild against Debian's headers.
#
# KVER is derived here and only here: the version of linux-headers-amd64's
# dependency (the same version as linux-image-amd64, which the e2e test
# boots). The running kernel is not used: it may have no module support.
KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /lib/modules/$(KVER)/build

# Kbuild writes its objects next to the sources; build in a shadow tree of
# symlinks under $(B) so the source tree stays clean.
KMOD_SRCS := Kbuild $(wildcard driver/*.c driver/*.h driver/uapi/*.h) \
	     hw/npu_hw.h hw/npu_hw_check.h hw/npu_vplat.h
NPU_KO    := $(B)/kmod/npu.ko

# $(call kmod_tree,dir): refresh the shadow tree in dir
define kmod_tree
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "driver: no kernel headers (KVER='$(KVER)')" >&2; exit 1; }
	@mkdir -p $(1)/driver/uapi $(1)/hw
	@for f in $(KMOD_SRCS); do ln -sfn $(abspath .)/$$f $(1)/$$f; done
endef

$(NPU_KO): $(KMOD_SRCS)
	$(call kmod_tree,$(B)/kmod)
	+$(MAKE) -C $(KDIR) M=$(abspath $(B)/kmod) modules
	@touch $@

.PHONY: driver test-driver
driver: $(NPU_KO)
build: $(NPU_KO)

# W=1 must be warning-free and sparse (C=2: check every file) clean.
test-driver:
	$(call kmod_tree,$(B)/kmod-check)
	@rm -f $(B)/kmod-check/driver/*.o $(B)/kmod-check/*.o
	@set -o pipefail; $(MAKE) --no-print-directory -C $(KDIR) \
		M=$(abspath $(B)/kmod-check) W=1 C=2 modules 2>&1 | tee $(B)/kmod-check/build.log
	@if grep -E 'warning:|error:' $(B)/kmod-check/build.log; then \
		echo "test-driver: FAIL (warnings above)"; exit 1; fi
	@echo "test-driver: W=1 and sparse clean (kernel $(KVER))"

TEST_STAGES += test-driver
# The VM end-to-end test (tests/e2e/e2e.mk) after it; it needs the simulator
# library of sim/sim.mk.
ifneq ($(wildcard sim/sim.mk),)
TEST_STAGES += test-e2e
endif
