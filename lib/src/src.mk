# The device layer: backends, tiler, weight packing, plans (device.h).
LIBNPU_SRCS += lib/src/device.c lib/src/resid.c lib/src/pack.c lib/src/tiler.c lib/src/backend_sim.c \
	       lib/src/sim_path.c
# Layer rewrites on a built net (npu_net_rewrite): FC <-> convolution.
LIBNPU_SRCS += lib/src/rewrite.c

# The sim backend dlopen()s the simulator; by default the one this tree built
# (the installed libraries get LIBDIR/npu/libnpusim.so: mk/install.mk).
NPU_SIM_LIB_DEFAULT ?= $(abspath $(NPUSIM_SO))
$(B)/lib/src/sim_path.o: CFLAGS += -DNPU_SIM_LIB_DEFAULT=\"$(NPU_SIM_LIB_DEFAULT)\"
LIBNPU_LDFLAGS += -ldl
