/* haap_dp: the lab HAAP's data plane in C, so the HAAP is not what limits
 * hybridd's benchmark.  Written for the lab independently of hybridd (it
 * includes nothing from it).  haap.py runs it and drives it over stdin:
 *
 *   session KEY LTE_ADDR|- DSL_ADDR|-   the bond (addresses of the client's
 *                                        tunnels that are up; "-" = down)
 *   delay lte|dsl MS                    delay one path, both directions
 *   sched rr|dsl|lte                    downstream: alternate, or one link
 *   stats                               one JSON line on stdout
 *
 * Upstream: GRE data (key = the bond's, from one of the two addresses) is
 * put back in order by sequence number (a ring, released in order or after
 * a timeout) and written to the TUN.  Downstream: packets from the TUN get
 * GRE with key and one sequence counter (DHCP replies and link-local
 * traffic go without one, as the real HAAP sends them).
 *
 * Usage: haap_dp TUN H_ADDR CTRL_PROTO REORDER_MS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 8192
#define PKT 2048
#define DQ 16384 /* delay queue per path */

struct qpkt {
	int64_t due;
	uint16_t len;
	uint8_t data[PKT];
	struct in6_addr peer;
};

static struct {
	int tun, sock;
	struct in6_addr h, addr[2];
	int up[2];
	uint32_t key, seq;
	int have;
	int delay_ms[2];
	int sched; /* 0 rr, 1 dsl, 2 lte */
	unsigned rr;
	/* reorder */
	int started;
	uint32_t next;
	unsigned held;
	int64_t wait_since;
	int reorder_ms;
	uint8_t *slot;
	uint16_t *slen;
	uint32_t *sseq;
	uint8_t *sused;
	int64_t *sat;
	/* delay queues: [path][dir] dir 0 = to the client, 1 = from it */
	struct qpkt *q[2][2];
	unsigned qh[2][2], qt[2][2];
	uint64_t rx, tx, bad, wrong_key, unseq, in_order, reordered, dup, lost, qdrop;
} S;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tun_out(const uint8_t *p, size_t n)
{
	if (write(S.tun, p, n) < 0)
		S.qdrop++;
}

static void flush(void)
{
	for (;;) {
		unsigned i = S.next % SLOTS;
		if (!S.sused[i] || S.sseq[i] != S.next)
			return;
		S.sused[i] = 0;
		S.held--;
		tun_out(S.slot + (size_t)i * PKT, S.slen[i]);
		S.next++;
	}
}

static void rewait(void)
{
	for (uint32_t k = 1; k < SLOTS && S.held; k++) {
		unsigned i = (S.next + k) % SLOTS;
		if (S.sused[i] && S.sseq[i] == S.next + k) {
			S.wait_since = S.sat[i];
			return;
		}
	}
}

static int skip(void)
{
	for (uint32_t k = 1; k < SLOTS; k++) {
		unsigned i = (S.next + k) % SLOTS;
		if (S.sused[i] && S.sseq[i] == S.next + k) {
			S.lost += k;
			S.next += k;
			flush();
			return 1;
		}
	}
	memset(S.sused, 0, SLOTS);
	S.held = 0;
	return 0;
}

static void reorder_push(uint32_t seq, const uint8_t *p, size_t n, int64_t t)
{
	if (!S.started) {
		S.started = 1;
		S.next = seq;
	}
	int32_t d = (int32_t)(seq - S.next);
	if (d < 0 && d > -(int32_t)SLOTS) {
		S.dup++;
		return;
	}
	/* Far behind is not a duplicate: a client that restarted begins a new
	 * stream at a random sequence number.  Treat it like a far jump ahead
	 * (release what is held, resync), or every packet would be dropped. */
	if (d < 0)
		d = SLOTS;
	if (d == 0) {
		S.in_order++;
		tun_out(p, n);
		S.next++;
		flush();
		rewait();
		return;
	}
	if (d >= SLOTS) {
		while (S.held && skip())
			;
		S.next = seq + 1;
		tun_out(p, n);
		return;
	}
	unsigned i = seq % SLOTS;
	if (S.sused[i]) {
		S.dup++;
		return;
	}
	S.sused[i] = 1;
	S.sseq[i] = seq;
	S.slen[i] = (uint16_t)n;
	S.sat[i] = t;
	memcpy(S.slot + (size_t)i * PKT, p, n);
	if (!S.held++)
		S.wait_since = t;
	S.reordered++;
}

static void reorder_tick(int64_t t)
{
	while (S.held && t - S.wait_since >= S.reorder_ms) {
		skip();
		rewait();
	}
}

static void send_to(const struct in6_addr *dst, const uint8_t *p, size_t n)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *dst };
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct iovec iov = { (void *)p, n };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	struct in6_pktinfo pi = { .ipi6_addr = S.h };
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (sendmsg(S.sock, &mh, 0) < 0)
		S.qdrop++;
	else
		S.tx++;
}

static void gre_in(int path, const uint8_t *p, size_t n, int64_t t)
{
	(void)path;
	uint16_t flags = (uint16_t)(p[0] << 8 | p[1]);
	uint32_t key = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	if (!S.have || key != S.key) {
		S.wrong_key++;
		return;
	}
	S.rx++;
	if (flags & 0x1000) {
		if (n < 12) {
			S.bad++;
			return;
		}
		uint32_t seq = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
		reorder_push(seq, p + 12, n - 12, t);
	} else {
		S.unseq++;
		tun_out(p + 8, n - 8);
	}
}

static int enqueue(int path, int dir, const struct in6_addr *peer, const uint8_t *p, size_t n,
		   int64_t due)
{
	unsigned h = S.qh[path][dir], tl = S.qt[path][dir];
	if (h - tl >= DQ) {
		S.qdrop++;
		return -1;
	}
	struct qpkt *q = &S.q[path][dir][h % DQ];
	q->due = due;
	q->len = (uint16_t)n;
	q->peer = *peer;
	memcpy(q->data, p, n);
	S.qh[path][dir] = h + 1;
	return 0;
}

static int64_t run_queues(int64_t t)
{
	int64_t next = INT64_MAX;
	for (int path = 0; path < 2; path++)
		for (int dir = 0; dir < 2; dir++) {
			while (S.qt[path][dir] != S.qh[path][dir]) {
				struct qpkt *q = &S.q[path][dir][S.qt[path][dir] % DQ];
				if (q->due > t) {
					if (q->due < next)
						next = q->due;
					break;
				}
				if (dir == 0)
					send_to(&q->peer, q->data, q->len);
				else
					gre_in(path, q->data, q->len, t);
				S.qt[path][dir]++;
			}
		}
	return next;
}

static int unsequenced(const uint8_t *p, size_t n)
{
	if (p[0] >> 4 == 6 && n >= 40)
		return p[24] == 0xfe && (p[25] & 0xc0) == 0x80;
	if (p[0] >> 4 == 4 && n >= 28 && p[9] == 17) {
		size_t ihl = (size_t)(p[0] & 15) * 4;
		return n >= ihl + 4 && p[ihl] == 0 && p[ihl + 1] == 67 && p[ihl + 2] == 0 &&
		       p[ihl + 3] == 68;
	}
	return 0;
}

static void from_tun(int64_t t)
{
	static uint8_t buf[PKT];
	for (int k = 0; k < 256; k++) {
		ssize_t n = read(S.tun, buf + 12, PKT - 12);
		if (n <= 0)
			return;
		if (!S.have || (!S.up[0] && !S.up[1]))
			continue;
		int path;
		if (S.up[0] && S.up[1])
			path = S.sched == 0 ? (int)(S.rr++ & 1) : S.sched == 1 ? 1 : 0;
		else
			path = S.up[1] ? 1 : 0;
		uint16_t proto = buf[12] >> 4 == 6 ? 0x86dd : 0x0800;
		const uint8_t *pkt;
		size_t len;
		if (unsequenced(buf + 12, (size_t)n)) {
			uint8_t *h = buf + 4;
			h[0] = 0x20; h[1] = 0; h[2] = proto >> 8; h[3] = proto & 0xff;
			h[4] = S.key >> 24; h[5] = S.key >> 16; h[6] = S.key >> 8; h[7] = S.key;
			pkt = h;
			len = (size_t)n + 8;
		} else {
			uint8_t *h = buf;
			h[0] = 0x30; h[1] = 0; h[2] = proto >> 8; h[3] = proto & 0xff;
			h[4] = S.key >> 24; h[5] = S.key >> 16; h[6] = S.key >> 8; h[7] = S.key;
			h[8] = S.seq >> 24; h[9] = S.seq >> 16; h[10] = S.seq >> 8; h[11] = S.seq;
			S.seq++;
			pkt = h;
			len = (size_t)n + 12;
		}
		if (S.delay_ms[path] > 0)
			enqueue(path, 0, &S.addr[path], pkt, len, t + S.delay_ms[path]);
		else
			send_to(&S.addr[path], pkt, len);
	}
}

static void from_sock(int64_t t)
{
	static uint8_t buf[PKT];
	for (int k = 0; k < 256; k++) {
		struct sockaddr_in6 sa;
		socklen_t sl = sizeof(sa);
		ssize_t n = recvfrom(S.sock, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);
		if (n <= 0)
			return;
		if (n < 8) {
			S.bad++;
			continue;
		}
		int path = -1;
		for (int i = 0; i < 2; i++)
			if (S.up[i] && !memcmp(&sa.sin6_addr, &S.addr[i], 16))
				path = i;
		if (path < 0) {
			S.wrong_key++;
			continue;
		}
		if (S.delay_ms[path] > 0)
			enqueue(path, 1, &sa.sin6_addr, buf, (size_t)n, t + S.delay_ms[path]);
		else
			gre_in(path, buf, (size_t)n, t);
	}
}

static void command(char *line)
{
	char a[64], b[64], c[64];
	unsigned long key;
	int ms;
	if (sscanf(line, "session %lu %63s %63s", &key, a, b) == 3) {
		S.have = 1;
		if (S.key != (uint32_t)key) {
			S.started = 0;
			memset(S.sused, 0, SLOTS);
			S.held = 0;
		}
		S.key = (uint32_t)key;
		S.up[0] = inet_pton(AF_INET6, a, &S.addr[0]) == 1;
		S.up[1] = inet_pton(AF_INET6, b, &S.addr[1]) == 1;
	} else if (!strncmp(line, "nosession", 9)) {
		S.have = 0;
	} else if (sscanf(line, "delay %63s %d", c, &ms) == 2) {
		S.delay_ms[!strcmp(c, "dsl")] = ms;
	} else if (sscanf(line, "sched %63s", c) == 1) {
		S.sched = !strcmp(c, "dsl") ? 1 : !strcmp(c, "lte") ? 2 : 0;
	} else if (!strncmp(line, "stats", 5)) {
		printf("{\"rx_data\": %llu, \"tx_data\": %llu, \"bad\": %llu, \"wrong_key\": %llu, "
		       "\"unseq\": %llu, \"in_order\": %llu, \"held\": %llu, \"dup\": %llu, "
		       "\"lost\": %llu, \"drops\": %llu}\n",
		       (unsigned long long)S.rx, (unsigned long long)S.tx, (unsigned long long)S.bad,
		       (unsigned long long)S.wrong_key, (unsigned long long)S.unseq,
		       (unsigned long long)S.in_order, (unsigned long long)S.reordered,
		       (unsigned long long)S.dup, (unsigned long long)S.lost,
		       (unsigned long long)S.qdrop);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: haap_dp TUN H_ADDR CTRL_PROTO REORDER_MS\n");
		return 64;
	}
	if (inet_pton(AF_INET6, argv[2], &S.h) != 1)
		return 64;
	unsigned ctrl = (unsigned)strtoul(argv[3], NULL, 0);
	S.reorder_ms = atoi(argv[4]);
	S.slot = malloc((size_t)SLOTS * PKT);
	S.slen = calloc(SLOTS, sizeof(*S.slen));
	S.sseq = calloc(SLOTS, sizeof(*S.sseq));
	S.sused = calloc(SLOTS, 1);
	S.sat = calloc(SLOTS, sizeof(*S.sat));
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			S.q[i][j] = malloc(sizeof(struct qpkt) * DQ);
	S.tun = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (S.tun < 0 || ioctl(S.tun, TUNSETIFF, &ifr) < 0) {
		perror("tun");
		return 71;
	}
	S.sock = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_GRE);
	if (S.sock < 0) {
		perror("socket");
		return 71;
	}
	/* data only: the control protocol is haap.py's */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ctrl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
	};
	struct sock_fprog prog = { 4, f };
	setsockopt(S.sock, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	int big = 8 << 20;
	setsockopt(S.sock, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(S.sock, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	fcntl(0, F_SETFL, O_NONBLOCK);
	char line[512];
	size_t ll = 0;
	for (;;) {
		int64_t t = now_ms();
		int64_t next = run_queues(t);
		reorder_tick(t);
		if (S.held && S.wait_since + S.reorder_ms < next)
			next = S.wait_since + S.reorder_ms;
		int timeout = next == INT64_MAX ? 1000 : (int)(next - t > 0 ? next - t : 0);
		struct pollfd p[3] = { { S.sock, POLLIN, 0 }, { S.tun, POLLIN, 0 }, { 0, POLLIN, 0 } };
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			return 71;
		t = now_ms();
		if (p[0].revents & POLLIN)
			from_sock(t);
		if (p[1].revents & POLLIN)
			from_tun(t);
		if (p[2].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(0, line + ll, sizeof(line) - ll - 1);
			if (n == 0)
				return 0; /* haap.py went away */
			if (n > 0) {
				ll += (size_t)n;
				line[ll] = 0;
				char *nl;
				while ((nl = strchr(line, '\n'))) {
					*nl = 0;
					command(line);
					memmove(line, nl + 1, ll - (size_t)(nl + 1 - line) + 1);
					ll -= (size_t)(nl + 1 - line);
				}
				if (ll >= sizeof(line) - 1)
					ll = 0;
			}
		}
	}
}
