# CMocka unit tests: every tests/unit/test_*.c is one program linked with
# libnpu.a. `make test-unit` runs them; test-san runs them again built with
# ASan+UBSan, test-valgrind under valgrind.
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_PROGS := $(patsubst %.c,$(B)/%,$(UNIT_SRCS))
UNIT_LIBS   = $(LIBNPU_A) -lcmocka -lm -lpthread $(UNIT_EXTRA_LIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIBNPU_A)
	$(CC) $(CFLAGS) $< -o $@ $(UNIT_LIBS)

build: $(UNIT_PROGS)

.PHONY: test-unit test-san test-valgrind
test-unit: $(UNIT_PROGS)
	@set -e; for t in $(UNIT_PROGS); do echo "--- $$t"; $$t; done

# The unit tests and the device/library tests, built with ASan + UBSan (the
# Verilated simulator itself is linked from the regular build).
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test-san: $(NPUSIM_A) $(NPUSIM_SO) $(NPUSIM8_A) $(NPUSIM8_SO)
	+@$(MAKE) --no-print-directory -f mk/main.mk B=build/san OPT="-O1 -g" SAN="$(SAN_FLAGS)" \
		NPUSIM_PREBUILT=$(abspath $(B)) test-unit test-sim

# Valgrind is slow: the programs read NPU_TEST_QUICK to shrink random sweeps.
# Other fragments add programs to VALGRIND_PROGS (the device tests do).
VALGRIND_PROGS += $(UNIT_PROGS)
test-valgrind: $(VALGRIND_PROGS)
	@set -e; for t in $(VALGRIND_PROGS); do echo "--- valgrind $$t"; \
		NPU_TEST_QUICK=1 valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite $$t; done

TEST_STAGES += test-unit test-san test-valgrind
