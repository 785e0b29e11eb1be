# The real rules. Each part of the tree contributes a fragment (*.mk next to
# its sources) that appends to the lists below; this file only holds what
# they share.
SHELL := /bin/bash
.DELETE_ON_ERROR:
# Objects made on the way to a program stay (they are not "intermediate").
.PRECIOUS: $(B)/%.o $(B)/%.a
.SUFFIXES:

B       ?= build
NPROC   := $(shell nproc 2>/dev/null || echo 2)
CC      := gcc
CXX     := g++
OPT     ?= -O2 -g
SAN     ?=
WARN    := -Wall -Wextra -Werror
INCS    := -Ihw -Isim -Ilib/include -Ilib/ref -Ilib/src -Ilib/cpu -Idriver/uapi
CFLAGS  := -std=c11 $(WARN) $(OPT) $(SAN) -D_GNU_SOURCE -MMD -MP $(INCS)
CXXFLAGS:= -std=c++17 $(WARN) $(OPT) $(SAN) -MMD -MP $(INCS)
LDLIBS  := -lm

LIBNPU_A := $(B)/libnpu.a

# Filled in by the fragments.
LIBNPU_SRCS   :=
LIBNPU_OBJS_EXTRA :=
TEST_STAGES   :=
BIN_PROGS     :=
CLEAN_EXTRA   :=

.PHONY: all build test run bench bench-hw synth lint vm clean-extra
all: build

include $(wildcard hw/*.mk sim/*.mk lib/*/*.mk tests/*.mk tests/*/*.mk \
                   driver/*.mk tools/*.mk tools/*/*.mk bench/*.mk examples/*.mk)

# libnpu.a: every fragment under lib/ appends its sources to LIBNPU_SRCS.
LIBNPU_OBJS := $(patsubst %.c,$(B)/%.o,$(LIBNPU_SRCS)) $(LIBNPU_OBJS_EXTRA)
$(LIBNPU_A): $(LIBNPU_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
build: $(LIBNPU_A)

# The shared library, make install/uninstall: after the fragments, whose
# lists they use.
include mk/install.mk

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

# Tests: build everything in parallel, then run the stages one after another
# (fast and basic first) so their output stays readable.
TEST_ORDER  := test-unit test-rtl test-sim test-examples test-abi test-man test-install \
               test-cli test-golden test-san test-fuzz test-valgrind test-driver test-e2e
TEST_RUN     = $(filter $(TEST_STAGES),$(TEST_ORDER)) $(filter-out $(TEST_ORDER),$(TEST_STAGES))
test:
	+@$(MAKE) --no-print-directory -f mk/main.mk -j$(NPROC) build
	@set -e; start=$$(date +%s); for s in $(TEST_RUN); do \
		t0=$$(date +%s); echo "=== $$s"; $(MAKE) --no-print-directory -f mk/main.mk $$s; \
		echo "=== $$s passed in $$(( $$(date +%s) - t0 )) s"; \
	done; echo "=== all test stages passed in $$(( $$(date +%s) - start )) s: $(TEST_RUN)"

clean-extra:
	$(if $(CLEAN_EXTRA),rm -rf $(CLEAN_EXTRA),@true)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
