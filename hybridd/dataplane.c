/* Sockets and TUN of the bond; see dataplane.h. */
#include "dataplane.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"

int dp_init(struct dp *d, uint16_t ctrl_proto, unsigned reorder_slots, uint32_t reorder_ms,
	    dp_control_fn control, void *arg)
{
	memset(d, 0, sizeof(*d));
	d->ctrl_proto = ctrl_proto;
	d->tun_fd = -1;
	for (int i = 0; i < HC_NTUN; i++)
		d->l[i].fd = -1;
	d->control = control;
	d->control_arg = arg;
	d->rxbuf = calloc(DP_BATCH, sizeof(*d->rxbuf));
	d->txbuf = calloc(DP_BATCH, sizeof(*d->txbuf));
	d->txhdr = calloc(DP_BATCH, sizeof(*d->txhdr));
	d->msgs = calloc(DP_BATCH * HC_NTUN, sizeof(*d->msgs));
	d->iov = calloc(DP_BATCH * HC_NTUN * 2, sizeof(*d->iov));
	d->names = calloc(DP_BATCH, sizeof(*d->names));
	if (!d->rxbuf || !d->txbuf || !d->txhdr || !d->msgs || !d->iov || !d->names ||
	    rb_init(&d->rb, reorder_slots, DP_BUF, reorder_ms) < 0) {
		dp_free(d);
		return -1;
	}
	sched_init(&d->sched, SCHED_BONDING);
	/* the caller sets a random start (as the Speedport's counter), so a
	 * restart does not replay the numbers the HAAP just saw */
	d->seq = 0;
	return 0;
}

void dp_free(struct dp *d)
{
	for (int i = 0; i < HC_NTUN; i++)
		if (d->l[i].fd >= 0)
			close(d->l[i].fd);
	if (d->tun_fd >= 0)
		close(d->tun_fd);
	free(d->rxbuf);
	free(d->txbuf);
	free(d->txhdr);
	free(d->msgs);
	free(d->iov);
	free(d->names);
	rb_free(&d->rb);
	memset(d, 0, sizeof(*d));
	d->tun_fd = -1;
	for (int i = 0; i < HC_NTUN; i++)
		d->l[i].fd = -1;
}

int dp_open_tun(struct dp *d, const char *name)
{
	int fd = hgw_tun_open(name, d->tun_name);
	if (fd >= 0)
		d->tun_fd = fd;
	return fd;
}

/* Classic BPF on the GRE header (an IPv6 raw socket sees no IP header):
 * control messages of our protocol with any key (the LTE Accept brings the
 * key), data only with our key, so a flood for other bonds never wakes us. */
static void attach_filter(struct dp *d, int fd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, d->ctrl_proto, 4, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x2000, 0, 3), /* K bit */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, d->key, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	/* with no session yet, only control messages */
	if (!d->have_session)
		f[5] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		log_warn("SO_ATTACH_FILTER: %s (every GRE packet reaches us)", strerror(errno));
}

int dp_link_set(struct dp *d, enum hc_tun t, const struct in6_addr *local, const char *ifname)
{
	struct dp_link *l = &d->l[t];
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
	l->up = false;
	if (!local)
		return 0;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);
	if (fd < 0) {
		log_err("raw GRE socket: %s", strerror(errno));
		return -1;
	}
	attach_filter(d, fd);
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (ifname && ifname[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0)
		log_warn("SO_BINDTODEVICE %s: %s", ifname, strerror(errno));
	/* the tunnel MTU is ours to respect; do not let the kernel fragment */
	int pmtu = IPV6_PMTUDISC_DONT;
	setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *local };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_err("bind raw GRE socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->local = *local;
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname ? ifname : "");
	return fd;
}

void dp_session(struct dp *d, bool have, uint32_t key, const struct in6_addr *haap)
{
	bool same = d->have_session == have && d->key == key &&
		    (!haap || !memcmp(&d->haap, haap, 16));
	if (same)
		return;
	if (have && (!d->have_session || d->key != key)) {
		rb_reset(&d->rb);
	}
	d->have_session = have;
	d->key = key;
	if (haap)
		d->haap = *haap;
	for (int i = 0; i < HC_NTUN; i++)
		if (d->l[i].fd >= 0)
			attach_filter(d, d->l[i].fd);
}

int dp_send_control(struct dp *d, enum hc_tun t, const struct in6_addr *dst, const uint8_t *buf,
		    size_t len)
{
	struct dp_link *l = &d->l[t];
	if (l->fd < 0)
		return -1;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *dst };
	ssize_t n = sendto(l->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
	if (n < 0) {
		log_info("send on %s: %s", t == HC_LTE ? "LTE" : "DSL", strerror(errno));
		l->tx_errors++;
		return -1;
	}
	return 0;
}

static void tun_write(void *arg, const uint8_t *pkt, size_t len)
{
	struct dp *d = arg;
	if (write(d->tun_fd, pkt, len) < 0)
		d->tun_errors++;
	else
		d->tun_tx++;
}

void dp_rx(struct dp *d, enum hc_tun t, int64_t now_ms)
{
	struct dp_link *l = &d->l[t];
	for (int round = 0; round < 8 && l->fd >= 0; round++) {
		for (int i = 0; i < DP_BATCH; i++) {
			d->iov[i].iov_base = d->rxbuf[i];
			d->iov[i].iov_len = DP_BUF;
			memset(&d->msgs[i].msg_hdr, 0, sizeof(d->msgs[i].msg_hdr));
			d->msgs[i].msg_hdr.msg_iov = &d->iov[i];
			d->msgs[i].msg_hdr.msg_iovlen = 1;
			d->msgs[i].msg_hdr.msg_name = &d->names[i];
			d->msgs[i].msg_hdr.msg_namelen = sizeof(d->names[i]);
		}
		int n = recvmmsg(l->fd, d->msgs, DP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		d->batches_rx++;
		for (int i = 0; i < n; i++) {
			const uint8_t *p = d->rxbuf[i];
			size_t len = d->msgs[i].msg_len;
			if (len < 8) {
				d->short_pkts++;
				continue;
			}
			uint16_t flags = (uint16_t)(p[0] << 8 | p[1]);
			uint16_t proto = (uint16_t)(p[2] << 8 | p[3]);
			if (proto == d->ctrl_proto) {
				d->control(d->control_arg, t, &d->names[i].sin6_addr, p, len);
				continue;
			}
			/* data: K must be set, no checksum, version 0 */
			if ((flags & 0xb007) != 0x2000 && (flags & 0xb007) != 0x3000) {
				d->short_pkts++;
				continue;
			}
			uint32_t key = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
				       (uint32_t)p[6] << 8 | p[7];
			if (!d->have_session || key != d->key ||
			    memcmp(&d->names[i].sin6_addr, &d->haap, 16) != 0) {
				d->wrong_key++;
				continue;
			}
			l->rx_packets++;
			l->rx_bytes += len;
			d->traffic = true;
			if (d->tun_fd < 0)
				continue;
			if (flags & 0x1000) {
				if (len < 12) {
					d->short_pkts++;
					continue;
				}
				uint32_t seq = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
					       (uint32_t)p[10] << 8 | p[11];
				rb_push(&d->rb, seq, p + 12, len - 12, now_ms, tun_write, d);
			} else {
				/* no sequence number (the HAAP's DHCP replies):
				 * deliver at once */
				d->unsequenced++;
				tun_write(d, p + 8, len - 8);
			}
		}
		if (n < DP_BATCH)
			return;
	}
}

static void put_hdr(uint8_t *h, uint16_t proto, uint32_t key, uint32_t seq)
{
	h[0] = 0x30; /* K and S */
	h[1] = 0;
	h[2] = proto >> 8;
	h[3] = proto & 0xff;
	h[4] = key >> 24; h[5] = key >> 16; h[6] = key >> 8; h[7] = key;
	h[8] = seq >> 24; h[9] = seq >> 16; h[10] = seq >> 8; h[11] = seq;
}

static void flush_tx(struct dp *d, struct mmsghdr *m, int n, enum hc_tun t)
{
	struct dp_link *l = &d->l[t];
	int off = 0;
	while (off < n) {
		int r = sendmmsg(l->fd, m + off, (unsigned)(n - off), MSG_DONTWAIT);
		if (r <= 0) {
			/* a full socket buffer or a routing error: count the
			 * rest as lost, do not spin */
			l->tx_errors += (uint64_t)(n - off);
			return;
		}
		for (int i = off; i < off + r; i++) {
			l->tx_packets++;
			l->tx_bytes += m[i].msg_len;
		}
		off += r;
	}
	d->batches_tx++;
}

void dp_tun_rx(struct dp *d, int64_t now_ns)
{
	if (d->tun_fd < 0)
		return;
	for (int round = 0; round < 8; round++) {
		int n = 0;
		size_t lens[DP_BATCH];
		while (n < DP_BATCH) {
			ssize_t r = read(d->tun_fd, d->txbuf[n], DP_BUF);
			if (r <= 0)
				break;
			lens[n++] = (size_t)r;
		}
		if (!n)
			return;
		d->tun_rx += (uint64_t)n;
		d->traffic = true;
		struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_addr = d->haap };
		struct mmsghdr *mm[HC_NTUN] = { d->msgs, d->msgs + DP_BATCH };
		struct iovec *io[HC_NTUN] = { d->iov, d->iov + 2 * DP_BATCH };
		int cnt[HC_NTUN] = { 0, 0 };
		bool up[HC_NTUN] = { d->l[HC_LTE].up && d->l[HC_LTE].fd >= 0,
				     d->l[HC_DSL].up && d->l[HC_DSL].fd >= 0 };
		for (int i = 0; i < n; i++) {
			unsigned mask = d->have_session
				? sched_pick(&d->sched, (unsigned)lens[i], now_ns, up[HC_LTE], up[HC_DSL])
				: 0;
			if (!mask) {
				d->no_tunnel++;
				continue;
			}
			uint8_t v = d->txbuf[i][0] >> 4;
			uint16_t proto = v == 6 ? 0x86dd : 0x0800;
			/* one sequence number per packet for the whole bond;
			 * a redundant copy carries the same number */
			uint32_t seq = d->seq++;
			for (int t = 0; t < HC_NTUN; t++) {
				if (!(mask & (t == HC_LTE ? SCHED_LTE : SCHED_DSL)))
					continue;
				uint8_t *h = d->txhdr[i][t];
				put_hdr(h, proto, d->key, seq);
				int k = cnt[t]++;
				io[t][2 * k].iov_base = h;
				io[t][2 * k].iov_len = DP_GRE_HDR;
				io[t][2 * k + 1].iov_base = d->txbuf[i];
				io[t][2 * k + 1].iov_len = lens[i];
				struct msghdr *mh = &mm[t][k].msg_hdr;
				memset(mh, 0, sizeof(*mh));
				mh->msg_name = &dst;
				mh->msg_namelen = sizeof(dst);
				mh->msg_iov = &io[t][2 * k];
				mh->msg_iovlen = 2;
			}
		}
		for (int t = 0; t < HC_NTUN; t++)
			if (cnt[t])
				flush_tx(d, mm[t], cnt[t], t);
		if (n < DP_BATCH)
			return;
	}
}

int64_t dp_tick(struct dp *d, int64_t now_ms)
{
	if (d->tun_fd < 0)
		return INT64_MAX;
	return rb_tick(&d->rb, now_ms, tun_write, d);
}
