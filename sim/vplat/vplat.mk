# npu-vplat: the virtual platform's device server (sim/vplat/npu_vplat.c),
# linked with the simulator library from sim/sim.mk ($(NPUSIM_LIBS): the
# archive plus its C++/zlib dependencies). Included by tests/e2e/e2e.mk.
NPU_VPLAT := $(B)/sim/vplat/npu-vplat

$(NPU_VPLAT): $(B)/sim/vplat/npu_vplat.o $(filter %.a,$(NPUSIM_LIBS))
	$(CXX) -o $@ $< $(NPUSIM_LIBS) -lpthread

.PHONY: vplat
vplat: $(NPU_VPLAT)
