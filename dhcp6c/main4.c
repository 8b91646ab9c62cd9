/* dhcp4c: DHCPv4 client for one interface (Ethernet, PPP, TUN, GRE).
 *
 * Thin driver around rfc2131_client.c: the packet/UDP sockets (sock4.c),
 * the timer, the netlink watch, the lease file and the state file. */
#include <linux/capability.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "duid.h"
#include "follow.h"
#include "linkwatch.h"
#include "iface.h"
#include "lease.h"
#include "log.h"
#include "rfc2131_client.h"
#include "sock4.h"
#include "state.h"
#include "state4.h"

static const struct hgw_field opt_code = { "", HGW_T_INT, 0, 1, 254, NULL, NULL, "option code" };

static const struct hgw_field schema4[] = {
	{ "interface", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL,
	  "interface to run on (Ethernet, PPP, TUN or GRE; no MAC address needed)" },
	{ "chaddr", HGW_T_MAC, HGW_NULLABLE, 0, 0, NULL, "null",
	  "client hardware address to send (default: the interface's MAC; on a link without one, "
	  "a fixed address derived from the DUID in the data dir)" },
	{ "client_id", HGW_T_STRING, HGW_NULLABLE, 4, 128, NULL, "null",
	  "client identifier (option 61) in hex; default 01 + chaddr, as the Speedport sends" },
	{ "hostname", HGW_T_STRING, HGW_NULLABLE, 1, 63, NULL, "null", "host name (option 12)" },
	{ "vendor_class", HGW_T_STRING, HGW_NULLABLE, 1, 120, NULL, "null",
	  "vendor class identifier (option 60), text" },
	{ "vivso", HGW_T_STRING, HGW_NULLABLE, 10, 500, NULL, "null",
	  "V-I vendor-specific information (option 125) payload in hex (RFC 3925)" },
	{ "request_options", HGW_T_ARRAY, 0, 1, 30, &opt_code,
	  "[1, 3, 6, 15, 26, 28, 42, 51, 54, 58, 59, 121]", "parameter request list (option 55)" },
	{ "broadcast_flag", HGW_T_BOOL, 0, 0, 0, NULL, "false",
	  "ask servers to broadcast replies (not needed: a packet socket sees unicast replies)" },
	{ "release_on_stop", HGW_T_BOOL, 0, 0, 0, NULL, "true", "send DHCPRELEASE on SIGTERM" },
	{ "initial_delay_max_ms", HGW_T_INT, 0, 0, 10000, NULL, "1000",
	  "random wait before the first DISCOVER, 0..this (RFC 2131 4.4.1)" },
	{ "arp_probe_ms", HGW_T_INT, 0, 0, 5000, NULL, "1000",
	  "on Ethernet, probe a new address with ARP for this long before using it and DECLINE it "
	  "if another host answers (RFC 2131 4.4.1, RFC 5227); 0 = no check" },
	{ "first_retransmit_ms", HGW_T_INT, 0, 500, 4000, NULL, "4000",
	  "first retransmission delay, doubled up to 64 s (RFC 2131 4.1 says 4 s)" },
	FOLLOW_FIELD,
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

struct ctx {
	struct hgw_daemon *d;
	const char *ifname;
	char state_name[64], lease_name[64];
	struct d4c c;
	struct iface_info ifi;
	struct sock4 s;
	bool open;
	ev_io io, udp_io, arp_io;
	ev_timer timer;
	struct linkwatch lw;
	bool release_on_stop;
	uint32_t arp_probe_ms;
};

static void publish(struct ctx *x)
{
	json_t *doc = state4_doc(&x->c, x->ifname);
	hgw_state_publish(x->d->state_dir, x->state_name, doc);
	json_decref(doc);
	if (x->c.lease.valid)
		lease_save(x->d->data_dir, x->lease_name, "dhcp4c", x->c.lease.raw,
			   x->c.lease.raw_len, x->c.lease.obtained_wall);
	else
		lease_remove(x->d->data_dir, x->lease_name);
}

static void send_pending(struct ctx *x)
{
	if (x->c.tx_len && x->open) {
		if (x->c.tx_unicast)
			iface_get(x->ifname, &x->ifi);
		bool local = x->ifi.has_v4 && x->ifi.v4.s_addr == x->c.tx_src.s_addr;
		sock4_send(&x->s, x->c.tx, x->c.tx_len, x->c.tx_src, x->c.tx_dst, x->c.tx_unicast,
			   local);
	}
	x->c.tx_len = 0;
}

/* ARP must use the interface's own MAC (answers come to it), whatever
 * chaddr the DHCP messages carry. */
static const uint8_t *arp_mac(const struct ctx *x)
{
	return x->ifi.hwlen == 6 ? x->ifi.hw : x->c.cfg.chaddr;
}

static void flush(struct ctx *x)
{
	send_pending(x);
	if (x->c.probe && x->open) {
		/* Drain old ARP traffic first: only answers to this probe count. */
		sock4_arp_conflict(&x->s, arp_mac(x), x->c.lease.ack.yiaddr);
		sock4_arp_probe(&x->s, arp_mac(x), x->c.lease.ack.yiaddr);
	}
	x->c.probe = false;
	if (x->c.changed) {
		x->c.changed = false;
		publish(x);
	}
	ev_timer_stop(x->d->loop, &x->timer);
	int64_t t = d4c_next_timer(&x->c);
	log_debug("dhcp4: next timer in %lld ms (state %s)",
		  t == INT64_MAX ? -1LL : (long long)(t - hgw_now_ms(&hgw_clock_real)),
		  d4c_state_name(x->c.state));
	if (t != INT64_MAX) {
		int64_t now = hgw_now_ms(&hgw_clock_real);
		ev_timer_set(&x->timer, t > now ? (double)(t - now) / 1000.0 : 0.0, 0.0);
		ev_timer_start(x->d->loop, &x->timer);
	}
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	d4c_timer(&x->c);
	flush(x);
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	uint8_t buf[2048];
	const uint8_t *payload;
	long n;
	while ((n = sock4_recv(&x->s, buf, sizeof(buf), &payload)) >= 0) {
		if (n == 0)
			continue;
		struct d4_msg m;
		const char *why;
		if (d4_parse(payload, (size_t)n, &m, &why) < 0) {
			log_info("dhcp4: dropped a malformed message: %s", why);
			continue;
		}
		if (m.op != 2)
			continue; /* another client's request on a shared link */
		log_debug("dhcp4: received %s xid %08x", d4_type_name(m.type), m.xid);
		d4c_recv(&x->c, &m, payload, (size_t)n);
		flush(x);
	}
}

static void on_udp(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	sock4_drain_udp(&((struct ctx *)w->data)->s);
}

static void on_arp(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	if (sock4_arp_conflict(&x->s, arp_mac(x), x->c.lease.ack.yiaddr) &&
	    x->c.state == D4C_CHECKING) {
		d4c_conflict(&x->c);
		flush(x);
	}
}

static void close_socks(struct ctx *x)
{
	if (!x->open)
		return;
	ev_io_stop(x->d->loop, &x->io);
	ev_io_stop(x->d->loop, &x->udp_io);
	ev_io_stop(x->d->loop, &x->arp_io);
	sock4_close(&x->s);
	x->open = false;
}

static bool open_socks(struct ctx *x)
{
	if (sock4_open(&x->s, x->ifname, x->ifi.index, x->ifi.arptype == ARPHRD_ETHER) < 0)
		return false;
	x->open = true;
	ev_io_init(&x->io, on_io, x->s.pkt, EV_READ);
	x->io.data = x;
	ev_io_start(x->d->loop, &x->io);
	if (x->s.udp >= 0) {
		ev_io_init(&x->udp_io, on_udp, x->s.udp, EV_READ);
		x->udp_io.data = x;
		ev_io_start(x->d->loop, &x->udp_io);
	}
	if (x->s.arp >= 0) {
		ev_io_init(&x->arp_io, on_arp, x->s.arp, EV_READ);
		x->arp_io.data = x;
		ev_io_start(x->d->loop, &x->arp_io);
	}
	/* The conflict check needs ARP; links without it skip the check. */
	x->c.cfg.arp_probe_ms = x->s.arp >= 0 ? x->arp_probe_ms : 0;
	return true;
}

static void check_link(struct ctx *x)
{
	struct iface_info now;
	iface_get(x->ifname, &now);
	bool ok = now.index && now.up && linkwatch_follow_ok(&x->lw);
	if (x->open && (!ok || now.index != x->ifi.index))
		close_socks(x);
	x->ifi = now;
	if (ok && !x->open)
		open_socks(x);
	bool up = ok && x->open;
	if (up != x->c.link_up) {
		log_notice("dhcp4: %s %s", x->ifname, up ? "is usable" : "is gone or down");
		d4c_link(&x->c, up);
		flush(x);
	}
}

static void on_link(void *arg)
{
	check_link(arg);
}

static int load_config(struct ctx *x, json_t *cfg, struct d4c_config *c)
{
	memset(c, 0, sizeof(*c));
	x->ifname = hgw_json_str(cfg, "interface");
	if (!follow_config_ok(cfg, "dhcp4c"))
		return HGW_EX_CONFIG;
	x->release_on_stop = hgw_json_bool(cfg, "release_on_stop");
	c->broadcast_flag = hgw_json_bool(cfg, "broadcast_flag");
	c->initial_delay_max_ms = (uint32_t)hgw_json_int(cfg, "initial_delay_max_ms");
	c->first_rt_ms = (uint32_t)hgw_json_int(cfg, "first_retransmit_ms");
	x->arp_probe_ms = (uint32_t)hgw_json_int(cfg, "arp_probe_ms");
	/* chaddr.  Telekom's in-tunnel server saw the Speedport send htype 1
	 * (Ethernet), hlen 6, chaddr = the router's own Ethernet MAC and the
	 * same MAC in option 61 (type 1), although the tunnel has no MAC; the
	 * server keys the lease on option 61 and unicasts the reply to the
	 * offered address.  So on a MAC-less link we still send an Ethernet-
	 * style chaddr, fixed: configured, or derived from the persistent
	 * DUID so it survives restarts.  RFC 2131 would also allow hlen 0,
	 * but several servers (and relays) reject that. */
	c->htype = 1;
	c->hlen = 6;
	const char *mac = hgw_json_str(cfg, "chaddr");
	if (*mac) {
		hgw_parse_mac(mac, c->chaddr);
	} else if (x->ifi.hwlen == 6) {
		memcpy(c->chaddr, x->ifi.hw, 6);
	} else {
		/* Whatever kind dhcp6c keeps (duid_type): asking for one kind
		 * here would replace dhcp6c's DUID with it at every start. */
		struct d6_duid duid;
		if (duid_load_or_create(x->d->data_dir, DUID_ANY, 1, NULL, 0, 0, &duid) < 0)
			return 73;
		uint32_t h = 2166136261u;
		for (int i = 0; i < duid.len; i++)
			h = (h ^ duid.b[i]) * 16777619u;
		uint32_t h2 = iaid_for(x->ifname) ^ h;
		uint8_t m[6] = { 0x02, (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8),
				 (uint8_t)h2, (uint8_t)(h2 >> 8) };
		memcpy(c->chaddr, m, 6);
	}
	const char *cid = hgw_json_str(cfg, "client_id");
	if (*cid) {
		long n = hex_decode(cid, c->client_id, sizeof(c->client_id));
		if (n < 2) {
			log_err("dhcp4c: config: dhcp4c.client_id: not hex");
			return HGW_EX_CONFIG;
		}
		c->client_id_len = (size_t)n;
	} else {
		c->client_id[0] = 1;
		memcpy(c->client_id + 1, c->chaddr, 6);
		c->client_id_len = 7;
	}
	snprintf(c->hostname, sizeof(c->hostname), "%s", hgw_json_str(cfg, "hostname"));
	const char *vc = hgw_json_str(cfg, "vendor_class");
	c->vendor_class_len = strlen(vc);
	memcpy(c->vendor_class, vc, c->vendor_class_len);
	const char *vi = hgw_json_str(cfg, "vivso");
	if (*vi) {
		long n = hex_decode(vi, c->vivso, sizeof(c->vivso));
		if (n < 5) {
			log_err("dhcp4c: config: dhcp4c.vivso: not hex (enterprise number, length, data)");
			return HGW_EX_CONFIG;
		}
		c->vivso_len = (size_t)n;
	}
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(cfg, "request_options"), i, v)
		if (c->prl_len < sizeof(c->prl))
			c->prl[c->prl_len++] = (uint8_t)json_integer_value(v);
	return 0;
}

static int start(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	x->d = d;
	iface_get(hgw_json_str(d->config, "interface"), &x->ifi);
	struct d4c_config cfg;
	int rc = load_config(x, d->config, &cfg);
	if (rc)
		return rc;
	snprintf(x->state_name, sizeof(x->state_name), "dhcp4.%s.json", x->ifname);
	snprintf(x->lease_name, sizeof(x->lease_name), "dhcp4.%s.lease", x->ifname);
	d4c_init(&x->c, &cfg, &hgw_clock_real, &hgw_rng_system);
	uint8_t pkt[1500];
	int64_t obtained;
	long n = lease_load(d->data_dir, x->lease_name, pkt, sizeof(pkt), &obtained);
	if (n > 0) {
		if (d4c_restore(&x->c, pkt, (size_t)n, obtained))
			log_notice("dhcp4: remembered lease is still valid; INIT-REBOOT");
		else
			log_notice("dhcp4: remembered lease is expired or unusable");
	}
	ev_timer_init(&x->timer, on_timer, 0, 0);
	x->timer.data = x;
	x->c.changed = true;
	linkwatch_start(&x->lw, d->loop, d->state_dir, d->config, on_link, x);
	if (x->ifi.index && x->ifi.up && linkwatch_follow_ok(&x->lw) && open_socks(x)) {
		d4c_start(&x->c);
	} else {
		log_notice("dhcp4: waiting for %s to be up", x->ifname);
		d4c_link(&x->c, false);
	}
	flush(x);
	return 0;
}

static void stop(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	if (x->release_on_stop && x->open && d4c_release(&x->c)) {
		log_notice("dhcp4: releasing the lease");
		send_pending(x);
	} else if (x->c.lease.valid) {
		x->c.state = D4C_UNBOUND;
	} else {
		x->c.state = D4C_RELEASED;
	}
	x->c.changed = true;
	publish(x);
	close_socks(x);
	linkwatch_stop(&x->lw);
}

int main(int argc, char **argv)
{
	static struct ctx x;
	static const int caps[] = { CAP_NET_BIND_SERVICE, CAP_NET_RAW, -1 };
	struct hgw_daemon d = {
		.name = "dhcp4c",
		.summary = "DHCPv4 client (RFC 2131) for any interface, also MAC-less tunnels",
		.section = "dhcp4c",
		.schema = schema4,
		.caps = caps,
		.start = start,
		.stop = stop,
		.ctx = &x,
	};
	return hgw_daemon_main(&d, argc, argv);
}
