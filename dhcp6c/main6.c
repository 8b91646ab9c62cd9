/* dhcp6c: DHCPv6 client for one interface (Ethernet, PPP, TUN, ip6gre).
 *
 * Thin driver around rfc8415_client.c: the socket, the timer, the netlink
 * watch that follows the interface, the lease file and the state file. */
#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "duid.h"
#include "follow.h"
#include "linkwatch.h"
#include "iface.h"
#include "lease.h"
#include "log.h"
#include "rfc8415_client.h"
#include "sock6.h"
#include "state.h"
#include "state6.h"

static const char *const duid_types[] = { "llt", "ll", "en", "uuid", NULL };
static const struct hgw_field opt_code = { "", HGW_T_INT, 0, 1, 65535, NULL, NULL, "option code" };

static const struct hgw_field schema6[] = {
	{ "interface", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL,
	  "interface to run on (Ethernet, PPP, TUN or ip6gre; no MAC address needed)" },
	{ "ia_pd", HGW_T_BOOL, 0, 0, 0, NULL, "true", "ask for a delegated prefix (IA_PD)" },
	{ "ia_na", HGW_T_BOOL, 0, 0, 0, NULL, "false", "ask for an address (IA_NA)" },
	{ "prefix_hint_len", HGW_T_INT, 0, 0, 128, NULL, "0",
	  "prefix length to ask for when no earlier prefix is remembered (0 = no hint)" },
	{ "rapid_commit", HGW_T_BOOL, 0, 0, 0, NULL, "false", "offer Rapid Commit (two-message exchange)" },
	{ "reconfigure_accept", HGW_T_BOOL, 0, 0, 0, NULL, "false",
	  "offer Reconfigure Accept and act on Reconfigure authenticated with the server's "
	  "reconfigure key (RFC 8415 20.4, HMAC-MD5)" },
	{ "information_only", HGW_T_BOOL, 0, 0, 0, NULL, "false",
	  "stateless mode: only Information-request (DNS, NTP, AFTR), no leases" },
	{ "release_on_stop", HGW_T_BOOL, 0, 0, 0, NULL, "true",
	  "send Release on SIGTERM (off: keep the lease at the server across a restart)" },
	{ "release_wait_ms", HGW_T_INT, 0, 0, 10000, NULL, "2000",
	  "how long stop waits for the server to acknowledge the Release" },
	{ "duid_type", HGW_T_ENUM, 0, 0, 0, duid_types, "\"llt\"",
	  "DUID kind made on first start and kept in the data dir (dhcp6c.duid)" },
	{ "duid", HGW_T_STRING, HGW_NULLABLE, 6, 260, NULL, "null",
	  "explicit DUID in hex (overrides duid_type and the saved one)" },
	{ "duid_hwaddr", HGW_T_MAC, HGW_NULLABLE, 0, 0, NULL, "null",
	  "link-layer address for DUID-LL/LLT (default: the interface's; random if it has none)" },
	{ "enterprise_number", HGW_T_INT, 0, 0, 4294967295LL, NULL, "0", "enterprise number for DUID-EN" },
	{ "iaid", HGW_T_INT, HGW_NULLABLE, 0, 4294967295LL, NULL, "null",
	  "IAID for both IAs (default: a hash of the interface name, stable across restarts)" },
	{ "initial_delay_max_ms", HGW_T_INT, 0, 0, 1000, NULL, "1000",
	  "random delay before the first Solicit, 0..this (RFC 8415 SOL_MAX_DELAY)" },
	{ "request_options", HGW_T_ARRAY, 0, 0, 12, &opt_code, "[]",
	  "extra option codes for the Option Request option (e.g. 201, 202 for NTT)" },
	{ "vendor_class", HGW_T_STRING, HGW_NULLABLE, 8, 128, NULL, "null",
	  "Vendor Class option payload in hex: enterprise number then data (Speedport: \"000007db\")" },
	FOLLOW_FIELD,
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

struct ctx {
	struct hgw_daemon *d;
	const char *ifname;
	char state_name[64], lease_name[64];
	struct d6c c;
	struct iface_info ifi;
	int fd;
	ev_io io;
	ev_timer timer;
	struct linkwatch lw;
	bool release_on_stop;
	int release_wait_ms;
};

static void publish(struct ctx *x)
{
	json_t *doc = state6_doc(&x->c, x->ifname);
	hgw_state_publish(x->d->state_dir, x->state_name, doc);
	json_decref(doc);
	if (x->c.lease.valid && x->c.lease.raw_len)
		lease_save(x->d->data_dir, x->lease_name, "dhcp6c", x->c.lease.raw,
			   x->c.lease.raw_len, x->c.lease.obtained_wall);
	else if (!x->c.lease.valid && x->c.state != D6C_INFORMED)
		lease_remove(x->d->data_dir, x->lease_name);
}

/* After every input: send what the machine left, publish, re-arm. */
static void flush(struct ctx *x)
{
	if (x->c.tx_len && x->fd >= 0)
		sock6_send(x->fd, x->ifi.index, x->c.tx, x->c.tx_len);
	x->c.tx_len = 0;
	if (x->c.changed) {
		x->c.changed = false;
		publish(x);
	}
	ev_timer_stop(x->d->loop, &x->timer);
	int64_t t = d6c_next_timer(&x->c);
	if (t != INT64_MAX) {
		int64_t now = hgw_now_ms(&hgw_clock_real);
		double after = t > now ? (double)(t - now) / 1000.0 : 0.0;
		ev_timer_set(&x->timer, after, 0.0);
		ev_timer_start(x->d->loop, &x->timer);
	}
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	d6c_timer(&x->c);
	flush(x);
}

static void receive(struct ctx *x)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t n = recv(x->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return;
		if ((size_t)n > sizeof(buf)) {
			log_info("dhcp6: dropped an oversized datagram (%zd bytes)", n);
			continue;
		}
		struct d6_msg m;
		const char *why;
		if (d6_parse(buf, (size_t)n, &m, &why) < 0) {
			log_info("dhcp6: dropped a malformed message: %s", why);
			continue;
		}
		log_debug("dhcp6: received %s xid %06x", d6_type_name(m.type), m.xid);
		d6c_recv(&x->c, &m, buf, (size_t)n);
		flush(x);
	}
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	receive(w->data);
}

static void close_sock(struct ctx *x)
{
	if (x->fd >= 0) {
		ev_io_stop(x->d->loop, &x->io);
		close(x->fd);
		x->fd = -1;
	}
}

/* Re-reads the interface: opens the socket when the link (with a
 * link-local address) is there, closes it when it goes, and tells the
 * state machine. */
static void check_link(struct ctx *x)
{
	struct iface_info now;
	iface_get(x->ifname, &now);
	bool ok = now.index && now.up && now.has_ll && linkwatch_follow_ok(&x->lw);
	if (x->fd >= 0 && (!ok || now.index != x->ifi.index ||
			   memcmp(&now.ll, &x->ifi.ll, sizeof(now.ll)) != 0))
		close_sock(x);
	x->ifi = now;
	if (ok && x->fd < 0) {
		x->fd = sock6_open(x->ifname, now.index, &now.ll);
		if (x->fd >= 0) {
			ev_io_init(&x->io, on_io, x->fd, EV_READ);
			x->io.data = x;
			ev_io_start(x->d->loop, &x->io);
		}
	}
	bool up = ok && x->fd >= 0;
	if (up != x->c.link_up) {
		log_notice("dhcp6: %s %s", x->ifname, up ? "is usable" : "is gone or down");
		d6c_link(&x->c, up);
		flush(x);
	}
	/* Whoever applied the IA_NA address (netlinkd) let the kernel run
	 * DAD on it; a duplicate is declined (RFC 8415 18.2.8). */
	if (up && x->c.lease.valid && x->c.lease.reply.ia_na.n) {
		struct in6_addr dup[4];
		int n = iface_dadfailed6(now.index, dup, 4);
		for (int i = 0; i < n; i++)
			if (d6c_decline(&x->c, &dup[i])) {
				flush(x);
				break;
			}
	}
}

static void on_link(void *arg)
{
	check_link(arg);
}

static int load_config(struct ctx *x, json_t *cfg, struct d6c_config *c)
{
	memset(c, 0, sizeof(*c));
	x->ifname = hgw_json_str(cfg, "interface");
	if (!follow_config_ok(cfg, "dhcp6c"))
		return HGW_EX_CONFIG;
	c->ia_pd = hgw_json_bool(cfg, "ia_pd");
	c->ia_na = hgw_json_bool(cfg, "ia_na");
	c->info_only = hgw_json_bool(cfg, "information_only");
	if (!c->ia_pd && !c->ia_na && !c->info_only) {
		log_err("dhcp6c: config: neither ia_pd nor ia_na nor information_only is set");
		return HGW_EX_CONFIG;
	}
	c->pd_hint_len = (uint8_t)hgw_json_int(cfg, "prefix_hint_len");
	c->rapid_commit = hgw_json_bool(cfg, "rapid_commit");
	c->reconf_accept = hgw_json_bool(cfg, "reconfigure_accept");
	c->initial_delay_max_ms = (uint32_t)hgw_json_int(cfg, "initial_delay_max_ms");
	x->release_on_stop = hgw_json_bool(cfg, "release_on_stop");
	x->release_wait_ms = (int)hgw_json_int(cfg, "release_wait_ms");
	json_t *iaid = json_object_get(cfg, "iaid");
	c->iaid = json_is_integer(iaid) ? (uint32_t)json_integer_value(iaid) : iaid_for(x->ifname);
	/* DNS, domains, SNTP, NTP, AFTR, SOL_MAX_RT (MUST be requested,
	 * RFC 8415 21.24), information refresh time; then the user's. */
	static const uint16_t base[] = { D6O_DNS_SERVERS, D6O_DOMAIN_LIST, D6O_SNTP_SERVERS,
					 D6O_NTP_SERVER, D6O_AFTR_NAME, D6O_SOL_MAX_RT };
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		c->oro[c->n_oro++] = base[i];
	if (c->info_only)
		c->oro[c->n_oro++] = D6O_INFO_REFRESH_TIME;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(cfg, "request_options"), i, v)
		if (c->n_oro < (int)(sizeof(c->oro) / sizeof(c->oro[0])))
			c->oro[c->n_oro++] = (uint16_t)json_integer_value(v);
	const char *vc = hgw_json_str(cfg, "vendor_class");
	if (*vc) {
		long n = hex_decode(vc, c->vendor_class, sizeof(c->vendor_class));
		if (n < 4) {
			log_err("dhcp6c: config: dhcp6c.vendor_class: not hex with an enterprise number");
			return HGW_EX_CONFIG;
		}
		c->vendor_class_len = (size_t)n;
	}
	const char *duid = hgw_json_str(cfg, "duid");
	if (*duid) {
		long n = hex_decode(duid, c->duid.b, sizeof(c->duid.b));
		if (n < 3) {
			log_err("dhcp6c: config: dhcp6c.duid: not a hex DUID");
			return HGW_EX_CONFIG;
		}
		c->duid.len = (uint16_t)n;
	} else {
		uint8_t hw[32];
		size_t hwlen = 0;
		const char *mac = hgw_json_str(cfg, "duid_hwaddr");
		if (*mac) {
			hgw_parse_mac(mac, hw);
			hwlen = 6;
		} else if (x->ifi.hwlen == 6) {
			memcpy(hw, x->ifi.hw, 6);
			hwlen = 6;
		}
		if (duid_load_or_create(x->d->data_dir, duid_type_parse(hgw_json_str(cfg, "duid_type")),
					1, hw, hwlen, (uint32_t)hgw_json_int(cfg, "enterprise_number"),
					&c->duid) < 0)
			return 73;
	}
	return 0;
}

static int start(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	x->d = d;
	x->fd = -1;
	iface_get(hgw_json_str(d->config, "interface"), &x->ifi);
	struct d6c_config cfg;
	int rc = load_config(x, d->config, &cfg);
	if (rc)
		return rc;
	snprintf(x->state_name, sizeof(x->state_name), "dhcp6.%s.json", x->ifname);
	snprintf(x->lease_name, sizeof(x->lease_name), "dhcp6.%s.lease", x->ifname);
	d6c_init(&x->c, &cfg, &hgw_clock_real, &hgw_rng_system);
	uint8_t pkt[1500];
	int64_t obtained;
	long n = lease_load(d->data_dir, x->lease_name, pkt, sizeof(pkt), &obtained);
	if (n > 0) {
		if (d6c_restore(&x->c, pkt, (size_t)n, obtained))
			log_notice("dhcp6: remembered lease from %s is still valid", x->lease_name);
		else
			log_notice("dhcp6: remembered lease is expired or not ours; starting afresh");
	}
	ev_timer_init(&x->timer, on_timer, 0, 0);
	x->timer.data = x;
	x->c.changed = true;
	linkwatch_start(&x->lw, d->loop, d->state_dir, d->config, on_link, x);
	iface_get(x->ifname, &x->ifi);
	if (x->ifi.index && x->ifi.up && x->ifi.has_ll && linkwatch_follow_ok(&x->lw))
		x->fd = sock6_open(x->ifname, x->ifi.index, &x->ifi.ll);
	if (x->fd >= 0) {
		ev_io_init(&x->io, on_io, x->fd, EV_READ);
		x->io.data = x;
		ev_io_start(d->loop, &x->io);
		d6c_start(&x->c);
	} else {
		log_notice("dhcp6: waiting for %s (up, with a link-local address)", x->ifname);
		d6c_link(&x->c, false);
	}
	flush(x);
	return 0;
}

/* SIGTERM: Release and wait (bounded) for the Reply, driving the state
 * machine by hand since the loop is ending. */
static void stop(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	if (x->release_on_stop && x->fd >= 0 && d6c_release(&x->c)) {
		log_notice("dhcp6: releasing the lease");
		sock6_send(x->fd, x->ifi.index, x->c.tx, x->c.tx_len);
		x->c.tx_len = 0;
		int64_t end = hgw_now_ms(&hgw_clock_real) + x->release_wait_ms;
		while (x->c.state == D6C_RELEASING) {
			int64_t now = hgw_now_ms(&hgw_clock_real);
			if (now >= end)
				break;
			int64_t t = d6c_next_timer(&x->c);
			int64_t wait = (t < end ? t : end) - now;
			struct pollfd p = { .fd = x->fd, .events = POLLIN };
			if (poll(&p, 1, (int)(wait < 0 ? 0 : wait)) > 0) {
				receive(x);
			} else if (hgw_now_ms(&hgw_clock_real) >= t) {
				d6c_timer(&x->c);
				if (x->c.tx_len)
					sock6_send(x->fd, x->ifi.index, x->c.tx, x->c.tx_len);
				x->c.tx_len = 0;
			}
		}
		if (x->c.state != D6C_RELEASED)
			log_warn("dhcp6: no Reply to the Release; the server will time the lease out");
		x->c.lease.valid = false;
		x->c.state = D6C_RELEASED;
	} else if (x->c.lease.valid) {
		/* Not released: the lease stays ours at the server; say that
		 * nobody maintains it now. */
		x->c.state = D6C_UNBOUND;
	} else {
		x->c.state = D6C_RELEASED;
	}
	x->c.changed = true;
	publish(x);
	close_sock(x);
	linkwatch_stop(&x->lw);
}

int main(int argc, char **argv)
{
	static struct ctx x;
	static const int caps[] = { CAP_NET_BIND_SERVICE, CAP_NET_RAW, -1 };
	struct hgw_daemon d = {
		.name = "dhcp6c",
		.summary = "DHCPv6 client (RFC 8415): IA_PD and IA_NA on any interface, also MAC-less",
		.section = "dhcp6c",
		.schema = schema6,
		.caps = caps,
		.start = start,
		.stop = stop,
		.ctx = &x,
	};
	return hgw_daemon_main(&d, argc, argv);
}
