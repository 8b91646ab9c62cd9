/* hybridd: the RFC 8157 hybrid access client.
 *
 * Thin driver: reads the WAN links from lte.json and pppoe.json (and the
 * kernel's view of those interfaces, through a netlink link/address watch,
 * so a lost carrier is noticed at once), feeds them with the received
 * control messages and the time into rfc8157_client.c, sends what it
 * answers, keeps the data plane (dataplane.c) in step with the tunnels, and
 * publishes hybrid.json.
 *
 *   hybridd --decode FILE.pcap   prints every control message in a capture
 *                                as JSON lines, with the daemon's parser */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/capability.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "dataplane.h"
#include "dns_aaaa.h"
#include "decode.h"
#include "log.h"
#include "rfc8157_client.h"
#include "state.h"
#include "state_schemas.h"
#include "watch.h"

static const char *const modes[] = { "bonding", "lte-only", NULL };
static const char *const protos[] = { "telekom", "rfc", NULL };
static const char *const schedulers[] = { "bonding", "redundant", "backup", NULL };

static const struct hgw_field schema[] = {
	{ "mode", HGW_T_ENUM, 0, 0, 0, modes, "\"bonding\"",
	  "bonding: LTE tunnel then DSL tunnel, bonded; lte-only: the LTE tunnel alone" },
	{ "haap", HGW_T_STRING, 0, 1, 253, NULL, "\"2003:6::1\"",
	  "HAAP anycast address G, or a name resolved at start (Telekom: haap.t-online.de)" },
	{ "dns_servers", HGW_T_ARRAY, 0, 0, 8, &hgw_item_ip6, "[]",
	  "DNS servers for the HAAP name, asked over LTE (empty: lte.json's; none there either: "
	  "the system resolver)" },
	{ "protocol", HGW_T_ENUM, 0, 0, 0, protos, "\"telekom\"",
	  "control dialect: telekom = GRE protocol 0x0101 and tunnel types LTE 0 / DSL 8; "
	  "rfc = 0xB7EA and LTE 2 / DSL 1" },
	{ "cin", HGW_T_STRING, 0, 1, 40, NULL, "\"hgw\"",
	  "Client Identification Name sent in the LTE Setup Request (Speedport: "
	  "Speedport_Hybrid_050124_02_00_012)" },
	{ "dataplane", HGW_T_ENUM, 0, 0, 0, hgw_dataplane_modes, "\"userspace\"",
	  "userspace: TUN device with the bond in hybridd; kernel: ip6gre device made by "
	  "netlinkd (LTE-only, no bonding)" },
	{ "scheduler", HGW_T_ENUM, 0, 0, 0, schedulers, "\"bonding\"",
	  "upstream: bonding = DSL up to its rate then LTE (RFC 8157 4.3); redundant = every "
	  "packet on both; backup = LTE only while DSL is down" },
	{ "interface", HGW_T_IFNAME, 0, 0, 0, NULL, "\"hybrid0\"", "name of the TUN (or ip6gre) device" },
	{ "mtu", HGW_T_INT, 0, 1280, 1448, NULL, "1400",
	  "tunnel device MTU (Speedport: 1384 on LTE, 1440 on DSL)" },
	{ "lte_interface", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null",
	  "LTE netdev (null: the one in lte.json)" },
	{ "dsl_interface", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null",
	  "DSL netdev (null: the one in pppoe.json)" },
	{ "dsl_sync_kbps", HGW_T_INT, 0, 0, 10000000, NULL, "0",
	  "DSL downstream sync rate reported in the DSL Setup Request (attribute 7)" },
	{ "dsl_up_kbps", HGW_T_INT, HGW_NULLABLE, 1, 10000000, NULL, "null",
	  "DSL upstream rate for the scheduler (null: attribute 22 from the HAAP)" },
	{ "dsl_line_type", HGW_T_INT, 0, 0, 15, NULL, "0",
	  "Telekom attribute 53 (1 ADSL, 2 ADSL2+, 3 VDSL2, 4 VDSL2 vectoring); 0 = not sent" },
	{ "bras_name", HGW_T_STRING, 0, 0, 32, NULL, "\"\"",
	  "Telekom attribute 54 (BRAS name); empty = not sent" },
	{ "active_hello_s", HGW_T_INT, HGW_NULLABLE, 1, 100, NULL, "null",
	  "override the HAAP's active Hello interval" },
	{ "hello_retry", HGW_T_INT, HGW_NULLABLE, 1, 10, NULL, "null",
	  "override the HAAP's Hello retry count" },
	{ "idle_switching", HGW_T_BOOL, 0, 0, 0, NULL, "true",
	  "ask for idle Hellos when there is no traffic, as the Speedport does" },
	{ "request_timeout_ms", HGW_T_INT, 0, 100, 60000, NULL, "3000",
	  "first resend of an unanswered Setup Request (doubles up to 8x)" },
	{ "backoff_initial_ms", HGW_T_INT, 0, 100, 3600000, NULL, "5000",
	  "wait after a Deny, Tear Down or failed tunnel (doubles each time, with jitter)" },
	{ "backoff_max_ms", HGW_T_INT, 0, 1000, 86400000, NULL, "600000", "upper bound of that wait" },
	{ "notify_resend_ms", HGW_T_INT, 0, 100, 60000, NULL, "3000", "resend an un-echoed Notify after" },
	{ "reorder_min_ms", HGW_T_INT, 0, 0, 2000, NULL, "10",
	  "lower bound of the downstream reorder timeout" },
	{ "reorder_max_ms", HGW_T_INT, 0, 0, 2000, NULL, "250",
	  "upper bound (and the value until both RTTs are known), also of the timeout learned "
	  "from late packets; 0 disables reordering" },
	{ "reorder_margin_ms", HGW_T_INT, 0, 0, 1000, NULL, "10",
	  "added to the measured RTT difference" },
	{ "reorder_slots", HGW_T_INT, 0, 64, 65536, NULL, "4096",
	  "reorder buffer size in packets (rounded down to a power of two)" },
	HGW_F_END,
};

struct ctx {
	struct hgw_daemon *d;
	struct hc hc;
	struct dp dp;
	bool kernel;
	bool bonding_mode;
	const char *tun;
	int mtu;
	struct hgw_watch *watch;
	struct hgw_state_in in_lte, in_pppoe, in_dhcp6;
	char dhcp6_name[64];
	ev_timer timer, pub_timer;
	ev_io io_link[HC_NTUN], io_tun, io_nl;
	int nl_fd;
	char ifname[HC_NTUN][IFNAMSIZ];
	struct in6_addr local[HC_NTUN];
	bool have_local[HC_NTUN];
	uint32_t reorder_min, reorder_max, reorder_margin;
	int64_t cfg_up_kbps;
	uint32_t saved_session;
	bool session_saved;
	bool haap_resolved;
	int64_t next_resolve_ms;
	int dns_fd;
	ev_io dns_io;
	uint16_t dns_id;
	unsigned dns_next;
	/* bypass traffic measurement: DSL netdev bytes minus tunnel bytes */
	uint64_t byp_if_rx, byp_tun_rx, byp_tun_pk;
	int64_t byp_ms;
};

static struct ctx G;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- publishing ---- */

static json_t *ip6_json(const struct in6_addr *a, bool valid)
{
	char s[INET6_ADDRSTRLEN];
	if (!valid)
		return json_null();
	return json_string(inet_ntop(AF_INET6, a, s, sizeof(s)));
}

static json_t *tunnel_json(struct ctx *c, enum hc_tun t)
{
	struct hc_tunnel *tu = &c->hc.t[t];
	struct dp_link *l = &c->dp.l[t];
	json_t *o = json_object();
	json_object_set_new(o, "state", json_string(hc_tstate_name(tu->st)));
	json_object_set_new(o, "link", json_boolean(tu->link));
	json_object_set_new(o, "device", c->ifname[t][0] ? json_string(c->ifname[t]) : json_null());
	json_object_set_new(o, "local", ip6_json(&tu->local, tu->link));
	json_object_set_new(o, "remote", ip6_json(&c->hc.haap, tu->st == HC_T_UP));
	json_object_set_new(o, "rtt_ms", tu->rtt_ms >= 0 ? json_integer(tu->rtt_ms) : json_null());
	json_object_set_new(o, "rtt_min_ms",
			    tu->rtt_min_ms >= 0 ? json_integer(tu->rtt_min_ms) : json_null());
	json_object_set_new(o, "hello_misses", json_integer(tu->misses));
	if (tu->last_error)
		json_object_set_new(o, "last_error", json_pack("{s:I,s:s}", "code",
							       (json_int_t)tu->last_error, "text",
							       tu->last_error_text));
	else
		json_object_set_new(o, "last_error", json_null());
	json_object_set_new(o, "up_since",
			    tu->st == HC_T_UP
				    ? json_integer(time(NULL) -
						   (hgw_now_ms(&hgw_clock_real) - tu->up_since_ms) / 1000)
				    : json_null());
	json_object_set_new(o, "requests", json_integer((json_int_t)tu->requests));
	json_object_set_new(o, "accepts", json_integer((json_int_t)tu->accepts));
	json_object_set_new(o, "denies", json_integer((json_int_t)tu->denies));
	json_object_set_new(o, "failures", json_integer((json_int_t)tu->failures));
	json_object_set_new(o, "hellos_sent", json_integer((json_int_t)tu->hellos_sent));
	json_object_set_new(o, "hellos_received", json_integer((json_int_t)tu->hellos_recv));
	json_object_set_new(o, "tx_packets", json_integer((json_int_t)l->tx_packets));
	json_object_set_new(o, "tx_bytes", json_integer((json_int_t)l->tx_bytes));
	json_object_set_new(o, "tx_errors", json_integer((json_int_t)l->tx_errors));
	json_object_set_new(o, "rx_packets", json_integer((json_int_t)l->rx_packets));
	json_object_set_new(o, "rx_bytes", json_integer((json_int_t)l->rx_bytes));
	return o;
}

static void publish(struct ctx *c)
{
	struct hc *h = &c->hc;
	json_t *doc = hgw_state_new("hybridd", 1);
	json_object_set_new(doc, "state", json_string(hc_state_name(h)));
	bool any_up = hc_up(h, HC_LTE) || hc_up(h, HC_DSL);
	json_object_set_new(doc, "interface", any_up ? json_string(c->tun) : json_null());
	json_object_set_new(doc, "mode", json_string(c->kernel ? "kernel" : "userspace"));
	json_t *kt = json_array();
	if (c->kernel && hc_up(h, HC_LTE)) {
		char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
		json_array_append_new(
			kt, json_pack("{s:s,s:s,s:s,s:I,s:I,s:i}", "name", c->tun, "local",
				      inet_ntop(AF_INET6, &h->t[HC_LTE].local, l, sizeof(l)),
				      "remote", inet_ntop(AF_INET6, &h->haap, r, sizeof(r)), "ikey",
				      (json_int_t)h->bonding_key, "okey",
				      (json_int_t)h->bonding_key, "mtu", c->mtu));
	}
	json_object_set_new(doc, "kernel_tunnels", kt);
	json_object_set_new(doc, "bonding", json_boolean(c->bonding_mode));
	json_object_set_new(doc, "session_id",
			    h->have_session ? json_integer(h->session_id) : json_null());
	json_object_set_new(doc, "bonding_key",
			    h->have_session && h->bonding_key ? json_integer(h->bonding_key)
							      : json_null());
	json_object_set_new(doc, "haap", ip6_json(&h->haap, h->have_session && h->bonding_key));
	json_object_set_new(doc, "anycast", ip6_json(&h->cfg.anycast, c->haap_resolved));
	json_object_set_new(doc, "mtu", json_integer(c->mtu));
	json_object_set_new(doc, "hello_mode",
			    json_string(h->hello_mode == HC_HELLO_IDLE ? "idle" : "active"));
	json_object_set_new(doc, "scheduler", json_string(sched_mode_name(c->dp.sched.mode)));
	json_t *tun = json_object();
	json_object_set_new(tun, "lte", tunnel_json(c, HC_LTE));
	json_object_set_new(tun, "dsl", tunnel_json(c, HC_DSL));
	json_object_set_new(doc, "tunnels", tun);
	json_object_set_new(
		doc, "timers",
		json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "active_hello_s",
			  (json_int_t)h->active_hello_s, "idle_hello_s", (json_int_t)h->idle_hello_s,
			  "hello_retry", (json_int_t)h->hello_retry, "no_traffic_s",
			  (json_int_t)h->no_traffic_s, "idle_timeout_s", (json_int_t)h->idle_timeout_s,
			  "bypass_interval_s", (json_int_t)h->bypass_interval_s, "rtt_threshold_ms",
			  (json_int_t)h->rtt_threshold_ms, "rtt_violation",
			  (json_int_t)h->rtt_violation, "rtt_compliance",
			  (json_int_t)h->rtt_compliance, "dsl_up_kbps", (json_int_t)h->dsl_up_kbps,
			  "dsl_down_kbps", (json_int_t)h->dsl_down_kbps, "max_reorder_ms",
			  (json_int_t)h->max_reorder_ms, "up_burst_ms", (json_int_t)h->up_burst_ms));
	if (h->have_filter) {
		json_t *items = json_array();
		for (unsigned i = 0; i < h->filter.nitems; i++) {
			const struct rfc8157_filter_item *it = &h->filter.items[i];
			json_array_append_new(
				items, json_pack("{s:i,s:s,s:b,s:s,s:s}", "type", it->type, "kind",
						 rfc8157_filter_type_name(it->type), "enabled",
						 it->enabled != 0, "description", it->desc, "value",
						 it->value));
		}
		json_object_set_new(doc, "filter_list",
				    json_pack("{s:I,s:o}", "commit", (json_int_t)h->filter.commit,
					      "items", items));
	} else {
		json_object_set_new(doc, "filter_list", json_null());
	}
	if (h->have_prefix) {
		char p[INET6_ADDRSTRLEN + 4], a[INET6_ADDRSTRLEN];
		snprintf(p, sizeof(p), "%s/%u", inet_ntop(AF_INET6, &h->prefix.addr, a, sizeof(a)),
			 h->prefix.len);
		json_object_set_new(doc, "prefix", json_string(p));
	} else {
		json_object_set_new(doc, "prefix", json_null());
	}
	struct dp *d = &c->dp;
	json_object_set_new(
		doc, "dataplane",
		json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			  "reorder_timeout_ms", (json_int_t)rb_timeout(&d->rb), "tun_rx_packets",
			  (json_int_t)d->tun_rx, "tun_tx_packets", (json_int_t)d->tun_tx,
			  "no_tunnel_drops", (json_int_t)d->no_tunnel, "wrong_key_drops",
			  (json_int_t)d->wrong_key, "short_drops", (json_int_t)d->short_pkts,
			  "unsequenced", (json_int_t)d->unsequenced, "in_order",
			  (json_int_t)d->rb.in_order, "reordered", (json_int_t)d->rb.reordered,
			  "duplicates", (json_int_t)(d->rb.duplicates + d->rb.late), "lost",
			  (json_int_t)d->rb.lost, "reorder_timeouts", (json_int_t)d->rb.timeouts,
			  "green", (json_int_t)d->sched.green, "yellow", (json_int_t)d->sched.yellow,
			  "red", (json_int_t)d->sched.red));
	json_object_set_new(json_object_get(doc, "dataplane"), "late_max_ms",
			    json_integer(d->rb.late_max_ms));
	json_object_set_new(doc, "drops",
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "malformed",
				      (json_int_t)h->drops.malformed, "wrong_source",
				      (json_int_t)h->drops.wrong_src, "wrong_key",
				      (json_int_t)h->drops.wrong_key, "wrong_tunnel_type",
				      (json_int_t)h->drops.wrong_ttype, "unexpected",
				      (json_int_t)h->drops.unexpected, "clamped_timers",
				      (json_int_t)h->drops.clamped));
	json_object_set_new(doc, "bypass_kbps", json_integer(h->bypass_kbps));
	json_object_set_new(doc, "dsl_only", json_boolean(h->dsl_only));
	json_object_set_new(doc, "control_rx", json_integer((json_int_t)h->rx_msgs));
	json_object_set_new(doc, "control_tx", json_integer((json_int_t)h->tx_msgs));
	hgw_state_publish(c->d->state_dir, "hybrid.json", doc);
	json_decref(doc);
}

/* The session id survives a restart, so the LTE Request re-establishes
 * the session the HAAP still holds (RFC 8157 5.1.2). */
static void save_session(struct ctx *c)
{
	struct hc *h = &c->hc;
	if (h->have_session == c->session_saved && h->session_id == c->saved_session)
		return;
	c->session_saved = h->have_session;
	c->saved_session = h->session_id;
	if (!h->have_session) {
		hgw_state_withdraw(c->d->data_dir, "hybridd.session");
		return;
	}
	json_t *doc = hgw_state_new("hybridd", 1);
	json_object_set_new(doc, "session_id", json_integer(h->session_id));
	hgw_state_publish(c->d->data_dir, "hybridd.session", doc);
	json_decref(doc);
}

static void load_session(struct ctx *c)
{
	struct hgw_state_in in = { .name = "hybridd.session" };
	hgw_state_read(c->d->data_dir, &in);
	if (in.doc) {
		json_int_t sid = hgw_json_int(in.doc, "session_id");
		if (sid > 0 && sid <= 0xffffffffLL) {
			hc_restore_session(&c->hc, (uint32_t)sid);
			c->session_saved = true;
			c->saved_session = (uint32_t)sid;
			log_info("re-establishing session %lld", (long long)sid);
		}
	}
	hgw_state_in_free(&in);
}

/* ---- after every event: send, sync the data plane, re-arm ---- */

static void after(struct ctx *c)
{
	struct hc *h = &c->hc;
	for (unsigned i = 0; i < h->nout; i++)
		dp_send_control(&c->dp, h->out[i].tun, &h->out[i].dst, h->out[i].buf, h->out[i].len);
	h->nout = 0;
	dp_session(&c->dp, h->have_session && h->bonding_key, h->bonding_key, &h->haap);
	for (int t = 0; t < HC_NTUN; t++)
		c->dp.l[t].up = hc_up(h, t) && !c->kernel;
	if (h->dsl_only && hc_up(h, HC_DSL))
		c->dp.l[HC_LTE].up = false; /* RTT difference too large (attribute 11) */
	/* reorder timeout from the RTT difference, bounded by config and by
	 * what the HAAP allows (Telekom attribute 56) */
	uint32_t max = c->reorder_max;
	if (h->max_reorder_ms && h->max_reorder_ms < max && max)
		max = h->max_reorder_ms > c->reorder_min ? h->max_reorder_ms : c->reorder_min;
	uint32_t to = max ? rb_timeout_from_rtt(h->t[HC_LTE].rtt_ms, h->t[HC_DSL].rtt_ms,
						 c->reorder_margin, c->reorder_min, max)
			  : 0;
	if (!hc_up(h, HC_LTE) || !hc_up(h, HC_DSL))
		to = c->reorder_min; /* one path: nothing to wait for */
	rb_set_timeout(&c->dp.rb, to);
	rb_set_max(&c->dp.rb, max);
	/* DSL committed rate: configured, else the HAAP's, minus bypass */
	uint64_t up = c->cfg_up_kbps > 0 ? (uint64_t)c->cfg_up_kbps : h->dsl_up_kbps;
	uint64_t cir = up > h->bypass_kbps ? (up - h->bypass_kbps) * 1000 : (up ? 1000 : 0);
	if (cir != c->dp.sched.cir_bps)
		sched_set_rate(&c->dp.sched, cir, h->up_burst_ms);
	if (h->changed) {
		h->changed = false;
		publish(c);
		save_session(c);
	}
	int64_t next = hc_tick(h);
	if (h->nout) { /* tick produced messages (e.g. a Request at once) */
		for (unsigned i = 0; i < h->nout; i++)
			dp_send_control(&c->dp, h->out[i].tun, &h->out[i].dst, h->out[i].buf,
					h->out[i].len);
		h->nout = 0;
		if (h->changed) {
			h->changed = false;
			publish(c);
			save_session(c);
		}
		for (int t = 0; t < HC_NTUN; t++)
			c->dp.l[t].up = hc_up(h, t) && !c->kernel;
		if (h->dsl_only && hc_up(h, HC_DSL))
			c->dp.l[HC_LTE].up = false;
	}
	int64_t rbn = dp_tick(&c->dp, hgw_now_ms(&hgw_clock_real));
	if (rbn < next)
		next = rbn;
	double delay = (double)(next - hgw_now_ms(&hgw_clock_real)) / 1000.0;
	if (delay < 0.001)
		delay = 0.001;
	ev_timer_stop(c->d->loop, &c->timer);
	ev_timer_set(&c->timer, delay, 0);
	ev_timer_start(c->d->loop, &c->timer);
}

/* ---- inputs: which WAN addresses are usable ---- */

static bool iface_running(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	bool up = false;
	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_name && !strcmp(i->ifa_name, ifname) && (i->ifa_flags & IFF_RUNNING) &&
		    (i->ifa_flags & IFF_UP))
			up = true;
	freeifaddrs(ifa);
	return up;
}

/* A global IPv6 address on ifname (want: that exact one, if given). */
static bool iface_addr(const char *ifname, const struct in6_addr *want, struct in6_addr *out)
{
	struct ifaddrs *ifa, *i;
	bool found = false;
	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || strcmp(i->ifa_name, ifname))
			continue;
		const struct in6_addr *a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a))
			continue;
		if (want && memcmp(want, a, 16))
			continue;
		*out = *a;
		found = true;
	}
	freeifaddrs(ifa);
	return found;
}

static void set_link(struct ctx *c, enum hc_tun t, const char *ifname, const struct in6_addr *a)
{
	bool have = a != NULL;
	if (have == c->have_local[t] && (!have || (!memcmp(a, &c->local[t], 16) &&
						   !strcmp(ifname, c->ifname[t]))))
		return;
	c->have_local[t] = have;
	if (have) {
		c->local[t] = *a;
		snprintf(c->ifname[t], sizeof(c->ifname[t]), "%s", ifname);
	}
	ev_io_stop(c->d->loop, &c->io_link[t]);
	int fd = dp_link_set(&c->dp, t, a, ifname);
	if (fd >= 0) {
		ev_io_set(&c->io_link[t], fd, EV_READ);
		ev_io_start(c->d->loop, &c->io_link[t]);
	} else if (have) {
		have = false; /* cannot use it */
		c->have_local[t] = false;
	}
	hc_link(&c->hc, t, have ? a : NULL);
}

static int resolve_haap(const char *name, struct in6_addr *out);

/* DNS servers for the HAAP name: the configured ones, else lte.json's.
 * Returns how many; fills out (up to 8) when given. */
static int dns_servers(struct ctx *c, struct in6_addr *out)
{
	const json_t *arr = json_object_get(c->d->config, "dns_servers");
	if (!json_array_size(arr) && c->in_lte.doc)
		arr = json_object_get(c->in_lte.doc, "dns");
	int n = 0;
	for (size_t i = 0; i < json_array_size(arr) && n < 8; i++) {
		struct in6_addr a;
		if (inet_pton(AF_INET6, json_string_value(json_array_get(arr, i)) ?: "", &a) != 1)
			continue;
		if (out)
			out[n] = a;
		n++;
	}
	return n;
}

static void on_dns(struct ev_loop *loop, ev_io *w, int revents);

/* One AAAA query to the next server, from the LTE address and device. */
static void dns_ask(struct ctx *c, const char *ifn, const struct in6_addr *src)
{
	struct in6_addr srv[8];
	int n = dns_servers(c, srv);
	if (!n)
		return;
	if (c->dns_fd >= 0) {
		ev_io_stop(c->d->loop, &c->dns_io);
		close(c->dns_fd);
	}
	c->dns_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->dns_fd < 0)
		return;
	setsockopt(c->dns_fd, SOL_SOCKET, SO_BINDTODEVICE, ifn, (socklen_t)strlen(ifn) + 1);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *src };
	if (bind(c->dns_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c->dns_fd);
		c->dns_fd = -1;
		return;
	}
	uint8_t q[300];
	c->dns_id = (uint16_t)hgw_rand(&hgw_rng_system);
	size_t qn = dns_aaaa_query(q, sizeof(q), c->dns_id, hgw_json_str(c->d->config, "haap"));
	if (!qn) {
		log_err("HAAP name %s is not a valid DNS name", hgw_json_str(c->d->config, "haap"));
		return;
	}
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(53),
				   .sin6_addr = srv[c->dns_next++ % (unsigned)n] };
	char a[INET6_ADDRSTRLEN];
	log_info("asking %s for the HAAP's address (%s)",
		 inet_ntop(AF_INET6, &to.sin6_addr, a, sizeof(a)), hgw_json_str(c->d->config, "haap"));
	sendto(c->dns_fd, q, qn, 0, (struct sockaddr *)&to, sizeof(to));
	ev_io_init(&c->dns_io, on_dns, c->dns_fd, EV_READ);
	c->dns_io.data = c;
	ev_io_start(c->d->loop, &c->dns_io);
}

static void after(struct ctx *c);
static void reconcile(struct ctx *c);

static void on_dns(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *c = w->data;
	uint8_t buf[1500];
	ssize_t n = recv(c->dns_fd, buf, sizeof(buf), 0);
	if (n <= 0 || c->haap_resolved)
		return;
	struct in6_addr a;
	int r = dns_aaaa_answer(buf, (size_t)n, c->dns_id, hgw_json_str(c->d->config, "haap"), &a);
	if (r < 0)
		return; /* not our answer: keep waiting */
	if (r == 0) {
		log_warn("%s has no AAAA record", hgw_json_str(c->d->config, "haap"));
		return;
	}
	char s[INET6_ADDRSTRLEN];
	log_notice("HAAP %s is %s", hgw_json_str(c->d->config, "haap"),
		   inet_ntop(AF_INET6, &a, s, sizeof(s)));
	c->hc.cfg.anycast = a;
	c->haap_resolved = true;
	c->hc.changed = true;
	ev_io_stop(c->d->loop, &c->dns_io);
	close(c->dns_fd);
	c->dns_fd = -1;
	reconcile(c);
	after(c);
}

/* The LTE link as lte.json and the kernel see it. */
static bool lte_link(struct ctx *c, const char **ifname, struct in6_addr *got)
{
	const char *cfg_if = hgw_json_str(c->d->config, "lte_interface");
	const json_t *doc = c->in_lte.doc;
	const char *ifn = cfg_if[0] ? cfg_if : doc ? hgw_json_str(doc, "interface") : "";
	struct in6_addr want;
	bool ok = doc && !strcmp(hgw_json_str(doc, "state"), "connected") && ifn[0];
	const char *v6 = doc ? hgw_json_str(doc, "ipv6") : "";
	int plen;
	bool have_want = v6[0] && hgw_parse_prefix(v6, AF_INET6, &want, &plen) == 0;
	*ifname = ifn;
	return ok && iface_running(ifn) && iface_addr(ifn, have_want ? &want : NULL, got);
}

static void dns_ask(struct ctx *c, const char *ifn, const struct in6_addr *src);

static void reconcile(struct ctx *c)
{
	const char *lte_if;
	struct in6_addr lte_addr;
	bool lte_ok = lte_link(c, &lte_if, &lte_addr);
	/* The HAAP name resolves through the ISP's DNS servers over LTE
	 * (config dns_servers, else lte.json's), which works only once LTE is
	 * up; without any server known, the system resolver.  Until then no
	 * tunnel can start. */
	if (!c->haap_resolved) {
		int64_t ms = hgw_now_ms(&hgw_clock_real);
		if (ms < c->next_resolve_ms)
			return;
		if (dns_servers(c, NULL) > 0) {
			c->next_resolve_ms = ms + 2000;
			if (lte_ok)
				dns_ask(c, lte_if, &lte_addr);
			return;
		}
		c->next_resolve_ms = ms + 5000;
		if (resolve_haap(hgw_json_str(c->d->config, "haap"), &c->hc.cfg.anycast) < 0)
			return;
		c->haap_resolved = true;
		c->hc.changed = true;
	}
	const char *cfg_if[HC_NTUN] = { hgw_json_str(c->d->config, "lte_interface"),
					 hgw_json_str(c->d->config, "dsl_interface") };
	set_link(c, HC_LTE, lte_if, lte_ok ? &lte_addr : NULL);
	/* DSL: pppoe.json up, and a global address on the PPP device */
	if (c->bonding_mode) {
		const json_t *doc = c->in_pppoe.doc;
		const char *ifn = cfg_if[HC_DSL][0] ? cfg_if[HC_DSL]
			: doc ? hgw_json_str(doc, "interface") : "";
		struct in6_addr got;
		bool ok = doc && !strcmp(hgw_json_str(doc, "state"), "up") && ifn[0] &&
			  iface_running(ifn) && iface_addr(ifn, NULL, &got);
		set_link(c, HC_DSL, ifn, ok ? &got : NULL);
	}
	/* the delegated prefix inside the tunnel, for attributes 13 and 21 */
	const json_t *d6 = c->in_dhcp6.doc;
	struct rfc8157_prefix p;
	bool have_p = false;
	if (d6) {
		const json_t *pf = json_array_get(json_object_get(d6, "prefixes"), 0);
		int plen;
		if (pf && hgw_parse_prefix(hgw_json_str(pf, "prefix"), AF_INET6, &p.addr, &plen) == 0) {
			p.len = (uint8_t)plen;
			have_p = true;
		}
	}
	if (have_p != c->hc.have_prefix ||
	    (have_p && memcmp(&p, &c->hc.prefix, sizeof(p))))
		hc_set_prefix(&c->hc, have_p ? &p : NULL);
}

static void on_watch(struct hgw_watch *w, void *arg)
{
	(void)w;
	struct ctx *c = arg;
	hgw_state_read(c->d->state_dir, &c->in_lte);
	hgw_state_read(c->d->state_dir, &c->in_pppoe);
	hgw_state_read(c->d->state_dir, &c->in_dhcp6);
	reconcile(c);
	after(c);
}

static void on_netlink(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *c = w->data;
	char buf[8192];
	while (recv(c->nl_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	reconcile(c);
	after(c);
}

static void on_control(void *arg, enum hc_tun t, const struct in6_addr *src, const uint8_t *buf,
		       size_t len)
{
	struct ctx *c = arg;
	hc_input(&c->hc, t, src, buf, len);
}

static void on_link_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *c = &G;
	enum hc_tun t = w == &c->io_link[HC_LTE] ? HC_LTE : HC_DSL;
	dp_rx(&c->dp, t, hgw_now_ms(&hgw_clock_real));
	if (c->dp.traffic) {
		c->dp.traffic = false;
		hc_traffic(&c->hc);
	}
	after(c);
}

static void on_tun(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)w;
	struct ctx *c = &G;
	dp_tun_rx(&c->dp, mono_ns());
	if (c->dp.traffic) {
		c->dp.traffic = false;
		hc_traffic(&c->hc);
		after(c);
	}
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)w;
	after(&G);
}

static bool read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	unsigned long long x;
	bool ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (ok)
		*v = x;
	return ok;
}

/* RFC 8157 5.6.1: the downstream traffic on raw DSL that bypassed the bond
 * (the filter list's traffic): what the DSL device received minus what
 * came through the DSL tunnel (plus its IPv6 headers). */
static void measure_bypass(struct ctx *c)
{
	char path[96];
	uint64_t rx;
	if (!c->have_local[HC_DSL])
		return;
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_bytes", c->ifname[HC_DSL]);
	if (!read_u64(path, &rx))
		return;
	int64_t ms = hgw_now_ms(&hgw_clock_real);
	uint64_t trx = c->dp.l[HC_DSL].rx_bytes, tpk = c->dp.l[HC_DSL].rx_packets;
	if (c->byp_ms && ms > c->byp_ms && rx >= c->byp_if_rx) {
		uint64_t all = rx - c->byp_if_rx;
		uint64_t tun = (trx - c->byp_tun_rx) + (tpk - c->byp_tun_pk) * 40;
		uint64_t byp = all > tun ? all - tun : 0;
		hc_set_bypass_rate(&c->hc, (uint32_t)(byp * 8 / (uint64_t)(ms - c->byp_ms)));
	}
	c->byp_if_rx = rx;
	c->byp_tun_rx = trx;
	c->byp_tun_pk = tpk;
	c->byp_ms = ms;
}

static void on_pub(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)w;
	if (!G.haap_resolved) {
		reconcile(&G);
		after(&G);
	}
	measure_bypass(&G);
	publish(&G); /* counters; unchanged documents are not rewritten */
}

static int resolve_haap(const char *name, struct in6_addr *out)
{
	if (inet_pton(AF_INET6, name, out) == 1)
		return 0;
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_RAW }, *res;
	int r = getaddrinfo(name, NULL, &hints, &res);
	if (r) {
		log_err("cannot resolve HAAP %s: %s", name, gai_strerror(r));
		return -1;
	}
	*out = ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
	freeaddrinfo(res);
	return 0;
}

static int start(struct hgw_daemon *d)
{
	struct ctx *c = &G;
	json_t *cfg = d->config;
	c->d = d;
	struct hc_config hc = { 0 };
	bool rfc = !strcmp(hgw_json_str(cfg, "protocol"), "rfc");
	hc.proto = rfc ? RFC8157_PROTO_RFC : RFC8157_PROTO_TELEKOM;
	hc.tt_lte = rfc ? RFC8157_TT_LTE_RFC : RFC8157_TT_LTE_TELEKOM;
	hc.tt_dsl = rfc ? RFC8157_TT_DSL_RFC : RFC8157_TT_DSL_TELEKOM;
	c->kernel = !strcmp(hgw_json_str(cfg, "dataplane"), "kernel");
	c->bonding_mode = !strcmp(hgw_json_str(cfg, "mode"), "bonding") && !c->kernel;
	if (c->kernel && !strcmp(hgw_json_str(cfg, "mode"), "bonding"))
		log_warn("kernel data plane: LTE tunnel only (ip6gre cannot bond)");
	hc.bonding = c->bonding_mode;
	snprintf(hc.cin, sizeof(hc.cin), "%s", hgw_json_str(cfg, "cin"));
	hc.request_timeout_ms = (uint32_t)hgw_json_int(cfg, "request_timeout_ms");
	hc.backoff_initial_ms = (uint32_t)hgw_json_int(cfg, "backoff_initial_ms");
	hc.backoff_max_ms = (uint32_t)hgw_json_int(cfg, "backoff_max_ms");
	hc.notify_resend_ms = (uint32_t)hgw_json_int(cfg, "notify_resend_ms");
	hc.dsl_sync_kbps = (uint32_t)hgw_json_int(cfg, "dsl_sync_kbps");
	hc.dsl_line_type = (uint32_t)hgw_json_int(cfg, "dsl_line_type");
	snprintf(hc.bras, sizeof(hc.bras), "%s", hgw_json_str(cfg, "bras_name"));
	hc.active_hello_s = (uint32_t)hgw_json_int(cfg, "active_hello_s");
	hc.hello_retry = (uint32_t)hgw_json_int(cfg, "hello_retry");
	hc.idle_switching = hgw_json_bool(cfg, "idle_switching");
	hc_init(&c->hc, &hc, &hgw_clock_real, &hgw_rng_system);
	c->dns_fd = -1;
	/* a literal address now; a name once LTE can ask the ISP's DNS */
	c->haap_resolved = inet_pton(AF_INET6, hgw_json_str(cfg, "haap"), &c->hc.cfg.anycast) == 1;
	c->next_resolve_ms = 0;
	load_session(c);

	c->tun = hgw_json_str(cfg, "interface");
	c->mtu = (int)hgw_json_int(cfg, "mtu");
	c->reorder_min = (uint32_t)hgw_json_int(cfg, "reorder_min_ms");
	c->reorder_max = (uint32_t)hgw_json_int(cfg, "reorder_max_ms");
	c->reorder_margin = (uint32_t)hgw_json_int(cfg, "reorder_margin_ms");
	c->cfg_up_kbps = hgw_json_int(cfg, "dsl_up_kbps");
	unsigned slots = (unsigned)hgw_json_int(cfg, "reorder_slots");
	while (slots & (slots - 1))
		slots &= slots - 1;
	if (dp_init(&c->dp, hc.proto, slots, c->reorder_max, on_control, c) < 0) {
		log_err("out of memory");
		return 71;
	}
	c->dp.seq = hgw_rand(&hgw_rng_system);
	const char *sm = hgw_json_str(cfg, "scheduler");
	c->dp.sched.mode = !strcmp(sm, "redundant") ? SCHED_REDUNDANT
			   : !strcmp(sm, "backup")  ? SCHED_BACKUP : SCHED_BONDING;
	for (int t = 0; t < HC_NTUN; t++) {
		ev_io_init(&c->io_link[t], on_link_io, -1, EV_READ);
		c->io_link[t].data = c;
	}
	if (!c->kernel) {
		int fd = dp_open_tun(&c->dp, c->tun);
		if (fd < 0)
			return 71;
		ev_io_init(&c->io_tun, on_tun, fd, EV_READ);
		ev_io_start(d->loop, &c->io_tun);
	}
	/* link and address changes: a lost carrier must move traffic now */
	c->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (c->nl_fd >= 0) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
					  .nl_groups = RTMGRP_LINK | RTMGRP_IPV6_IFADDR };
		if (bind(c->nl_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			ev_io_init(&c->io_nl, on_netlink, c->nl_fd, EV_READ);
			c->io_nl.data = c;
			ev_io_start(d->loop, &c->io_nl);
		}
	}
	snprintf(c->dhcp6_name, sizeof(c->dhcp6_name), "dhcp6.%s.json", c->tun);
	c->in_lte = (struct hgw_state_in){ .name = "lte.json", .schema = hgw_schema_lte };
	c->in_pppoe = (struct hgw_state_in){ .name = "pppoe.json", .schema = hgw_schema_pppoe };
	c->in_dhcp6 = (struct hgw_state_in){ .name = c->dhcp6_name, .schema = hgw_schema_dhcp6 };
	static const char *names[4];
	names[0] = "lte.json";
	names[1] = "pppoe.json";
	names[2] = c->dhcp6_name;
	names[3] = NULL;
	c->watch = hgw_watch_new(d->loop, d->state_dir, names, 0.02, on_watch, c);
	if (!c->watch)
		return 71;
	ev_timer_init(&c->timer, on_timer, 0.01, 0);
	ev_timer_start(d->loop, &c->timer);
	ev_timer_init(&c->pub_timer, on_pub, 1.0, 1.0);
	ev_timer_start(d->loop, &c->pub_timer);
	publish(c);
	log_notice("hybridd: %s mode, %s data plane, HAAP %s", c->bonding_mode ? "bonding" : "LTE-only",
		   c->kernel ? "kernel" : "userspace", hgw_json_str(cfg, "haap"));
	return 0;
}

static void stop(struct hgw_daemon *d)
{
	struct ctx *c = &G;
	/* RFC 8157 has no client Tear Down.  We send nothing: the session id
	 * stays saved in the data dir, so a restart re-establishes the session
	 * the HAAP still holds instead of waiting for it to time out (what
	 * OpenHybrid's shutdown warns about). */
	publish(c);
	hgw_watch_free(c->watch);
	dp_free(&c->dp);
	if (c->nl_fd >= 0)
		close(c->nl_fd);
	if (c->dns_fd >= 0)
		close(c->dns_fd);
	hgw_state_withdraw(d->state_dir, "hybrid.json");
	hgw_state_in_free(&c->in_lte);
	hgw_state_in_free(&c->in_pppoe);
	hgw_state_in_free(&c->in_dhcp6);
	ev_break(d->loop, EVBREAK_ALL);
}

#define OPT_DECODE 300
static const struct option extra[] = {
	{ "decode", required_argument, NULL, OPT_DECODE },
	{ NULL, 0, NULL, 0 },
};

static int opt(struct hgw_daemon *d, int val, const char *arg)
{
	(void)d;
	if (val == OPT_DECODE)
		exit(decode_pcap(arg, stdout));
	return -1;
}

static const int caps[] = { CAP_NET_RAW, CAP_NET_ADMIN, -1 };

int main(int argc, char **argv)
{
	struct hgw_daemon d = {
		.name = "hybridd",
		.summary = "RFC 8157 hybrid access client: LTE + DSL GRE tunnel bonding",
		.section = "hybridd",
		.schema = schema,
		.caps = caps,
		.extra_opts = extra,
		.extra_help = "  --decode FILE   print the RFC 8157 control messages in a pcap as JSON lines\n",
		.opt = opt,
		.start = start,
		.stop = stop,
	};
	return hgw_daemon_main(&d, argc, argv);
}
