# The installed stack (mk/install.mk), tested from outside the source tree:
#   test-abi      libnpu.so exports exactly the public headers' functions
#                 (exports.sh: headers = version script = debian symbols =
#                 nm -D)
#   test-man      npu(1) and libnpu(3) render without warnings and agree with
#                 `npu --help`, the sources' getenv() calls and the ABI (man.sh)
#   test-install  make install + install-dkms into a scratch DESTDIR, twice:
#                 the default layout (its file list must be INSTALLED_FILES)
#                 and one with BINDIR, INCLUDEDIR and MANDIR moved; each tree
#                 checked by check_tree.sh (pkg-config, the example on cpu and
#                 sim, the npu command, dkms build); make uninstall +
#                 uninstall-dkms must leave no file behind
#   test-package  the Debian packages (package.sh): dpkg-buildpackage,
#                 lintian, the unpacked packages checked the same way
INSTALL_STAGE   := $(B)/stage
INSTALLED_FILES := tests/install/installed-files.txt

.PHONY: test-abi test-man test-install test-package
test-abi: shared
	tests/install/exports.sh $(SHARED_B)/$(LIBNPU_SO_FILE) $(NPU_MAP) debian/libnpu0.symbols \
		$(NPU_PUBLIC_HEADERS)

test-man: $(B)/bin/npu
	tests/install/man.sh $(B)/bin/npu $(NPU_VERSION) $(NPU_MAP) $(NPU_MAN_PAGES) lib tools/npu

# $(1): stage directory, $(2): extra variables of make install
stage_install = rm -rf $(1) && $(MAKE) --no-print-directory -f mk/main.mk install install-dkms \
	DESTDIR=$(abspath $(1)) $(2) > $(1).log
stage_uninstall = $(MAKE) --no-print-directory -f mk/main.mk uninstall uninstall-dkms \
	DESTDIR=$(abspath $(1)) $(2) >> $(1).log && \
	left=$$(find $(1) ! -type d) && [ -z "$$left" ] || { echo "uninstall left: $$left"; exit 1; }

test-install: shared $(NPUSIM_SO)
	+@$(call stage_install,$(INSTALL_STAGE),)
	@cd $(INSTALL_STAGE) && find . ! -type d | sed 's/^\.//' | LC_ALL=C sort > ../stage.files
	@diff -u $(INSTALLED_FILES) $(B)/stage.files || \
		{ echo "test-install: make install put other files than $(INSTALLED_FILES) lists"; exit 1; }
	@echo "test-install: make install DESTDIR=$(INSTALL_STAGE) installs the $$(wc -l < $(INSTALLED_FILES)) files of $(INSTALLED_FILES)"
	tests/install/check_tree.sh $(INSTALL_STAGE) $(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(MANDIR) \
		$(NPU_VERSION) $(KVER)
	+@$(call stage_uninstall,$(INSTALL_STAGE),)
	+@moved="BINDIR=$(PREFIX)/xbin INCLUDEDIR=$(PREFIX)/xinclude MANDIR=$(PREFIX)/xman"; \
	$(call stage_install,$(INSTALL_STAGE)2,$$moved) && \
	tests/install/check_tree.sh $(INSTALL_STAGE)2 $(PREFIX)/xbin $(LIBDIR) $(PREFIX)/xinclude \
		$(PREFIX)/xman $(NPU_VERSION) $(KVER) && \
	$(call stage_uninstall,$(INSTALL_STAGE)2,$$moved)
	@echo "test-install: installed, checked and uninstalled (default layout, and BINDIR, INCLUDEDIR, MANDIR moved)"

test-package:
	tests/install/package.sh $(B)/package $(NPU_VERSION) $(KVER) $(NPROC)

TEST_STAGES += test-abi test-man test-install
