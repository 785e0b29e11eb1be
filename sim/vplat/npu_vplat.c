// SPDX-License-Identifier: MIT
/*
 * npu-vplat - the virtual platform's device: serves QEMU's ivshmem-doorbell
 * PCI function and runs the simulator (sim/npu_sim.h) behind it.
 *
 *   npu-vplat --socket PATH [--mem-log2 N] [options]
 *   qemu-system-x86_64 ... -chardev socket,path=PATH,id=npu \
 *       -device ivshmem-doorbell,chardev=npu,vectors=1
 *
 * Device memory is a memfd shared with QEMU (it becomes BAR2); the transport
 * in its reserved bottom is hw/npu_vplat.h. The server implements the
 * ivshmem server protocol for one client (QEMU 7.2 behaviour): on connect it
 * sends, one sendmsg per int64, the protocol version 0, the client's id,
 * -1 with the shared memory fd (SCM_RIGHTS), then each peer's id with one
 * eventfd per vector: peer 0 (this server, its doorbell) first, the client
 * last. QEMU writes peer 0's eventfd when the guest rings the doorbell; the
 * server writes the client's vector-0 eventfd to raise MSI-X vector 0.
 * EOF on the socket means QEMU exited: the server prints its statistics
 * and exits (status 0, or 2 if there were escapes or simulator faults).
 *
 * It prints "npu-vplat: listening on PATH" once the socket listens.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "npu_hw.h"
#include "npu_sim.h"
#include "npu_vplat.h"

#define CLIENT_ID	1
#define MAX_ESCAPE_MSGS	20

struct vplat {
	struct npu_sim *sim;
	uint8_t *mem;
	uint64_t mem_size;
	volatile struct npu_vplat_hdr *hdr;
	int memfd, listen_fd, conn_fd;
	int doorbell_fd;		/* peer 0, vector 0: the guest rings us */
	int irq_fd;			/* the client's vector 0: we interrupt it */

	uint64_t chunk;			/* cycles per simulation slice */
	bool active;			/* the device has work: keep simulating */
	bool irq_signalled;		/* an MSI was sent for the current line level */

	/* fault injection */
	bool hang_armed, hung;
	uint32_t delay_ms;		/* armed delay, 0 = none */
	uint64_t delay_until_ns;	/* stalled until then */

	/* what the escape check needs from the register writes */
	uint32_t ring_base, ring_size;

	uint64_t escapes, accesses, irqs, doorbells, writes, sim_ns;
	uint64_t loops, drain_ns, publish_ns;	/* profile, printed with -v */
	uint64_t irq_sent_ns, irq_ack_ns, irq_acks;	/* interrupt -> acknowledgement */
	unsigned escape_msgs;
	int verbose;
	const char *stats_path;
};

static volatile sig_atomic_t stop_signal;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("npu-vplat: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile uint32_t *mem32(struct vplat *vp, uint32_t off)
{
	return (volatile uint32_t *)(vp->mem + off);
}

/* ------------------------------------------------------------------ */
/* Register mirror                                                     */
/* ------------------------------------------------------------------ */
static void publish(struct vplat *vp)
{
	uint32_t off;

	for (off = 0; off <= NPU_REG_SCRATCH; off += 4)
		*mem32(vp, NPU_VPLAT_REGS_OFF + off) = npu_sim_reg_read(vp->sim, off);
	for (off = NPU_REG_COUNTERS; off < NPU_REG_COUNTER_LO(NPU_NUM_COUNTERS); off += 4)
		*mem32(vp, NPU_VPLAT_REGS_OFF + off) = npu_sim_reg_read(vp->sim, off);
	vp->hdr->escapes = vp->escapes;
	vp->hdr->accesses = vp->accesses;
	vp->hdr->irqs = vp->irqs;
	vp->hdr->doorbells = vp->doorbells;
	vp->hdr->faults = npu_sim_faults(vp->sim);
	vp->hdr->sim_ns = vp->sim_ns;
	vp->hdr->irq_ack_ns = vp->irq_ack_ns;
	vp->hdr->irq_acks = vp->irq_acks;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vp->hdr->publish_seq = vp->hdr->publish_seq + 1;
}

/* ------------------------------------------------------------------ */
/* Escape accounting (the simulator's access hook)                      */
/* ------------------------------------------------------------------ */
static const char *kind_name(unsigned k)
{
	static const char *const n[] = { "ring", "input", "weights", "params",
					 "output", "stats" };

	return k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static void on_access(void *ctx, const struct npu_sim_access *a)
{
	struct vplat *vp = ctx;
	uint64_t s = a->addr, e = a->addr + a->len;
	bool ok = false;
	uint32_t slot = NPU_VPLAT_NO_SLOT, i, n;

	vp->accesses++;
	if (!vp->hdr->acl_enable)
		return;
	if (a->kind == NPU_SIM_KIND_RING) {
		ok = s >= vp->ring_base &&
		     e <= (uint64_t)vp->ring_base + (uint64_t)vp->ring_size * NPU_DESC_BYTES;
	} else {
		slot = ((volatile uint16_t *)(vp->mem + NPU_VPLAT_RING_MAP_OFF))
			[a->ring_index % NPU_VPLAT_RING_MAP_ENTRIES];
		if (slot < NPU_VPLAT_ACL_SLOTS) {
			volatile struct npu_vplat_acl *acl = (volatile struct npu_vplat_acl *)
				(vp->mem + NPU_VPLAT_ACL_OFF) + slot;

			n = acl->count;
			if (n > NPU_VPLAT_ACL_RANGES)
				n = NPU_VPLAT_ACL_RANGES;
			for (i = 0; i < n && !ok; i++)
				ok = s >= acl->range[i].start && e <= acl->range[i].end;
		}
	}
	if (ok)
		return;
	vp->escapes++;
	if (vp->escape_msgs++ < MAX_ESCAPE_MSGS)
		fprintf(stderr, "npu-vplat: ESCAPE: %s %s [%#llx, %#llx) ring index %u slot %u\n",
			a->write ? "write" : "read", kind_name(a->kind),
			(unsigned long long)s, (unsigned long long)e, a->ring_index, slot);
}

/* ------------------------------------------------------------------ */
/* Write queue                                                         */
/* ------------------------------------------------------------------ */
static void apply(struct vplat *vp, uint32_t off, uint32_t val)
{
	vp->writes++;
	if (vp->verbose > 1)
		fprintf(stderr, "npu-vplat: write %#x = %#x\n", off, val);
	switch (off) {
	case NPU_VPLAT_CMD_HANG:
		vp->hang_armed = true;
		return;
	case NPU_VPLAT_CMD_ERROR:
		npu_sim_inject_error(vp->sim);
		return;
	case NPU_VPLAT_CMD_DELAY:
		vp->delay_ms = val;
		return;
	case NPU_VPLAT_CMD_CLEAR_STATS:
		vp->escapes = vp->accesses = 0;
		vp->sim_ns = vp->irq_ack_ns = vp->irq_acks = 0;
		return;
	default:
		break;
	}
	if (off >= NPU_REG_WINDOW || (off & 3))
		return;
	if (off == NPU_REG_CTRL && (val & NPU_CTRL_SOFT_RESET)) {
		vp->hung = vp->hang_armed = false;
		vp->delay_ms = 0;
		vp->ring_base = vp->ring_size = 0;
	}
	if (vp->hung)
		return;			/* a hung device ignores everything else */
	if (off == NPU_REG_RING_TAIL && vp->hang_armed) {
		vp->hung = true;
		vp->hang_armed = false;
		if (vp->verbose)
			fprintf(stderr, "npu-vplat: injected hang\n");
		return;
	}
	npu_sim_reg_write(vp->sim, off, val);
	if (off == NPU_REG_RING_BASE)
		vp->ring_base = val;
	else if (off == NPU_REG_RING_SIZE)
		vp->ring_size = val;
	else if (off == NPU_REG_IRQ_ACK) {
		vp->irq_signalled = false;	/* re-signal if the line stays up */
		if (vp->irq_sent_ns) {
			vp->irq_ack_ns += now_ns() - vp->irq_sent_ns;
			vp->irq_acks++;
			vp->irq_sent_ns = 0;
		}
	}
	else if (off == NPU_REG_RING_TAIL && vp->delay_ms) {
		vp->delay_until_ns = now_ns() + vp->delay_ms * 1000000ull;
		vp->delay_ms = 0;
	}
}

/* Applies queued writes; stops early when a delay starts. Returns the new head. */
static uint32_t drain(struct vplat *vp)
{
	uint32_t head = vp->hdr->wq_head, tail;
	volatile struct npu_vplat_wq_entry *wq =
		(volatile struct npu_vplat_wq_entry *)(vp->mem + NPU_VPLAT_WQ_OFF);

	tail = vp->hdr->wq_tail;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (tail - head > NPU_VPLAT_WQ_ENTRIES) {
		fprintf(stderr, "npu-vplat: bad write queue tail %u (head %u)\n", tail, head);
		return tail;
	}
	while (head != tail && !vp->delay_until_ns) {
		volatile struct npu_vplat_wq_entry *e = &wq[head % NPU_VPLAT_WQ_ENTRIES];

		apply(vp, e->off, e->val);
		head++;
		vp->active = true;
	}
	return head;
}

/* ------------------------------------------------------------------ */
/* ivshmem server protocol                                             */
/* ------------------------------------------------------------------ */
static void send_msg(int sock, int64_t v, int fd)
{
	struct msghdr msg = { 0 };
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	ssize_t n;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(v))
		die("sendmsg: %s", strerror(errno));
}

static void handshake(struct vplat *vp)
{
	send_msg(vp->conn_fd, 0, -1);			/* protocol version */
	send_msg(vp->conn_fd, CLIENT_ID, -1);		/* the client's id */
	send_msg(vp->conn_fd, -1, vp->memfd);		/* shared memory */
	send_msg(vp->conn_fd, NPU_VPLAT_SERVER_PEER, vp->doorbell_fd);
	send_msg(vp->conn_fd, CLIENT_ID, vp->irq_fd);	/* own vectors last */
}

static void signal_irq(struct vplat *vp)
{
	uint64_t one = 1;

	if (write(vp->irq_fd, &one, sizeof(one)) != sizeof(one))
		die("eventfd write: %s", strerror(errno));
	vp->irqs++;
	vp->irq_sent_ns = now_ns();
}

/* ------------------------------------------------------------------ */
static void print_stats(struct vplat *vp, const char *why)
{
	uint64_t faults = npu_sim_faults(vp->sim);
	FILE *f;

	fprintf(stderr, "npu-vplat: %s: cycles=%llu (%.1f s simulating) doorbells=%llu writes=%llu "
		"irqs=%llu accesses=%llu escapes=%llu faults=%llu\n", why,
		(unsigned long long)npu_sim_cycles(vp->sim), vp->sim_ns / 1e9,
		(unsigned long long)vp->doorbells, (unsigned long long)vp->writes,
		(unsigned long long)vp->irqs, (unsigned long long)vp->accesses,
		(unsigned long long)vp->escapes, (unsigned long long)faults);
	if (vp->verbose)
		fprintf(stderr, "npu-vplat: %llu loops, %.3f s applying writes, %.3f s publishing, "
			"interrupt -> ack %.1f us on average\n", (unsigned long long)vp->loops,
			vp->drain_ns / 1e9, vp->publish_ns / 1e9,
			vp->irq_acks ? vp->irq_ack_ns / 1e3 / vp->irq_acks : 0.0);
	if (vp->stats_path && (f = fopen(vp->stats_path, "w"))) {
		fprintf(f, "cycles %llu\ndoorbells %llu\nirqs %llu\naccesses %llu\n"
			"escapes %llu\nfaults %llu\n",
			(unsigned long long)npu_sim_cycles(vp->sim),
			(unsigned long long)vp->doorbells, (unsigned long long)vp->irqs,
			(unsigned long long)vp->accesses, (unsigned long long)vp->escapes,
			(unsigned long long)faults);
		fclose(f);
	}
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void serve(struct vplat *vp)
{
	struct pollfd pfd[2];
	uint64_t cnt, ran;
	char buf[64];
	uint32_t head, st;
	uint64_t t_a;
	int timeout, n;

	for (;;) {
		if (stop_signal) {
			print_stats(vp, "signal");
			exit(vp->escapes || npu_sim_faults(vp->sim) ? 2 : 0);
		}
		timeout = -1;
		if (vp->delay_until_ns) {
			uint64_t t = now_ns();

			if (t < vp->delay_until_ns) {
				timeout = (int)((vp->delay_until_ns - t + 999999) / 1000000);
				goto wait;
			}
			vp->delay_until_ns = 0;
		}

		t_a = now_ns();
		head = drain(vp);
		vp->drain_ns += now_ns() - t_a;
		vp->loops++;
		if (vp->active && !vp->hung && !vp->delay_until_ns) {
			uint64_t t0 = now_ns();

			/*
			 * With the line up, npu_sim_run() would return at once;
			 * step in short slices so the guest's acknowledgement is
			 * not held up behind a long one.
			 */
			if (npu_sim_irq(vp->sim))
				npu_sim_step(vp->sim, vp->chunk < 64 ? vp->chunk : 64);
			else
				npu_sim_run(vp->sim, vp->chunk, &ran);
			st = npu_sim_reg_read(vp->sim, NPU_REG_STATUS);
			vp->sim_ns += now_ns() - t0;
			vp->active = !(st & (NPU_STATUS_IDLE | NPU_STATUS_HALTED)) ||
				     (st & NPU_STATUS_RESETTING);
		}
		t_a = now_ns();
		publish(vp);
		vp->publish_ns += now_ns() - t_a;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		vp->hdr->wq_head = head;
		if (!vp->hung && !vp->delay_until_ns) {
			if (!npu_sim_irq(vp->sim)) {
				vp->irq_signalled = false;
			} else if (!vp->irq_signalled) {
				vp->irq_signalled = true;
				signal_irq(vp);
			}
		}
		if (vp->active && !vp->hung && !vp->delay_until_ns)
			timeout = 0;
		else if (vp->delay_until_ns)
			continue;
wait:
		pfd[0].fd = vp->doorbell_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = vp->conn_fd;
		pfd[1].events = POLLIN;
		n = poll(pfd, 2, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd[0].revents & POLLIN) {
			if (read(vp->doorbell_fd, &cnt, sizeof(cnt)) == sizeof(cnt))
				vp->doorbells += cnt;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(vp->conn_fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				print_stats(vp, "QEMU disconnected");
				exit(vp->escapes || npu_sim_faults(vp->sim) ? 2 : 0);
			}
		}
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: npu-vplat --socket PATH [--mem-log2 N] [--dram-bpc N] [--dram-latency N]\n"
		"                 [--chunk CYCLES] [--trace FILE.fst] [--stats FILE] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "mem-log2", required_argument, NULL, 'm' },
		{ "dram-bpc", required_argument, NULL, 'b' },
		{ "dram-latency", required_argument, NULL, 'l' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "trace", required_argument, NULL, 't' },
		{ "stats", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct npu_sim_config cfg = { 0 };
	struct vplat vp = { .chunk = 2000, .conn_fd = -1 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *sock_path = NULL;
	unsigned mem_log2 = NPU_MEM_LOG2_DEFAULT;
	struct sigaction sig = { .sa_handler = on_signal };
	int c, ret;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock_path = optarg; break;
		case 'm': mem_log2 = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'b': cfg.dram_bytes_per_cycle = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'l': cfg.dram_latency = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'c': vp.chunk = strtoull(optarg, NULL, 0); break;
		case 't': cfg.trace_path = optarg; break;
		case 'S': vp.stats_path = optarg; break;
		case 'v': vp.verbose++; break;
		default: usage();
		}
	}
	if (!sock_path || optind != argc || mem_log2 < NPU_MEM_LOG2_MIN ||
	    mem_log2 > NPU_MEM_LOG2_MAX || !vp.chunk ||
	    strlen(sock_path) >= sizeof(sa.sun_path))
		usage();

	/* Device memory: a power of two, or QEMU refuses it as a BAR. */
	vp.mem_size = 1ull << mem_log2;
	vp.memfd = memfd_create("npu-vplat", MFD_CLOEXEC);
	if (vp.memfd < 0 || ftruncate(vp.memfd, (off_t)vp.mem_size))
		die("memfd: %s", strerror(errno));
	vp.mem = mmap(NULL, vp.mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, vp.memfd, 0);
	if (vp.mem == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	vp.hdr = (volatile struct npu_vplat_hdr *)(vp.mem + NPU_VPLAT_HDR_OFF);

	cfg.mem_size = vp.mem_size;
	cfg.mem = vp.mem;
	ret = npu_sim_create(&cfg, &vp.sim);
	if (ret)
		die("npu_sim_create: %s", strerror(-ret));
	npu_sim_set_access_hook(vp.sim, on_access, &vp);

	vp.hdr->wq_entries = NPU_VPLAT_WQ_ENTRIES;
	vp.hdr->server_peer = NPU_VPLAT_SERVER_PEER;
	vp.hdr->version = NPU_VPLAT_VERSION;
	publish(&vp);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vp.hdr->magic = NPU_VPLAT_MAGIC;	/* last: the signature says "ready" */

	vp.doorbell_fd = eventfd(0, EFD_CLOEXEC);
	vp.irq_fd = eventfd(0, EFD_CLOEXEC);
	if (vp.doorbell_fd < 0 || vp.irq_fd < 0)
		die("eventfd: %s", strerror(errno));

	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGTERM, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);

	vp.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (vp.listen_fd < 0)
		die("socket: %s", strerror(errno));
	strcpy(sa.sun_path, sock_path);
	unlink(sock_path);
	if (bind(vp.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(vp.listen_fd, 1))
		die("%s: %s", sock_path, strerror(errno));
	printf("npu-vplat: listening on %s (device memory %llu MiB)\n", sock_path,
	       (unsigned long long)(vp.mem_size >> 20));
	fflush(stdout);

	do
		vp.conn_fd = accept4(vp.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (vp.conn_fd < 0 && errno == EINTR && !stop_signal);
	if (vp.conn_fd < 0) {
		if (stop_signal)
			return 0;
		die("accept: %s", strerror(errno));
	}
	close(vp.listen_fd);
	unlink(sock_path);
	handshake(&vp);
	if (vp.verbose)
		fprintf(stderr, "npu-vplat: client %d connected\n", CLIENT_ID);
	serve(&vp);
	return 0;
}
