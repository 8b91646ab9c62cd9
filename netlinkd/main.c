/* netlinkd: the one process that changes kernel network configuration.
 *
 * Level-triggered: any change in the state dir (coalesced by hgw_watch) or
 * any rtnetlink event that says the kernel moved (a link went down, someone
 * deleted a route) re-reads every input and reconciles the whole picture.
 * What the reconcile did is published in netlinkd.json. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "backend.h"
#include "nlconfig.h"
#include "daemon.h"
#include "config.h"
#include "log.h"
#include "reconcile.h"
#include "state.h"
#include "state_schemas.h"
#include "watch.h"

/* Quiet time after a kernel event before reconciling: our own changes
 * come back as bursts of events. */
#define EVENT_COALESCE_S 0.2
/* While something failed, try again this often even without news. */
#define RETRY_S 10.0

struct nld {
	struct hgw_daemon *d;
	struct nl_backend *be;
	struct nl_reconcile *r;
	struct hgw_watch *watch;
	struct hgw_state_in lte, pppoe, hybrid;
	struct hgw_state_in dhcp4[NL_WAN_N], dhcp6[NL_WAN_N];
	char name4[NL_WAN_N][48], name6[NL_WAN_N][48];
	struct mnl_socket *ev_nl;
	struct mnl_socket *ev_nf; /* nftables changes (someone edits our table) */
	ev_io ev_io, ev_nf_io;
	ev_timer ev_timer, retry;
	bool force;
	unsigned last_bad; /* bad_inputs() as last published */
};

static struct nld g;

/* Points a per-WAN lease input at the file of the WAN's current interface. */
static int retarget(struct hgw_state_in *in, char *buf, size_t len, const char *fmt,
		    const char *ifname)
{
	char want[48] = "";
	if (ifname[0])
		snprintf(want, sizeof(want), fmt, ifname);
	if (strcmp(want, buf) == 0)
		return 0;
	bool had = in->doc != NULL;
	hgw_state_in_free(in);
	snprintf(buf, len, "%s", want);
	in->name = buf;
	return had;
}

static int read_inputs(struct nl_inputs *in)
{
	const char *dir = g.d->state_dir;
	int changed = hgw_state_read(dir, &g.lte) | hgw_state_read(dir, &g.pppoe) |
		      hgw_state_read(dir, &g.hybrid);
	memset(in, 0, sizeof(*in));
	in->lte = g.lte.doc;
	in->pppoe = g.pppoe.doc;
	in->hybrid = g.hybrid.doc;
	char ifs[NL_WAN_N][NL_IFNAMSIZ];
	nl_wan_interfaces(in, ifs);
	for (int w = 0; w < NL_WAN_N; w++) {
		changed |= retarget(&g.dhcp4[w], g.name4[w], sizeof(g.name4[w]), "dhcp4.%s.json", ifs[w]);
		changed |= retarget(&g.dhcp6[w], g.name6[w], sizeof(g.name6[w]), "dhcp6.%s.json", ifs[w]);
		if (g.name4[w][0])
			changed |= hgw_state_read(dir, &g.dhcp4[w]);
		if (g.name6[w][0])
			changed |= hgw_state_read(dir, &g.dhcp6[w]);
		in->dhcp4[w] = g.name4[w][0] ? g.dhcp4[w].doc : NULL;
		in->dhcp6[w] = g.name6[w][0] ? g.dhcp6[w].doc : NULL;
	}
	in->now = hgw_wall_s(&hgw_clock_real);
	return changed;
}

/* Inputs whose current file is bad (the last good version is in use). */
static unsigned bad_inputs(void)
{
	const struct hgw_state_in *all[] = { &g.lte, &g.pppoe, &g.hybrid, &g.dhcp4[0], &g.dhcp4[1],
					     &g.dhcp4[2], &g.dhcp6[0], &g.dhcp6[1], &g.dhcp6[2] };
	unsigned bad = 0;
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->name && all[i]->name[0] && all[i]->bad_hash)
			bad |= 1u << i;
	return bad;
}

static void publish(void)
{
	json_t *doc = nl_reconcile_report(g.r);
	/* Say which inputs are bad: the log has the details, the state file
	 * tells status tools that netlinkd runs on an older version. */
	const struct hgw_state_in *all[] = { &g.lte, &g.pppoe, &g.hybrid, &g.dhcp4[0], &g.dhcp4[1],
					     &g.dhcp4[2], &g.dhcp6[0], &g.dhcp6[1], &g.dhcp6[2] };
	json_t *problems = json_object_get(doc, "problems");
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (g.last_bad & (1u << i)) {
			char msg[160];
			snprintf(msg, sizeof(msg), "%s: invalid or unreadable; the last good version "
				 "(if any) is in use", all[i]->name);
			json_array_append_new(problems, json_string(msg));
		}
	hgw_state_publish(g.d->state_dir, "netlinkd.json", doc);
	json_decref(doc);
}

static void reconcile(bool force)
{
	struct nl_inputs in;
	int changed = read_inputs(&in);
	/* The watch also wakes us for our own netlinkd.json and for files
	 * rewritten unchanged: with no new input and no kernel news there is
	 * nothing to do.  (A failed op is retried by the retry timer.) */
	unsigned bad = bad_inputs();
	if (!changed && !force && !g.force && bad == g.last_bad)
		return;
	g.force = false;
	g.last_bad = bad;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	unsigned long w0 = g.be->netlink_writes;
	int fails = nl_reconcile_run(g.r, &in, false);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* Numbered: the log's rate limiter would fold identical lines.  The
	 * time and message count are the benchmark's numbers. */
	log_info("reconciled (#%lu) in %.2f ms: %d changes, %lu netlink messages, %d failures",
		 g.r->runs, (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6,
		 g.r->applied, g.be->netlink_writes - w0, fails);
	publish();
	if (fails)
		ev_timer_again(g.d->loop, &g.retry);
	else
		ev_timer_stop(g.d->loop, &g.retry);
}

static void on_watch(struct hgw_watch *w, void *arg)
{
	(void)arg;
	/* The first call (start-up) reconciles unconditionally. */
	reconcile(hgw_watch_fired(w) <= 1);
}

static void on_event(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	char buf[65536];
	/* Drain; what changed does not matter, only that something did. */
	while (recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	if (!ev_is_active(&g.ev_timer)) {
		ev_timer_set(&g.ev_timer, EVENT_COALESCE_S, 0);
		ev_timer_start(loop, &g.ev_timer);
	}
}

static void on_event_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
	reconcile(true);
}

static void on_retry(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
	reconcile(true);
}

static int open_events(void)
{
	g.ev_nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			  RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	if (!g.ev_nl || mnl_socket_bind(g.ev_nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		log_err("netlink event socket: %s", strerror(errno));
		return -1;
	}
	int grp[] = { RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE };
	for (size_t i = 0; i < 2; i++)
		mnl_socket_setsockopt(g.ev_nl, NETLINK_ADD_MEMBERSHIP, &grp[i], sizeof(grp[i]));
	ev_io_init(&g.ev_io, on_event, mnl_socket_get_fd(g.ev_nl), EV_READ);
	ev_io_start(g.d->loop, &g.ev_io);
	/* nftables ruleset changes: a flushed or edited table is repaired.
	 * Optional: without it only input changes trigger the check. */
	g.ev_nf = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int nfgrp = NFNLGRP_NFTABLES;
	if (g.ev_nf && mnl_socket_bind(g.ev_nf, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    mnl_socket_setsockopt(g.ev_nf, NETLINK_ADD_MEMBERSHIP, &nfgrp, sizeof(nfgrp)) == 0) {
		ev_io_init(&g.ev_nf_io, on_event, mnl_socket_get_fd(g.ev_nf), EV_READ);
		ev_io_start(g.d->loop, &g.ev_nf_io);
	} else {
		log_warn("nftables events unavailable (%s): firewall drift is noticed only on "
			 "input changes", strerror(errno));
	}
	ev_init(&g.ev_timer, on_event_timer);
	return 0;
}

static int load_config(const json_t *section, struct nl_config *c)
{
	struct hgw_errors e = { 0 };
	if (nl_config_parse(section, c, &e) == 0)
		return 0;
	for (int i = 0; i < e.count && i < HGW_SCHEMA_MAX_ERRORS; i++)
		log_err("config: %s", e.msg[i]);
	return -1;
}

static int start(struct hgw_daemon *d)
{
	g.d = d;
	struct nl_config cfg;
	if (load_config(d->config, &cfg) < 0) {
		log_err("refusing to start with an invalid configuration");
		return HGW_EX_CONFIG;
	}
	g.lte = (struct hgw_state_in){ .name = "lte.json", .schema = hgw_schema_lte };
	g.pppoe = (struct hgw_state_in){ .name = "pppoe.json", .schema = hgw_schema_pppoe };
	g.hybrid = (struct hgw_state_in){ .name = "hybrid.json", .schema = hgw_schema_hybrid };
	for (int w = 0; w < NL_WAN_N; w++) {
		g.dhcp4[w] = (struct hgw_state_in){ .name = g.name4[w], .schema = hgw_schema_dhcp4 };
		g.dhcp6[w] = (struct hgw_state_in){ .name = g.name6[w], .schema = hgw_schema_dhcp6 };
	}
	g.be = nl_backend_kernel("/proc/sys");
	if (!g.be)
		return 71;
	g.r = nl_reconcile_new(g.be, &cfg);
	if (!g.r || open_events() < 0)
		return 71;
	ev_init(&g.retry, on_retry);
	g.retry.repeat = RETRY_S;
	g.watch = hgw_watch_new(d->loop, d->state_dir, NULL, 0.05, on_watch, NULL);
	return g.watch ? 0 : 71;
}

static void stop(struct hgw_daemon *d)
{
	if (g.r && g.r->cfg.cleanup_on_exit) {
		log_notice("removing netlinkd's addresses, routes, rules and tunnels");
		nl_reconcile_run(g.r, NULL, true);
	}
	hgw_state_withdraw(d->state_dir, "netlinkd.json");
}

static void reload(struct hgw_daemon *d, json_t *old)
{
	struct nl_config cfg;
	if (load_config(d->config, &cfg) < 0) {
		log_err("config not reloaded; keeping the running configuration");
		json_decref(d->config);
		d->config = old;
		return;
	}
	json_decref(old);
	/* Ownership tags may have moved: objects under the old tag are left
	 * behind, say so rather than guess. */
	if (cfg.owner.proto != g.r->cfg.owner.proto)
		log_warn("route_protocol changed: objects tagged %u are no longer netlinkd's",
			 g.r->cfg.owner.proto);
	g.r->cfg = cfg;
	reconcile(true);
}

static const int caps[] = { CAP_NET_ADMIN, -1 };

int main(int argc, char **argv)
{
	struct hgw_daemon d = {
		.name = "netlinkd",
		.summary = "the one process that configures the kernel: links, addresses, routes, "
			   "policy rules, prefix delegation, sysctls, ip6gre tunnels, the nftables "
			   "firewall, MPTCP endpoints",
		.section = "netlinkd",
		.schema = nl_config_schema,
		.caps = caps,
		.start = start,
		.stop = stop,
		.reload = reload,
	};
	int rc = hgw_daemon_main(&d, argc, argv);
	hgw_watch_free(g.watch);
	if (g.ev_nl)
		mnl_socket_close(g.ev_nl);
	if (g.ev_nf)
		mnl_socket_close(g.ev_nf);
	nl_reconcile_free(g.r);
	if (g.be)
		g.be->free(g.be);
	hgw_state_in_free(&g.lte);
	hgw_state_in_free(&g.pppoe);
	hgw_state_in_free(&g.hybrid);
	for (int w = 0; w < NL_WAN_N; w++) {
		hgw_state_in_free(&g.dhcp4[w]);
		hgw_state_in_free(&g.dhcp6[w]);
	}
	return rc;
}
