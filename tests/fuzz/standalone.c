/* SPDX-License-Identifier: MIT */
/*
 * A fuzzing driver for machines without libFuzzer: links with one target's
 * LLVMFuzzerTestOneInput (built with gcc and ASan + UBSan) and
 *   1. replays every input it is given (files, or every file of a
 *      directory), and
 *   2. runs -runs=N inputs made by mutating them, from -seed=S: bit flips,
 *      random bytes, interesting values (0, 1, -1, the 8/16/32-bit
 *      limits, big- and little-endian), small additions, truncation,
 *      insertion, deletion, chunk duplication and copies, and splicing of
 *      two inputs; 1, 2, 4 or 8 of them stacked. No coverage feedback:
 *      every input starts from a corpus file.
 * Given only files (no directory) and no -runs, it replays them and stops,
 * like libFuzzer: that is how a crash is reproduced.
 *
 * Options, libFuzzer's spelling: -runs=N (default 100000), -seed=S
 * (default: the clock; printed), -max_len=N (mutated inputs; default the
 * largest corpus file, at least 4096), -timeout=S (per input, default 10),
 * -artifact_prefix=P (where a crashing input is written; default ./).
 *
 * When an input crashes (a sanitizer report, abort, a timeout) the input
 * is written to P crash-<hash> (timeout-<hash>) and the command that
 * replays it is printed; the exit status is then non-zero. The last line
 * of a clean run says how many inputs ran, in how long, with which seed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* From the sanitizer runtime when linked with one. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/*
 * gcc links UBSan as its own runtime, with its own death callback: make
 * its reports abort instead, so that the SIGABRT handler saves the input.
 */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "abort_on_error=1:print_stacktrace=1";
}

struct input {
	uint8_t *p;
	size_t n;
	char *name;
};

static struct input *corpus;
static size_t ncorpus;

/* The input being run, for the crash handlers. */
static const uint8_t *volatile cur;
static volatile size_t cur_len;
static const char *prog = "standalone";
static char prefix[4096] = "./";
static volatile sig_atomic_t dumping;

/* ---- crash capture (async-signal-safe: write(2) and arithmetic only) ---- */

static void put(int fd, const char *s)
{
	ssize_t r = write(fd, s, strlen(s));

	(void)r;
}

static void dump_input(const char *kind)
{
	static const char hex[] = "0123456789abcdef";
	char path[sizeof(prefix) + 64];
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i, k;
	int fd;

	if (dumping)
		return;
	dumping = 1;
	for (i = 0; i < cur_len; i++)
		h = (h ^ cur[i]) * 0x100000001b3ull;
	k = strlen(prefix);
	memcpy(path, prefix, k);
	memcpy(path + k, kind, strlen(kind));
	k += strlen(kind);
	path[k++] = '-';
	for (i = 0; i < 16; i++)
		path[k++] = hex[(h >> (60 - 4 * i)) & 15];
	path[k] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		size_t off = 0;

		while (off < cur_len) {
			ssize_t r = write(fd, cur + off, cur_len - off);

			if (r <= 0)
				break;
			off += (size_t)r;
		}
		close(fd);
	}
	put(2, "\n");
	put(2, prog);
	put(2, ": the input that failed is in ");
	put(2, path);
	put(2, "\nreplay it with: ");
	put(2, prog);
	put(2, " ");
	put(2, path);
	put(2, "\n");
}

static void on_death(void)
{
	dump_input("crash");
}

static void on_signal(int sig)
{
	dump_input(sig == SIGALRM ? "timeout" : "crash");
	if (sig == SIGALRM)
		put(2, "(timeout)\n");
	signal(sig, SIG_DFL);
	raise(sig == SIGALRM ? SIGABRT : sig);
}

/* ---- corpus ---- */

static int read_file(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	in->n = (size_t)n;
	in->p = malloc(in->n ? in->n : 1);
	in->name = strdup(path);
	if (!in->p || !in->name || fread(in->p, 1, in->n, f) != in->n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static void add_input(const char *path)
{
	struct input *c = realloc(corpus, sizeof(*c) * (ncorpus + 1));

	if (!c) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	corpus = c;
	memset(&corpus[ncorpus], 0, sizeof(*corpus));
	if (read_file(path, &corpus[ncorpus])) {
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, path, strerror(errno));
		exit(1);
	}
	ncorpus++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a directory, in name order (runs are reproducible). */
static void add_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;

	if (!d) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, dir, strerror(errno));
		exit(1);
	}
	while ((e = readdir(d))) {
		char path[4096];
		struct stat sb;
		char **nn;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &sb) || !S_ISREG(sb.st_mode))
			continue;
		if (!(nn = realloc(names, sizeof(*names) * (n + 1))) || !(nn[n] = strdup(path))) {
			fprintf(stderr, "%s: out of memory\n", prog);
			exit(1);
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		add_input(names[i]);
		free(names[i]);
	}
	free(names);
}

/* ---- mutations ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 16, 28, 32, 64, 100, 127, 128, 255, 256,
	512, 1000, 1024, 4096, 32767, 32768, 65535, 65536, 100663296, 0x7fffffff, 0x80000000,
	0xfffffffe, 0xffffffff,
};

/* Inserts k bytes at pos (k already bounded by the capacity). */
static size_t make_room(uint8_t *b, size_t len, size_t pos, size_t k)
{
	memmove(b + pos + k, b + pos, len - pos);
	return len + k;
}

static size_t mutate_once(uint8_t *b, size_t len, size_t cap)
{
	size_t pos, k, a;
	uint8_t tmp[64];

	switch (rnd() % 11) {
	case 0:	/* bit flip */
		if (len)
			b[below(len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:	/* random byte */
		if (len)
			b[below(len)] = (uint8_t)rnd();
		break;
	case 2: {	/* an interesting value, 1, 2 or 4 bytes, either byte order */
		uint32_t v = interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
		size_t w = (size_t)1 << below(3), i;
		int be = (int)(rnd() & 1);

		if (len < w)
			break;
		pos = below(len - w + 1);
		for (i = 0; i < w; i++)
			b[pos + i] = (uint8_t)(v >> (8 * (be ? w - 1 - i : i)));
		break;
	}
	case 3:	/* small addition to a byte */
		if (len)
			b[below(len)] += (uint8_t)(below(33) - 16);
		break;
	case 4:	/* truncation: anywhere, or a few bytes off the end */
		len = rnd() & 1 ? below(len + 1) : len - min_sz(len, 1 + below(8));
		break;
	case 5:	/* insertion of random bytes or a repeated byte */
		k = min_sz(1 + below(16), cap - len);
		pos = below(len + 1);
		len = make_room(b, len, pos, k);
		if (rnd() & 1) {
			memset(b + pos, (int)(rnd() & 0xff), k);
		} else {
			for (a = 0; a < k; a++)
				b[pos + a] = (uint8_t)rnd();
		}
		break;
	case 6:	/* deletion */
		if (!len)
			break;
		k = 1 + below(min_sz(16, len));
		pos = below(len - k + 1);
		memmove(b + pos, b + pos + k, len - pos - k);
		len -= k;
		break;
	case 7:	/* chunk duplication: a copy of a chunk inserted elsewhere */
		if (!len)
			break;
		a = below(len);
		k = min_sz(min_sz(1 + below(sizeof(tmp)), len - a), cap - len);
		memcpy(tmp, b + a, k);
		pos = below(len + 1);
		len = make_room(b, len, pos, k);
		memcpy(b + pos, tmp, k);
		break;
	case 8:	/* chunk copy over another place */
		if (len < 2)
			break;
		a = below(len);
		pos = below(len);
		k = 1 + below(min_sz(len - a, len - pos));
		memmove(b + pos, b + a, k);
		break;
	case 9: {	/* splice: our head, another input's tail */
		const struct input *o = &corpus[below(ncorpus)];
		size_t cut = below(len + 1), from = below(o->n + 1);

		k = min_sz(o->n - from, cap - cut);
		memcpy(b + cut, o->p + from, k);
		len = cut + k;
		break;
	}
	case 10:	/* a 32-bit big-endian field (IDX, PNG) plus or minus a little */
		if (len >= 4) {
			uint32_t v;

			pos = below(len - 3);
			v = (uint32_t)b[pos] << 24 | (uint32_t)b[pos + 1] << 16 |
			    (uint32_t)b[pos + 2] << 8 | b[pos + 3];
			v += (uint32_t)(below(33) - 16);
			b[pos] = (uint8_t)(v >> 24);
			b[pos + 1] = (uint8_t)(v >> 16);
			b[pos + 2] = (uint8_t)(v >> 8);
			b[pos + 3] = (uint8_t)v;
		}
		break;
	}
	return len;
}

static void run_one(const uint8_t *p, size_t n, unsigned timeout)
{
	cur = p;
	cur_len = n;
	alarm(timeout);
	LLVMFuzzerTestOneInput(p, n);
	alarm(0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long runs = 100000, seed = (unsigned long long)time(NULL) ^
						 ((unsigned long long)getpid() << 32);
	size_t max_len = 0, i, cap;
	unsigned timeout = 10;
	int have_runs = 0, dirs = 0, files = 0;
	unsigned long long r;
	uint8_t *buf;
	double t0;
	int a;

	prog = argv[0];
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (a = 1; a < argc; a++) {
		const char *s = argv[a];
		struct stat sb;

		if (!strncmp(s, "-runs=", 6)) {
			runs = strtoull(s + 6, NULL, 0);
			have_runs = 1;
		} else if (!strncmp(s, "-seed=", 6)) {
			seed = strtoull(s + 6, NULL, 0);
		} else if (!strncmp(s, "-max_len=", 9)) {
			max_len = strtoull(s + 9, NULL, 0);
		} else if (!strncmp(s, "-timeout=", 9)) {
			timeout = (unsigned)strtoul(s + 9, NULL, 0);
		} else if (!strncmp(s, "-artifact_prefix=", 17)) {
			snprintf(prefix, sizeof(prefix), "%s", s + 17);
		} else if (s[0] == '-') {
			fprintf(stderr, "usage: %s [-runs=N] [-seed=S] [-max_len=N] [-timeout=S] "
				"[-artifact_prefix=P] FILE|DIR...\n", prog);
			return 2;
		} else if (!stat(s, &sb) && S_ISDIR(sb.st_mode)) {
			add_dir(s);
			dirs++;
		} else {
			add_input(s);
			files++;
		}
	}
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_death);
	signal(SIGABRT, on_signal);
	signal(SIGILL, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGALRM, on_signal);
	if (!ncorpus) {
		static uint8_t empty[1];

		corpus = calloc(1, sizeof(*corpus));
		corpus[0].p = empty;
		corpus[0].name = (char *)"(empty)";
		ncorpus = 1;
	}
	t0 = now();
	for (i = 0; i < ncorpus; i++)
		run_one(corpus[i].p, corpus[i].n, timeout);
	if (files && !dirs && !have_runs) {
		printf("%s: replayed %zu input%s in %.3f s: no crash\n", prog, ncorpus,
		       ncorpus == 1 ? "" : "s", now() - t0);
		return 0;
	}
	if (!max_len) {
		for (i = 0; i < ncorpus; i++)
			max_len = corpus[i].n > max_len ? corpus[i].n : max_len;
		max_len = max_len < 4096 ? 4096 : max_len;
	}
	cap = max_len;
	buf = malloc(cap);
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	rng = seed;
	for (r = 0; r < runs; r++) {
		const struct input *in = &corpus[below(ncorpus)];
		size_t len = min_sz(in->n, cap);
		int k, stack = 1 << below(4);

		memcpy(buf, in->p, len);
		for (k = 0; k < stack; k++)
			len = mutate_once(buf, len, cap);
		run_one(buf, len, timeout);
	}
	{
		double t = now() - t0;

		printf("%s: %zu inputs replayed, %llu mutated (seed %llu, max_len %zu) in %.1f s "
		       "(%.0f/s): no crash\n", prog, ncorpus, runs, seed, max_len, t,
		       (double)(ncorpus + runs) / (t > 0 ? t : 1e-9));
	}
	free(buf);
	return 0;
}
