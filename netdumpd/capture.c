/* Capture on every interface; see capture.h. */
#include "capture.h"

#include <errno.h>
#include <fnmatch.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "filter.h"
#include "log.h"

#define SWEEP_S 5.0
#define BLOCK_TIMEOUT_MS 50
#define SETTLE_S 0.02
/* Packets read per wake-up: bounded so one busy interface cannot starve
 * the SSH clients. */
#define BATCH 256

static bool matches(json_t *patterns, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(patterns, i, v) {
		if (json_is_string(v) && fnmatch(json_string_value(v), name, 0) == 0)
			return true;
	}
	return false;
}

static void on_pkt(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap *c = (struct cap *)user;
	/* The kernel filter is attached after the socket is bound, so packets
	 * queued in between passed unfiltered: check again (cheap, as only
	 * control traffic gets here). */
	if (!filter_match(&c->prog, bytes, h->caplen, h->len))
		return;
	/* Nanosecond precision was asked for: tv_usec holds nanoseconds. */
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	uint64_t seq = ring_push(c->set->ring, ts, c->ifid, 0, bytes, h->caplen, h->len);
	if (seq != UINT64_MAX) {
		ifreg_ref(c->set->reg, c->ifid);
		c->set->reg->e[c->ifid].packets++;
	}
	c->packets++;
	c->set->packets++;
}

static void cap_close(struct capset *s, struct cap *c, const char *why)
{
	if (!c->used)
		return;
	struct pcap_stat st;
	if (pcap_stats(c->p, &st) == 0)
		c->kdrops = st.ps_drop;
	s->kdrops_closed += c->kdrops;
	log_notice("capture: %s closed (%s): %llu packets, %llu kernel drops", c->name, why,
		   (unsigned long long)c->packets, (unsigned long long)c->kdrops);
	ev_io_stop(s->loop, &c->io);
	pcap_close(c->p);
	pcap_freecode(&c->prog);
	ifreg_unref(s->reg, c->ifid);
	memset(c, 0, sizeof(*c));
}

static void on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct cap *c = w->data;
	struct capset *s = c->set;
	int n = pcap_dispatch(c->p, BATCH, on_pkt, (u_char *)c);
	if (n < 0) {
		char why[PCAP_ERRBUF_SIZE + 16];
		snprintf(why, sizeof(why), "%s", pcap_geterr(c->p));
		cap_close(s, c, why);
		ev_timer_again(s->loop, &s->settle);
	}
	if (n != 0 && s->on_packets)
		s->on_packets(s->arg);
}

static void note_failure(struct capset *s, const char *name, const char *fmt, const char *a,
			 const char *b)
{
	for (int i = 0; i < CAPTURE_MAX; i++)
		if (strcmp(s->failed[i], name) == 0)
			return; /* said already */
	for (int i = 0; i < CAPTURE_MAX; i++)
		if (!s->failed[i][0]) {
			snprintf(s->failed[i], sizeof(s->failed[i]), "%s", name);
			break;
		}
	log_warn(fmt, name, a, b);
}

static void forget_failure(struct capset *s, const char *name)
{
	for (int i = 0; i < CAPTURE_MAX; i++)
		if (strcmp(s->failed[i], name) == 0)
			s->failed[i][0] = '\0';
}

/* Is a socket filter attached?  (SO_GET_FILTER with no buffer returns
 * the program's length.) */
static bool kernel_filter_on(pcap_t *p)
{
	socklen_t len = 0;
	if (getsockopt(pcap_fileno(p), SOL_SOCKET, SO_GET_FILTER, NULL, &len) < 0)
		return false;
	return len > 0;
}

static void cap_open(struct capset *s, const char *name, int ifindex)
{
	struct cap *c = NULL;
	for (int i = 0; i < CAPTURE_MAX && !c; i++)
		if (!s->caps[i].used)
			c = &s->caps[i];
	if (!c) {
		note_failure(s, name, "capture: %s: not captured (%s%s)", "more than 64 interfaces",
			     "");
		return;
	}
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(name, err);
	if (!p) {
		note_failure(s, name, "capture: %s: %s%s", err, "");
		return;
	}
	pcap_set_snaplen(p, s->snaplen);
	pcap_set_promisc(p, 0);
	/* Not immediate mode: libpcap then uses TPACKET_V3, which packs
	 * packets of any size into 256 KiB blocks of the kernel buffer
	 * (immediate mode's V2 spends a whole MTU-sized frame on each), and
	 * hands a block over when full or BLOCK_TIMEOUT_MS after its first
	 * packet.  A stall of the loop (fsync on a busy disk, a starved CPU)
	 * is absorbed as long as the blocks last: at low rates that is
	 * buffer / 256 KiB * BLOCK_TIMEOUT_MS (0.8 s with the default 4 MiB),
	 * at high rates the buffer's bytes.  Live clients see packets at most
	 * that timeout late. */
	pcap_set_immediate_mode(p, 0);
	pcap_set_timeout(p, BLOCK_TIMEOUT_MS);
	pcap_set_buffer_size(p, s->buffer_bytes);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		note_failure(s, name, "capture: %s: cannot capture: %s%s", pcap_geterr(p), "");
		pcap_close(p);
		return;
	}
	int dlt = pcap_datalink(p);
	char expr[8192];
	int used = filter_build(dlt, s->filter, s->extra_filter, expr, sizeof(expr));
	if (used <= 0) {
		note_failure(s, name, "capture: %s: the filter means nothing on link type %s%s",
			     pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?",
			     "");
		pcap_close(p);
		return;
	}
	/* Whatever the filter says, netdumpd's own SSH stream is not captured:
	 * with a filter like "tcp" every packet sent would be captured and
	 * sent again. */
	char own[48];
	snprintf(own, sizeof(own), " and not (tcp port %d)", s->ssh_port);
	if (s->ssh_port && strlen(expr) + strlen(own) + 3 < sizeof(expr)) {
		char full[sizeof(expr)];
		size_t el = strlen(expr), ol = strlen(own);
		full[0] = '(';
		memcpy(full + 1, expr, el);
		full[el + 1] = ')';
		memcpy(full + el + 2, own, ol + 1);
		struct bpf_program t;
		char e[PCAP_ERRBUF_SIZE];
		if (filter_compile(dlt, s->snaplen, full, &t, e) == 0) {
			pcap_freecode(&t);
			memcpy(expr, full, strlen(full) + 1);
		}
	}
	struct bpf_program prog;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_setfilter(p, &prog) < 0) {
		note_failure(s, name, "capture: %s: filter: %s%s", pcap_geterr(p), "");
		pcap_close(p);
		return;
	}
	if (!kernel_filter_on(p)) {
		/* libpcap falls back to filtering in userspace when the kernel
		 * refuses a program, which would wake us for every data packet.
		 * Its optimiser can produce such programs; the plain one is
		 * longer but accepted. */
		pcap_freecode(&prog);
		if (pcap_compile(p, &prog, expr, 0, PCAP_NETMASK_UNKNOWN) < 0 ||
		    pcap_setfilter(p, &prog) < 0) {
			note_failure(s, name, "capture: %s: filter: %s%s", pcap_geterr(p), "");
			pcap_close(p);
			return;
		}
		if (!kernel_filter_on(p))
			log_warn("capture: %s: the kernel refused the filter; filtering in userspace",
				 name);
	}
	bool in_kernel = kernel_filter_on(p);
	if (pcap_setnonblock(p, 1, err) < 0 || pcap_get_selectable_fd(p) < 0) {
		note_failure(s, name, "capture: %s: %s%s", err, "");
		pcap_freecode(&prog);
		pcap_close(p);
		return;
	}
	uint16_t ifid = ifreg_get(s->reg, name, dlt, (uint32_t)s->snaplen);
	if (ifid == IFREG_NONE) {
		note_failure(s, name, "capture: %s: %s%s", "interface registry full", "");
		pcap_freecode(&prog);
		pcap_close(p);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->used = true;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ifindex = ifindex;
	c->p = p;
	c->dlt = dlt;
	c->ifid = ifid;
	c->prog = prog;
	c->kernel_filter = in_kernel;
	c->set = s;
	ev_io_init(&c->io, on_readable, pcap_get_selectable_fd(p), EV_READ);
	c->io.data = c;
	ev_io_start(s->loop, &c->io);
	forget_failure(s, name);
	log_notice("capture: %s (index %d, %s): %d filter clauses", name, ifindex,
		   pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?", used);
	log_debug("capture: %s filter: %s", name, expr);
}

static bool link_up(int fd, const char *name)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & IFF_UP) != 0;
}

void capture_reconcile(struct capset *s)
{
	struct if_nameindex *ifs = if_nameindex();
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!ifs || fd < 0) {
		log_err("capture: cannot list interfaces: %s", strerror(errno));
		if (ifs)
			if_freenameindex(ifs);
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Close what is gone, down, renamed or re-created. */
	for (int i = 0; i < CAPTURE_MAX; i++) {
		struct cap *c = &s->caps[i];
		if (!c->used)
			continue;
		bool keep = false;
		for (struct if_nameindex *x = ifs; x->if_index; x++)
			if ((int)x->if_index == c->ifindex && strcmp(x->if_name, c->name) == 0)
				keep = link_up(fd, c->name);
		if (!keep)
			cap_close(s, c, "interface gone or down");
	}
	/* Open what is new. */
	for (struct if_nameindex *x = ifs; x->if_index; x++) {
		bool open = false;
		for (int i = 0; i < CAPTURE_MAX; i++)
			if (s->caps[i].used && s->caps[i].ifindex == (int)x->if_index)
				open = true;
		if (open || !link_up(fd, x->if_name))
			continue;
		if (json_array_size(s->include) && !matches(s->include, x->if_name))
			continue;
		if (matches(s->exclude, x->if_name))
			continue;
		cap_open(s, x->if_name, (int)x->if_index);
	}
	if_freenameindex(ifs);
	close(fd);
}

static void on_settle(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	ev_timer_stop(loop, w);
	capture_reconcile(w->data);
}

static void on_sweep(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	capture_reconcile(w->data);
}

static void on_netlink(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct capset *s = w->data;
	char buf[8192];
	/* Any link message means "look again"; the content is not needed. */
	for (;;) {
		ssize_t n = recv(s->nl, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno != ENOBUFS)
			break;
		if (n == 0)
			break;
	}
	/* Coalesce a burst (create, up, address) into one reconciliation. */
	s->settle.repeat = SETTLE_S;
	ev_timer_again(loop, &s->settle);
}

int capture_start(struct capset *s)
{
	s->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s->nl < 0) {
		log_err("capture: netlink socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	if (bind(s->nl, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_err("capture: netlink bind: %s", strerror(errno));
		close(s->nl);
		return -1;
	}
	ev_io_init(&s->nl_io, on_netlink, s->nl, EV_READ);
	s->nl_io.data = s;
	ev_io_start(s->loop, &s->nl_io);
	ev_init(&s->settle, on_settle);
	s->settle.repeat = SETTLE_S;
	s->settle.data = s;
	ev_timer_init(&s->sweep, on_sweep, SWEEP_S, SWEEP_S);
	s->sweep.data = s;
	ev_timer_start(s->loop, &s->sweep);
	capture_reconcile(s);
	return 0;
}

void capture_stop(struct capset *s)
{
	for (int i = 0; i < CAPTURE_MAX; i++)
		cap_close(s, &s->caps[i], "stopping");
	ev_io_stop(s->loop, &s->nl_io);
	ev_timer_stop(s->loop, &s->settle);
	ev_timer_stop(s->loop, &s->sweep);
	if (s->nl >= 0)
		close(s->nl);
	s->nl = -1;
}

uint64_t capture_kdrops(struct capset *s)
{
	uint64_t t = s->kdrops_closed;
	for (int i = 0; i < CAPTURE_MAX; i++) {
		struct cap *c = &s->caps[i];
		if (!c->used)
			continue;
		struct pcap_stat st;
		if (pcap_stats(c->p, &st) == 0)
			c->kdrops = st.ps_drop;
		t += c->kdrops;
	}
	return t;
}
