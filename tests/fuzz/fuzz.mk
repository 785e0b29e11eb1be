# Fuzzing the parsers of untrusted files. Each target is one file,
# tests/fuzz/<target>.c, defining LLVMFuzzerTestOneInput; its seeds are
# tests/fuzz/seeds/<target>/. A new target is one more word in FUZZ_TARGETS.
#
# Two builds of every target:
#   libFuzzer  clang -fsanitize=fuzzer,address,undefined, the library built by
#              clang with -fsanitize=fuzzer-no-link,address,undefined in
#              build/fuzz (FUZZ_LF_B): build/fuzz/tests/fuzz/<target>-libfuzzer
#   standalone gcc with ASan + UBSan, linked with tests/fuzz/standalone.c (a
#              replay + seeded mutation driver), the library of test-san
#              (build/san, FUZZ_SA_B): build/san/tests/fuzz/<target>-standalone
#
#   make fuzz       FUZZ_RUNS (100,000) inputs per target with libFuzzer, then
#                   as many with the standalone driver
#   make test-fuzz  the standalone driver, FUZZ_QUICK_RUNS (5,000) inputs per
#                   target (a stage of make test)
# FUZZ_SEED fixes the seed (default: the clock, printed). Crashing inputs go to
# build/fuzz/crashes/ (libFuzzer) and build/san/tests/fuzz/crashes/ (standalone);
# tests/README.md says how to replay them.
FUZZ_TARGETS    := fuzz_idx fuzz_onnx
FUZZ_RUNS       ?= 100000
FUZZ_QUICK_RUNS ?= 5000
FUZZ_MAX_LEN    ?= 65536
FUZZ_SEED       ?=
FUZZ_LF_B       ?= build/fuzz
FUZZ_SA_B       ?= build/san
# The sanitizers of test-san (the standalone build shares its library).
FUZZ_SAN         = $(SAN_FLAGS)

# The binaries, in the recursive builds below (FUZZ_MODE says which).
ifeq ($(FUZZ_MODE),libfuzzer)
$(B)/tests/fuzz/%-libfuzzer: $(B)/tests/fuzz/%.o $(LIBNPU_A)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $< -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS) -lpthread
fuzz-bins: $(foreach t,$(FUZZ_TARGETS),$(B)/tests/fuzz/$(t)-libfuzzer)
endif
ifeq ($(FUZZ_MODE),standalone)
$(B)/tests/fuzz/%-standalone: $(B)/tests/fuzz/%.o $(B)/tests/fuzz/standalone.o $(LIBNPU_A)
	$(CC) $(CFLAGS) $< $(B)/tests/fuzz/standalone.o -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) \
		$(LDLIBS) -lpthread
fuzz-bins: $(foreach t,$(FUZZ_TARGETS),$(B)/tests/fuzz/$(t)-standalone)
endif

.PHONY: fuzz test-fuzz fuzz-libfuzzer fuzz-standalone fuzz-bins fuzz-lf-bins fuzz-sa-bins

# The recursive builds (kept apart from the runs: make -n stays harmless).
fuzz-lf-bins:
	+@$(MAKE) --no-print-directory -f mk/main.mk B=$(FUZZ_LF_B) CC=clang OPT="-O1 -g" \
		SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" NPUSIM_PREBUILT=$(abspath $(B)) \
		FUZZ_MODE=libfuzzer fuzz-bins
fuzz-sa-bins:
	+@$(MAKE) --no-print-directory -f mk/main.mk B=$(FUZZ_SA_B) OPT="-O1 -g" SAN="$(FUZZ_SAN)" \
		NPUSIM_PREBUILT=$(abspath $(B)) FUZZ_MODE=standalone fuzz-bins

fuzz-libfuzzer: fuzz-lf-bins
	@set -e; seed=$(or $(FUZZ_SEED),$$(date +%s)); for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_LF_B)/corpus/$$t $(FUZZ_LF_B)/crashes; t0=$$(date +%s%N); \
		$(FUZZ_LF_B)/tests/fuzz/$$t-libfuzzer -runs=$(FUZZ_RUNS) -seed=$$seed \
			-max_len=$(FUZZ_MAX_LEN) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_LF_B)/crashes/$$t- $(FUZZ_LF_B)/corpus/$$t \
			tests/fuzz/seeds/$$t > $(FUZZ_LF_B)/$$t.log 2>&1 || \
			{ tail -60 $(FUZZ_LF_B)/$$t.log; echo "fuzz: $$t (libFuzzer, -seed=$$seed)" \
			  "FAILED; log: $(FUZZ_LF_B)/$$t.log"; exit 1; }; \
		n=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_LF_B)/$$t.log); \
		s=$$(awk "BEGIN { printf \"%.1f\", ($$(date +%s%N) - $$t0) / 1e9 }"); \
		cov=$$(grep -o 'cov: [0-9]* ft: [0-9]*' $(FUZZ_LF_B)/$$t.log | tail -1); \
		echo "fuzz: $$t (libFuzzer): $$n inputs in $$s s, 0 crashes (seed $$seed, $$cov," \
			"corpus $$(ls $(FUZZ_LF_B)/corpus/$$t | wc -l) files)"; done

# $(1): mutated inputs per target
fuzz_sa_run = set -e; seed=$(or $(FUZZ_SEED),$$(date +%s)); for t in $(FUZZ_TARGETS); do \
	mkdir -p $(FUZZ_SA_B)/tests/fuzz/crashes; \
	$(FUZZ_SA_B)/tests/fuzz/$$t-standalone -runs=$(1) -seed=$$seed -max_len=$(FUZZ_MAX_LEN) \
		-artifact_prefix=$(FUZZ_SA_B)/tests/fuzz/crashes/$$t- tests/fuzz/seeds/$$t || \
		{ echo "fuzz: $$t (standalone, -seed=$$seed) FAILED"; exit 1; }; done

fuzz-standalone: fuzz-sa-bins
	@$(call fuzz_sa_run,$(FUZZ_RUNS))

fuzz:
	+@$(MAKE) --no-print-directory -f mk/main.mk fuzz-libfuzzer
	+@$(MAKE) --no-print-directory -f mk/main.mk fuzz-standalone

test-fuzz: fuzz-sa-bins
	@$(call fuzz_sa_run,$(FUZZ_QUICK_RUNS))

TEST_STAGES += test-fuzz
