# The installed stack: the shared library, what `make install` and
# `make uninstall` copy and remove, and the kernel module's sources for DKMS.
# Included by main.mk after every fragment (it needs their lists).
#
#   make shared          build/shared/: libnpu.so.$(NPU_VERSION), libnpu.a and
#                        the npu command linked with the shared library
#   make install         PREFIX (/usr/local), DESTDIR, BINDIR, LIBDIR,
#                        INCLUDEDIR, MANDIR as the GNU conventions say
#   make uninstall       the same variables: removes exactly what install put
#   make install-dkms    the module's sources and dkms.conf in
#                        $(DESTDIR)/usr/src/npu-$(NPU_VERSION) (then: dkms install)
#   make uninstall-dkms
#
# The libraries that are installed are built apart, in build/shared/ (a
# second pass of main.mk with B=build/shared): position-independent code, and
# the sim backend's default simulator path is LIBDIR/npu/libnpusim.so, not
# this tree's build/sim/ (lib/src/sim_path.h).

NPU_VERSION   := 0.1.0
# The soname's number: bumped when the ABI (lib/shared/libnpu.map) breaks.
NPU_SOVERSION := 0

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
# The simulator is a plug-in of libnpu, not a library of its own.
PKGLIBDIR  := $(LIBDIR)/npu
DKMS_SRC   := /usr/src/npu-$(NPU_VERSION)
LDFLAGS    ?=

NPU_PUBLIC_HEADERS := lib/include/npu.h lib/include/npu_err.h lib/include/npu_data.h
# For programs (and drivers) that use the kernel driver without libnpu.
NPU_UAPI_HEADERS   := driver/uapi/npu_drm.h hw/npu_hw.h hw/npu_hw_check.h
NPU_MAN_PAGES      := tools/npu/npu.1 lib/man/libnpu.3
NPU_MAP            := lib/shared/libnpu.map

SHARED_B := $(B)/shared
LIBNPU_SO_FILE := libnpu.so.$(NPU_VERSION)
LIBNPU_SONAME  := libnpu.so.$(NPU_SOVERSION)

# sim_path.o is compiled again when its default path changes (another
# LIBDIR): the file changes only when its contents do.
$(B)/sim_lib_default.txt: FORCE
	@mkdir -p $(dir $@)
	@echo '$(NPU_SIM_LIB_DEFAULT)' | cmp -s - $@ || echo '$(NPU_SIM_LIB_DEFAULT)' > $@
$(B)/lib/src/sim_path.o: $(B)/sim_lib_default.txt
.PHONY: FORCE
FORCE:

.PHONY: shared shared-files install uninstall install-dkms uninstall-dkms

ifeq ($(NPU_SHARED_BUILD),1)
# ---- inside the second pass (B = build/shared) ----
# --no-undefined: every library libnpu uses is named (dpkg-shlibdeps and
# the staged test rely on it); --as-needed: and only those.
$(B)/$(LIBNPU_SO_FILE): $(LIBNPU_OBJS) $(NPU_MAP)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,-soname,$(LIBNPU_SONAME) \
		-Wl,--version-script=$(NPU_MAP) -Wl,--no-undefined -Wl,--as-needed \
		-o $@ $(LIBNPU_OBJS) $(sort $(LIBNPU_LDFLAGS)) $(LDLIBS) -lpthread
$(B)/$(LIBNPU_SONAME) $(B)/libnpu.so: $(B)/$(LIBNPU_SO_FILE)
	ln -sfn $(LIBNPU_SO_FILE) $@

# The npu command as installed: linked with the shared library (so it can
# use nothing but the exported API) and jansson, which it uses itself.
$(B)/bin-shared/npu: $(NPU_CLI_OBJS) $(B)/libnpu.so
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--as-needed $(NPU_CLI_OBJS) -o $@ -L$(B) -lnpu \
		-ljansson $(LDLIBS)

shared-files: $(B)/$(LIBNPU_SO_FILE) $(B)/$(LIBNPU_SONAME) $(B)/libnpu.so $(LIBNPU_A) \
	      $(B)/bin-shared/npu
else
# ---- the top level ----
shared: $(NPUSIM_SO)
	+@$(MAKE) --no-print-directory -f mk/main.mk B=$(SHARED_B) NPU_SHARED_BUILD=1 \
		NPUSIM_PREBUILT=$(abspath $(SIM_DIR)) OPT="$(OPT) -fPIC" \
		NPU_SIM_LIB_DEFAULT=$(PKGLIBDIR)/libnpusim.so shared-files
build: shared

# $(1): directory, $(2): mode, $(3): files
install_files = install -d $(DESTDIR)$(1) && install -m $(2) $(3) $(DESTDIR)$(1)/

install: shared
	$(call install_files,$(BINDIR),0755,$(SHARED_B)/bin-shared/npu)
	$(call install_files,$(LIBDIR),0644,$(SHARED_B)/$(LIBNPU_SO_FILE) $(SHARED_B)/libnpu.a)
	ln -sfn $(LIBNPU_SO_FILE) $(DESTDIR)$(LIBDIR)/$(LIBNPU_SONAME)
	ln -sfn $(LIBNPU_SONAME) $(DESTDIR)$(LIBDIR)/libnpu.so
	$(call install_files,$(PKGLIBDIR),0644,$(NPUSIM_SO))
	$(call install_files,$(INCLUDEDIR)/npu,0644,$(NPU_PUBLIC_HEADERS) $(NPU_UAPI_HEADERS))
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(NPU_VERSION)|' lib/shared/libnpu.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/libnpu.pc
	$(call install_files,$(MANDIR)/man1,0644,tools/npu/npu.1)
	$(call install_files,$(MANDIR)/man3,0644,lib/man/libnpu.3)
	@# the dynamic linker finds a new library in LIBDIR through its cache
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/npu $(DESTDIR)$(LIBDIR)/$(LIBNPU_SO_FILE) \
	      $(DESTDIR)$(LIBDIR)/$(LIBNPU_SONAME) $(DESTDIR)$(LIBDIR)/libnpu.so \
	      $(DESTDIR)$(LIBDIR)/libnpu.a $(DESTDIR)$(PKGLIBDIR)/libnpusim.so \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/libnpu.pc \
	      $(addprefix $(DESTDIR)$(INCLUDEDIR)/npu/,$(notdir $(NPU_PUBLIC_HEADERS) $(NPU_UAPI_HEADERS))) \
	      $(DESTDIR)$(MANDIR)/man1/npu.1 $(DESTDIR)$(MANDIR)/man3/libnpu.3
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(INCLUDEDIR)/npu 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

# The module's sources as Kbuild builds them (driver/driver.mk's list), and
# dkms.conf with this version.
install-dkms:
	@set -e; for f in $(KMOD_SRCS); do install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f; done
	sed 's/#MODULE_VERSION#/$(NPU_VERSION)/' driver/dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf

uninstall-dkms:
	rm -f $(addprefix $(DESTDIR)$(DKMS_SRC)/,$(KMOD_SRCS) dkms.conf)
	-@cd $(DESTDIR)/usr/src 2>/dev/null && rmdir -p --ignore-fail-on-non-empty \
		npu-$(NPU_VERSION)/driver/uapi npu-$(NPU_VERSION)/hw
endif
