/* DHCPv4 client state machine; see rfc2131_client.h.  Section numbers are
 * RFC 2131's. */
#include "rfc2131_client.h"

#include <arpa/inet.h>
#include <string.h>

#include "log.h"

#define MAX_RT_MS 64000u
#define REQUEST_TRIES 4  /* then back to INIT (4.4.1) */
#define REBOOT_TRIES 2   /* then keep the lease and rebind */
#define NAK_DELAY_MS 2000 /* pause before Discover after a NAK, against storms */
#define DECLINE_DELAY_MS 10000 /* 4.4.1: at least 10 s after a DHCPDECLINE */

static const char *const names[] = {
	[D4C_INIT] = "init",         [D4C_SELECTING] = "selecting", [D4C_REQUESTING] = "requesting",
	[D4C_REBOOTING] = "requesting", [D4C_BOUND] = "bound",     [D4C_RENEWING] = "renewing",
	[D4C_REBINDING] = "rebinding", [D4C_UNBOUND] = "unbound",  [D4C_RELEASED] = "released",
	[D4C_CHECKING] = "requesting",
};

const char *d4c_state_name(enum d4c_state s)
{
	return s <= D4C_CHECKING ? names[s] : "init";
}

int64_t d4c_abs(const struct d4c_lease *l, uint32_t secs)
{
	return secs == D4_INFINITY ? -1 : l->obtained_wall + secs;
}

static int64_t now_ms(const struct d4c *c) { return hgw_now_ms(c->clock); }

static int64_t lease_ms(const struct d4c_lease *l, uint32_t secs)
{
	return secs == D4_INFINITY ? INT64_MAX : l->obtained_mono + (int64_t)secs * 1000;
}

static void set_state(struct d4c *c, enum d4c_state s)
{
	if (c->state != s) {
		log_info("dhcp4: %s -> %s", d4c_state_name(c->state), d4c_state_name(s));
		c->state = s;
		c->changed = true;
	}
}

void d4c_init(struct d4c *c, const struct d4c_config *cfg, const struct hgw_clock *clock,
	      const struct hgw_rng *rng)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (!c->cfg.first_rt_ms)
		c->cfg.first_rt_ms = 4000;
	c->clock = clock;
	c->rng = rng;
	c->link_up = true;
}

/* base +- 1 s (4.1), never below 1 s. */
static int64_t jittered(struct d4c *c, uint32_t base)
{
	int64_t j = base >= 2000 ? hgw_rand_range(c->rng, -1000, 1000)
				 : hgw_rand_range(c->rng, -(int64_t)base / 4, base / 4);
	return base + j;
}

static void arm_retransmit(struct d4c *c)
{
	c->next_ms = now_ms(c) + jittered(c, c->rt_ms);
	c->rt_ms = c->rt_ms * 2 > MAX_RT_MS ? MAX_RT_MS : c->rt_ms * 2;
}

static void send_msg(struct d4c *c, uint8_t type)
{
	int64_t secs = (now_ms(c) - c->start_ms) / 1000;
	struct d4_req r = {
		.type = type,
		.xid = c->xid,
		.secs = (uint16_t)(secs > 0xffff ? 0xffff : secs),
		.broadcast_flag = c->cfg.broadcast_flag,
		.htype = c->cfg.htype,
		.hlen = c->cfg.hlen,
		.chaddr = c->cfg.chaddr,
		.client_id = c->cfg.client_id_len ? c->cfg.client_id : NULL,
		.client_id_len = c->cfg.client_id_len,
		.hostname = c->cfg.hostname,
		.vendor_class = c->cfg.vendor_class,
		.vendor_class_len = c->cfg.vendor_class_len,
		.vivso = c->cfg.vivso,
		.vivso_len = c->cfg.vivso_len,
		.prl = c->cfg.prl,
		.prl_len = c->cfg.prl_len,
	};
	struct in_addr any = { 0 }, bcast = { htonl(INADDR_BROADCAST) };
	c->tx_unicast = false;
	c->tx_src = any;
	c->tx_dst = bcast;
	struct in_addr addr = c->lease.ack.yiaddr, server = c->lease.ack.server_id;
	switch (c->state) {
	case D4C_REQUESTING: /* 4.3.2 SELECTING: server id and requested IP */
		r.requested = c->offered;
		r.server_id = c->offer_server;
		break;
	case D4C_REBOOTING: /* INIT-REBOOT: requested IP, no server id */
		r.requested = addr;
		break;
	case D4C_RENEWING: /* ciaddr, unicast to the server */
		r.ciaddr = addr;
		c->tx_unicast = true;
		c->tx_src = addr;
		c->tx_dst = server;
		break;
	case D4C_REBINDING: /* ciaddr, broadcast */
		r.ciaddr = addr;
		c->tx_src = addr;
		break;
	case D4C_CHECKING: /* Decline: broadcast, requested IP and server id */
		r.requested = addr;
		r.server_id = server;
		r.message = "address in use (ARP)";
		break;
	case D4C_RELEASED: /* Release: unicast to the server, ciaddr, server id */
		r.ciaddr = addr;
		r.server_id = server;
		c->tx_unicast = true;
		c->tx_src = addr;
		c->tx_dst = server;
		break;
	default:
		break;
	}
	c->tx_len = d4_build(&r, c->tx, sizeof(c->tx));
	c->sent++;
	log_debug("dhcp4: send %s xid %08x (%lu sent)", d4_type_name(type), c->xid, c->sent);
}

static void begin(struct d4c *c, enum d4c_state s)
{
	c->xid = hgw_rand(c->rng);
	c->start_ms = now_ms(c);
	c->rt_ms = c->cfg.first_rt_ms;
	c->tries = 0;
	set_state(c, s);
}

static void discover(struct d4c *c)
{
	begin(c, D4C_SELECTING);
	c->tries = 1;
	send_msg(c, D4_DISCOVER);
	arm_retransmit(c);
}

static void lease_lost(struct d4c *c, const char *why)
{
	if (c->lease.valid)
		log_notice("dhcp4: lease lost: %s", why);
	c->lease.valid = false;
	c->changed = true;
}

/* Renew/Rebind wait: half the time to the deadline, at least 60 s, but
 * never past the deadline (4.4.5). */
static void arm_half(struct d4c *c, int64_t deadline)
{
	int64_t now = now_ms(c), wait = (deadline - now) / 2;
	if (wait < 60000)
		wait = 60000;
	c->next_ms = now + wait > deadline ? deadline : now + wait;
}

static void rebind(struct d4c *c)
{
	begin(c, D4C_REBINDING);
	send_msg(c, D4_REQUEST);
	arm_half(c, lease_ms(&c->lease, c->lease.lease));
}

static void renew(struct d4c *c)
{
	begin(c, D4C_RENEWING);
	send_msg(c, D4_REQUEST);
	arm_half(c, lease_ms(&c->lease, c->lease.t2));
}

static void reboot(struct d4c *c)
{
	begin(c, D4C_REBOOTING);
	c->tries = 1;
	send_msg(c, D4_REQUEST);
	arm_retransmit(c);
}

static uint8_t mask_len(struct in_addr m)
{
	uint32_t v = ntohl(m.s_addr);
	uint8_t n = 0;
	while (n < 32 && (v & (0x80000000u >> n)))
		n++;
	return n;
}

/* Installs an ACK as the lease; false if it lacks what a lease needs. */
static bool install(struct d4c *c, const struct d4_msg *m, const uint8_t *raw, size_t len,
		    int64_t obtained_wall, int64_t obtained_mono)
{
	if (!m->has_lease || m->lease == 0 || m->yiaddr.s_addr == 0 || !m->has_server_id ||
	    len > sizeof(c->lease.raw))
		return false;
	struct d4c_lease l = { .valid = true, .ack = *m, .raw_len = len };
	memcpy(l.raw, raw, len);
	l.obtained_wall = obtained_wall;
	l.obtained_mono = obtained_mono;
	l.lease = m->lease;
	/* 4.4.5 defaults: T1 0.5, T2 0.875 of the lease; a server's T1 > T2
	 * or T2 > lease is nonsense and replaced by the defaults. */
	uint32_t d1 = m->lease == D4_INFINITY ? D4_INFINITY : m->lease / 2;
	uint32_t d2 = m->lease == D4_INFINITY ? D4_INFINITY : (uint32_t)((uint64_t)m->lease * 7 / 8);
	l.t1 = m->has_t1 ? m->t1 : d1;
	l.t2 = m->has_t2 ? m->t2 : d2;
	if (l.t1 > l.t2 || l.t2 > l.lease) {
		log_info("dhcp4: server timers T1 %u T2 %u lease %u are inconsistent; using defaults",
			 l.t1, l.t2, l.lease);
		l.t1 = d1;
		l.t2 = d2;
	}
	/* No mask (a point-to-point tunnel): the address alone, /32. */
	l.plen = m->has_mask ? mask_len(m->mask) : 32;
	c->lease = l;
	c->changed = true;
	return true;
}

bool d4c_restore(struct d4c *c, const uint8_t *raw, size_t len, int64_t obtained_wall)
{
	struct d4_msg m;
	if (d4_parse(raw, len, &m, NULL) < 0 || m.type != D4_ACK)
		return false;
	int64_t age = hgw_wall_s(c->clock) - obtained_wall;
	if (age < 0)
		age = 0;
	if (!install(c, &m, raw, len, obtained_wall, now_ms(c) - age * 1000))
		return false;
	if (lease_ms(&c->lease, c->lease.lease) <= now_ms(c)) {
		c->lease.valid = false;
		return false;
	}
	return true;
}

void d4c_start(struct d4c *c)
{
	c->tx_len = 0;
	if (!c->link_up) {
		set_state(c, D4C_UNBOUND);
		return;
	}
	if (c->lease.valid && lease_ms(&c->lease, c->lease.lease) > now_ms(c)) {
		reboot(c); /* INIT-REBOOT with the remembered address (4.4.2) */
		return;
	}
	uint32_t d = c->cfg.initial_delay_max_ms;
	int64_t delay = d ? hgw_rand_range(c->rng, 0, d) : 0;
	if (delay == 0) {
		discover(c);
	} else {
		set_state(c, D4C_INIT);
		c->next_ms = now_ms(c) + delay;
	}
}

void d4c_link(struct d4c *c, bool up)
{
	if (up == c->link_up)
		return;
	c->link_up = up;
	if (!up) {
		c->tx_len = 0;
		set_state(c, D4C_UNBOUND);
		c->changed = true;
	} else {
		d4c_start(c);
	}
}

int64_t d4c_next_timer(const struct d4c *c)
{
	int64_t t = INT64_MAX;
	switch (c->state) {
	case D4C_INIT:
	case D4C_SELECTING:
	case D4C_REQUESTING:
	case D4C_REBOOTING:
	case D4C_RENEWING:
	case D4C_REBINDING:
	case D4C_CHECKING:
		t = c->next_ms;
		break;
	case D4C_BOUND:
		t = lease_ms(&c->lease, c->lease.t1);
		break;
	default:
		break;
	}
	if (c->lease.valid) {
		int64_t e = lease_ms(&c->lease, c->lease.lease);
		if (e < t)
			t = e;
	}
	return t;
}

void d4c_timer(struct d4c *c)
{
	int64_t now = now_ms(c);
	c->tx_len = 0;
	if (c->lease.valid && lease_ms(&c->lease, c->lease.lease) <= now) {
		lease_lost(c, "lease time over");
		if (c->state == D4C_UNBOUND)
			return;
		discover(c);
		return;
	}
	if (now < d4c_next_timer(c))
		return;
	switch (c->state) {
	case D4C_INIT:
		discover(c);
		break;
	case D4C_SELECTING:
		c->tries++;
		send_msg(c, D4_DISCOVER);
		arm_retransmit(c);
		break;
	case D4C_REQUESTING:
		if (++c->tries > REQUEST_TRIES) {
			discover(c);
			break;
		}
		send_msg(c, D4_REQUEST);
		arm_retransmit(c);
		break;
	case D4C_REBOOTING:
		if (++c->tries > REBOOT_TRIES) {
			/* No server answered: the remembered lease is still
			 * ours until it ends; keep asking any server. */
			rebind(c);
			break;
		}
		send_msg(c, D4_REQUEST);
		arm_retransmit(c);
		break;
	case D4C_BOUND:
		renew(c);
		break;
	case D4C_RENEWING:
		if (now >= lease_ms(&c->lease, c->lease.t2)) {
			rebind(c);
		} else {
			send_msg(c, D4_REQUEST);
			arm_half(c, lease_ms(&c->lease, c->lease.t2));
		}
		break;
	case D4C_REBINDING:
		send_msg(c, D4_REQUEST);
		arm_half(c, lease_ms(&c->lease, c->lease.lease));
		break;
	case D4C_CHECKING:
		/* Nobody answered the probe: the address is ours. */
		set_state(c, D4C_BOUND);
		c->changed = true;
		break;
	default:
		break;
	}
}

void d4c_conflict(struct d4c *c)
{
	if (c->state != D4C_CHECKING)
		return;
	char a[INET_ADDRSTRLEN];
	log_warn("dhcp4: %s is already in use on the link; declining it",
		 inet_ntop(AF_INET, &c->lease.ack.yiaddr, a, sizeof(a)));
	send_msg(c, D4_DECLINE);
	lease_lost(c, "declined");
	set_state(c, D4C_INIT);
	c->next_ms = now_ms(c) + DECLINE_DELAY_MS;
}

bool d4c_release(struct d4c *c)
{
	c->tx_len = 0;
	if (!c->lease.valid || !c->link_up ||
	    (c->state != D4C_BOUND && c->state != D4C_RENEWING && c->state != D4C_REBINDING))
		return false;
	begin(c, D4C_RELEASED);
	send_msg(c, D4_RELEASE);
	c->lease.valid = false;
	return true;
}

static void ignore(struct d4c *c, const struct d4_msg *m, const char *why)
{
	c->ignored++;
	log_info("dhcp4: ignoring %s xid %08x: %s", d4_type_name(m->type), m->xid, why);
}

void d4c_recv(struct d4c *c, const struct d4_msg *m, const uint8_t *raw, size_t len)
{
	c->received++;
	c->tx_len = 0;
	c->probe = false;
	if (m->op != 2 || m->xid != c->xid) {
		ignore(c, m, "not a reply to our transaction");
		return;
	}
	if (m->hlen != c->cfg.hlen || memcmp(m->chaddr, c->cfg.chaddr, c->cfg.hlen) != 0) {
		ignore(c, m, "chaddr is not ours");
		return;
	}
	int64_t now = now_ms(c), wall = hgw_wall_s(c->clock);
	switch (c->state) {
	case D4C_SELECTING:
		if (m->type != D4_OFFER)
			{
			ignore(c, m, "expecting an OFFER");
			return;
		}
		if (!m->yiaddr.s_addr || !m->has_server_id)
			{
			ignore(c, m, "OFFER without address or server id");
			return;
		}
		/* The first acceptable offer (4.4.1 allows waiting for more;
		 * a tunnel has one server). */
		c->offered = m->yiaddr;
		c->offer_server = m->server_id;
		c->state = D4C_REQUESTING; /* same xid (4.4.1) */
		c->changed = true;
		c->tries = 1;
		c->rt_ms = c->cfg.first_rt_ms;
		send_msg(c, D4_REQUEST);
		arm_retransmit(c);
		return;
	case D4C_REQUESTING:
	case D4C_REBOOTING:
	case D4C_RENEWING:
	case D4C_REBINDING: {
		struct in_addr want = c->state == D4C_REQUESTING ? c->offer_server
				      : c->state == D4C_RENEWING ? c->lease.ack.server_id
								   : (struct in_addr){ 0 };
		if (want.s_addr && (!m->has_server_id || m->server_id.s_addr != want.s_addr))
			{
			ignore(c, m, "from a server we did not ask");
			return;
		}
		if (m->type == D4_NAK) {
			log_notice("dhcp4: NAK%s%s", m->message[0] ? ": " : "", m->message);
			lease_lost(c, "server refused it (NAK)");
			set_state(c, D4C_INIT);
			c->next_ms = now + NAK_DELAY_MS;
			return;
		}
		if (m->type != D4_ACK)
			{
			ignore(c, m, "expecting ACK or NAK");
			return;
		}
		if (!install(c, m, raw, len, wall, now))
			{
			ignore(c, m, "ACK without address, server id or lease time");
			return;
		}
		char a[INET_ADDRSTRLEN];
		log_notice("dhcp4: bound to %s/%u (lease %u s, T1 %u, T2 %u)",
			   inet_ntop(AF_INET, &m->yiaddr, a, sizeof(a)), c->lease.plen, c->lease.lease,
			   c->lease.t1, c->lease.t2);
		/* A new address (not a renewal of the one in use): check it
		 * is free before using it (4.4.1), where the link has ARP. */
		if (c->cfg.arp_probe_ms && (c->state == D4C_REQUESTING || c->state == D4C_REBOOTING)) {
			set_state(c, D4C_CHECKING);
			c->probe = true;
			c->next_ms = now + c->cfg.arp_probe_ms;
			return;
		}
		set_state(c, D4C_BOUND);
		return;
	}
	default:
		{
			ignore(c, m, "not expecting anything");
			return;
		}
	}
}
