# Top level. Every goal first makes sure the Debian packages are installed
# (tools/install-deps.sh: idempotent, quiet when all is there), then runs
# the real rules in mk/main.mk, so nothing is evaluated before the tools
# exist on a fresh machine.
#
#   make run        ResNet-18 through the library on the simulated NPU, checked
#   make test       every test (unit, RTL, simulator, library, VM end-to-end)
#   make bench      library benchmarks (networks on the simulator against their DRAM
#                   rooflines, with plots; CPU vs oneDNN)
#   make bench-hw   device benchmark on raw layer shapes
#   make synth      Yosys synthesis of the default configuration
#   make vm         boot the virtual platform by hand (see README.md)
#   make install    libnpu (shared and static), headers, pkg-config file, the
#                   npu command, the simulator, man pages: PREFIX=/usr/local,
#                   DESTDIR, BINDIR, LIBDIR, INCLUDEDIR, MANDIR (mk/install.mk);
#                   make uninstall removes them; make install-dkms: npu.ko's
#                   sources for DKMS
#   make test-package  the Debian packages (dpkg-buildpackage, lintian)

GOALS := $(filter-out clean deps,$(or $(MAKECMDGOALS),all))
NPROC := $(shell nproc 2>/dev/null || echo 2)

.PHONY: $(GOALS) deps clean
$(GOALS): deps
	+@$(MAKE) --no-print-directory -j$(NPROC) -f mk/main.mk $@

# `make run` and the install goals need only the compilers, Verilator and the
# library's deps.
DEPS_PROFILE := $(if $(filter-out run install uninstall install-dkms uninstall-dkms,$(GOALS)),all,run)
deps:
	@tools/install-deps.sh $(DEPS_PROFILE)

clean:
	rm -rf build
	@$(MAKE) --no-print-directory -f mk/main.mk clean-extra 2>/dev/null || true
