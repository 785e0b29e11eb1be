// SPDX-License-Identifier: MIT
/*
 * npu-e2e - the in-guest test program (statically linked into the
 * initramfs). One subcommand per test; exit status 0 = pass.
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static void usage(void)
{
	printf("usage: npu-e2e TEST [args]\n"
	       "  basic SEED | neg SEED | fault SEED CONV | multi SEED CONV\n"
	       "  fuzz SEED CONV [IOCTLS [JOBS]]   (defaults 100000, 10000)\n"
	       "  conv SEED [CASES] | rtt [N] | escapes | hold SECONDS | orphan | unbind\n");
	exit(2);
}

static uint64_t arg_u64(int argc, char **argv, int i, uint64_t def)
{
	return i < argc ? strtoull(argv[i], NULL, 0) : def;
}

int main(int argc, char **argv)
{
	const char *t;
	int fails;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	t = argv[1];
	if (!strcmp(t, "basic"))
		fails = e2e_test_basic(arg_u64(argc, argv, 2, 1));
	else if (!strcmp(t, "neg"))
		fails = e2e_test_neg(arg_u64(argc, argv, 2, 1));
	else if (!strcmp(t, "fault"))
		fails = e2e_test_fault(arg_u64(argc, argv, 2, 1), arg_u64(argc, argv, 3, 0));
	else if (!strcmp(t, "multi"))
		fails = e2e_test_multi(arg_u64(argc, argv, 2, 1), arg_u64(argc, argv, 3, 0));
	else if (!strcmp(t, "fuzz"))
		fails = e2e_test_fuzz(arg_u64(argc, argv, 2, 1), arg_u64(argc, argv, 3, 0),
				      (unsigned)arg_u64(argc, argv, 4, 100000),
				      (unsigned)arg_u64(argc, argv, 5, 10000));
	else if (!strcmp(t, "conv"))
		fails = e2e_test_conv(arg_u64(argc, argv, 2, 1), (unsigned)arg_u64(argc, argv, 3, 40));
	else if (!strcmp(t, "rtt"))
		fails = e2e_test_rtt((unsigned)arg_u64(argc, argv, 2, 1000));
	else if (!strcmp(t, "escapes"))
		fails = e2e_test_escapes();
	else if (!strcmp(t, "hold"))
		fails = e2e_test_hold((unsigned)arg_u64(argc, argv, 2, 5));
	else if (!strcmp(t, "orphan"))
		fails = e2e_test_orphan();
	else if (!strcmp(t, "unbind"))
		fails = e2e_test_unbind();
	else
		usage();
	printf("npu-e2e %s: %s (%d failed checks)\n", t, fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
