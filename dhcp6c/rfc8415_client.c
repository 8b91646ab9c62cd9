/* DHCPv6 client state machine; see rfc8415_client.h.  Section numbers are
 * RFC 8415's. */
#include "rfc8415_client.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "md5.h"

/* 21.23: default and minimum refresh for Information-request mode. */
#define IRT_DEFAULT 86400u
#define IRT_MINIMUM 600u

static const char *const state_names[] = {
	[D6C_INIT] = "init",           [D6C_SOLICITING] = "soliciting",
	[D6C_REQUESTING] = "requesting", [D6C_BOUND] = "bound",
	[D6C_RENEWING] = "renewing",   [D6C_REBINDING] = "rebinding",
	[D6C_UNBOUND] = "unbound",     [D6C_RELEASING] = "released",
	[D6C_RELEASED] = "released",   [D6C_INFORMING] = "information",
	[D6C_INFORMED] = "information", [D6C_DECLINING] = "requesting",
};

const char *d6c_state_name(enum d6c_state s)
{
	return s <= D6C_DECLINING ? state_names[s] : "init";
}

static int64_t now_ms(const struct d6c *c) { return hgw_now_ms(c->clock); }

static void event(struct d6c *c, const char *what)
{
	snprintf(c->last_event, sizeof(c->last_event), "%s", what);
	log_debug("dhcp6: %s (state %s)", what, d6c_state_name(c->state));
}

static void set_state(struct d6c *c, enum d6c_state s)
{
	if (c->state != s) {
		log_info("dhcp6: %s -> %s", d6c_state_name(c->state), d6c_state_name(s));
		c->state = s;
		c->changed = true;
	}
}

int64_t d6c_abs(const struct d6c_lease *l, uint32_t secs)
{
	return secs == D6_INFINITY ? -1 : l->obtained_wall + secs;
}

/* Monotonic deadline of an offset from the lease start. */
static int64_t lease_ms(const struct d6c_lease *l, uint32_t secs)
{
	return secs == D6_INFINITY ? INT64_MAX : l->obtained_mono + (int64_t)secs * 1000;
}

/* The lease is over when its last address/prefix is no longer valid. */
static int64_t lease_expiry(const struct d6c_lease *l)
{
	if (!l->valid)
		return INT64_MIN;
	uint32_t max = 0;
	const struct d6_ia *ias[2] = { &l->reply.ia_na, &l->reply.ia_pd };
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < ias[k]->n; i++)
			if (ias[k]->l[i].valid > max)
				max = ias[k]->l[i].valid;
	return lease_ms(l, max);
}

void d6c_init(struct d6c *c, const struct d6c_config *cfg, const struct hgw_clock *clock,
	      const struct hgw_rng *rng)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->clock = clock;
	c->rng = rng;
	c->state = D6C_INIT;
	c->link_up = true;
	c->sol_max_rt_ms = d6_rt_solicit.mrt_ms;
}

static void send_msg(struct d6c *c, uint8_t type)
{
	struct d6_req r = {
		.type = type,
		.xid = c->xid,
		.client_id = &c->cfg.duid,
		.oro = c->cfg.oro,
		.n_oro = c->cfg.n_oro,
		.vendor_class = c->cfg.vendor_class_len ? c->cfg.vendor_class : NULL,
		.vendor_class_len = c->cfg.vendor_class_len,
		.na_iaid = c->cfg.iaid,
		.pd_iaid = c->cfg.iaid,
		.pd_hint_len = c->cfg.pd_hint_len,
	};
	/* 21.9: elapsed time in hundredths since the exchange began; the
	 * first message of an exchange carries 0. */
	int64_t el = (now_ms(c) - c->rt.start_ms) / 10;
	r.elapsed_cs = c->rt.count <= 1 ? 0 : el > 0xffff ? 0xffff : (uint16_t)el;
	/* IAs sent back to the server carry lifetimes 0: the server ignores
	 * them (18.2.4) and stale values would only confuse a reader. */
	struct d6_ia na = { 0 }, pd = { 0 };
	const struct d6_ia *src_na = NULL, *src_pd = NULL;
	switch (type) {
	case D6_SOLICIT:
		r.rapid_commit = c->cfg.rapid_commit;
		r.reconf_accept = c->cfg.reconf_accept;
		src_na = &c->hint_na;
		src_pd = &c->hint_pd;
		break;
	case D6_REQUEST:
		r.reconf_accept = c->cfg.reconf_accept;
		r.server_id = &c->adv.server_id;
		src_na = &c->adv.ia_na;
		src_pd = &c->adv.ia_pd;
		break;
	case D6_DECLINE:
		/* 18.2.7: the server id and only the declined address. */
		r.server_id = &c->lease.reply.server_id;
		na = (struct d6_ia){ .present = true, .n = 1 };
		na.l[0].addr = c->declined;
		na.l[0].plen = 128;
		r.na = &na;
		r.ia_na = true;
		break;
	case D6_RENEW:
	case D6_RELEASE:
		r.server_id = &c->lease.reply.server_id;
		/* fall through */
	case D6_REBIND:
		r.reconf_accept = c->cfg.reconf_accept && type != D6_RELEASE;
		src_na = &c->lease.reply.ia_na;
		src_pd = &c->lease.reply.ia_pd;
		break;
	default:
		break;
	}
	if (type != D6_INFORMATION_REQUEST && type != D6_DECLINE) {
		r.ia_na = c->cfg.ia_na;
		r.ia_pd = c->cfg.ia_pd;
	}
	if (src_na) {
		na = *src_na;
		for (int i = 0; i < na.n; i++)
			na.l[i].preferred = na.l[i].valid = 0;
		r.na = &na;
	}
	if (src_pd) {
		pd = *src_pd;
		for (int i = 0; i < pd.n; i++)
			pd.l[i].preferred = pd.l[i].valid = 0;
		r.pd = &pd;
	}
	c->tx_len = d6_build(&r, c->tx, sizeof(c->tx));
	c->sent++;
	log_debug("dhcp6: send %s xid %06x (try %u)", d6_type_name(type), c->xid, c->rt.count);
}

static void new_exchange(struct d6c *c, const struct d6_rt_params *p, bool first_solicit,
			 uint32_t mrd_ms)
{
	c->xid = hgw_rand(c->rng) & 0xffffff;
	d6_rt_start(&c->rt, p, now_ms(c), first_solicit, mrd_ms, c->rng);
}

static void start_solicit(struct d6c *c)
{
	struct d6_rt_params p = d6_rt_solicit;
	p.mrt_ms = c->sol_max_rt_ms;
	c->have_adv = false;
	c->first_rt_over = false;
	new_exchange(c, &p, true, 0);
	set_state(c, D6C_SOLICITING);
	send_msg(c, D6_SOLICIT);
}

static void start_request(struct d6c *c)
{
	new_exchange(c, &d6_rt_request, false, 0);
	set_state(c, D6C_REQUESTING);
	send_msg(c, D6_REQUEST);
}

static void lease_lost(struct d6c *c, const char *why)
{
	log_notice("dhcp6: lease lost: %s", why);
	c->lease.valid = false;
	c->changed = true;
}

static void start_rebind(struct d6c *c)
{
	int64_t now = now_ms(c), exp = lease_expiry(&c->lease);
	if (exp <= now) {
		lease_lost(c, "expired");
		start_solicit(c);
		return;
	}
	/* 18.2.5: Rebind until every lease's valid lifetime is over. */
	uint32_t mrd = exp == INT64_MAX ? 0 : (uint32_t)(exp - now > UINT32_MAX ? UINT32_MAX : exp - now);
	new_exchange(c, &d6_rt_rebind, false, mrd);
	set_state(c, D6C_REBINDING);
	send_msg(c, D6_REBIND);
}

static void start_renew(struct d6c *c)
{
	int64_t now = now_ms(c), t2 = lease_ms(&c->lease, c->lease.t2);
	if (t2 <= now) {
		start_rebind(c);
		return;
	}
	/* 18.2.4: Renew until T2. */
	uint32_t mrd = t2 == INT64_MAX ? 0 : (uint32_t)(t2 - now > UINT32_MAX ? UINT32_MAX : t2 - now);
	new_exchange(c, &d6_rt_renew, false, mrd);
	set_state(c, D6C_RENEWING);
	send_msg(c, D6_RENEW);
}

static void start_inforeq(struct d6c *c)
{
	new_exchange(c, &d6_rt_inforeq, false, 0);
	set_state(c, D6C_INFORMING);
	send_msg(c, D6_INFORMATION_REQUEST);
}

/* Drops what the client cannot use from a received IA: a status other
 * than success voids it (NoAddrsAvail, NoPrefixAvail, NoBinding), and
 * leases with valid lifetime 0 are the server taking them back. */
static void clean_ia(struct d6_ia *ia, bool wanted)
{
	if (!ia->present || !wanted || (ia->status != D6S_NONE && ia->status != D6S_SUCCESS)) {
		ia->n = 0;
		return;
	}
	int k = 0;
	for (int i = 0; i < ia->n; i++)
		if (ia->l[i].valid != 0)
			ia->l[k++] = ia->l[i];
	ia->n = k;
}

static bool usable(const struct d6c *c, const struct d6_msg *m)
{
	struct d6_ia na = m->ia_na, pd = m->ia_pd;
	clean_ia(&na, c->cfg.ia_na);
	clean_ia(&pd, c->cfg.ia_pd);
	return na.n > 0 || pd.n > 0;
}

static uint32_t min_preferred(const struct d6_msg *m)
{
	uint32_t min = D6_INFINITY;
	const struct d6_ia *ias[2] = { &m->ia_na, &m->ia_pd };
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < ias[k]->n; i++)
			if (ias[k]->l[i].preferred < min)
				min = ias[k]->l[i].preferred;
	return min;
}

/* T1/T2 across the IAs: the earliest the server asked for; when it left
 * them to us (0), 0.5 and 0.8 times the shortest preferred lifetime
 * (18.2.4 recommends these fractions). */
static void pick_timers(struct d6c_lease *l)
{
	uint32_t t1 = D6_INFINITY, t2 = D6_INFINITY;
	const struct d6_ia *ias[2] = { &l->reply.ia_na, &l->reply.ia_pd };
	for (int k = 0; k < 2; k++) {
		if (ias[k]->n == 0)
			continue;
		if (ias[k]->t1 && ias[k]->t1 < t1)
			t1 = ias[k]->t1;
		if (ias[k]->t2 && ias[k]->t2 < t2)
			t2 = ias[k]->t2;
	}
	uint32_t pref = min_preferred(&l->reply);
	if (t1 == D6_INFINITY && pref != D6_INFINITY)
		t1 = pref / 2;
	if (t2 == D6_INFINITY && pref != D6_INFINITY)
		t2 = (uint32_t)((uint64_t)pref * 4 / 5);
	if (t1 > t2)
		t1 = t2;
	l->t1 = t1;
	l->t2 = t2;
}

/* Installs m as the lease; false if nothing in it is usable. */
static bool install(struct d6c *c, const struct d6_msg *m, const uint8_t *raw, size_t len,
		    int64_t obtained_wall, int64_t obtained_mono)
{
	struct d6c_lease l = { .valid = true, .reply = *m };
	clean_ia(&l.reply.ia_na, c->cfg.ia_na);
	clean_ia(&l.reply.ia_pd, c->cfg.ia_pd);
	if (l.reply.ia_na.n == 0 && l.reply.ia_pd.n == 0)
		return false;
	if (len > sizeof(l.raw))
		return false;
	memcpy(l.raw, raw, len);
	l.raw_len = len;
	l.obtained_wall = obtained_wall;
	l.obtained_mono = obtained_mono;
	pick_timers(&l);
	c->lease = l;
	/* 20.4.1: the reconfigure key comes in an Authentication option,
	 * protocol 3, algorithm 1 (HMAC-MD5), RDM 0, type 1 + 16 bytes. */
	if (c->cfg.reconf_accept && m->has_auth && m->auth_proto == 3 && m->auth_alg == 1 &&
	    m->auth_rdm == 0 && m->auth_info_len == 17 && m->auth_info[0] == 1) {
		memcpy(c->reconf_key, m->auth_info + 1, 16);
		c->have_reconf_key = true;
		c->last_replay = m->auth_replay;
	}
	/* Remember what we had, to ask for it again after a reconnect. */
	if (l.reply.ia_na.n)
		c->hint_na = l.reply.ia_na;
	if (l.reply.ia_pd.n)
		c->hint_pd = l.reply.ia_pd;
	c->changed = true;
	return true;
}

bool d6c_restore(struct d6c *c, const uint8_t *raw, size_t len, int64_t obtained_wall)
{
	struct d6_msg m;
	if (d6_parse(raw, len, &m, NULL) < 0 || m.type != D6_REPLY || !m.has_server_id ||
	    !m.has_client_id || m.client_id.len != c->cfg.duid.len ||
	    memcmp(m.client_id.b, c->cfg.duid.b, m.client_id.len) != 0)
		return false;
	int64_t age_s = hgw_wall_s(c->clock) - obtained_wall;
	if (age_s < 0)
		age_s = 0; /* clock went back: trust the lease from now */
	if (!install(c, &m, raw, len, obtained_wall, now_ms(c) - age_s * 1000))
		return false;
	if (lease_expiry(&c->lease) <= now_ms(c)) {
		c->lease.valid = false;
		return false;
	}
	return true;
}

void d6c_start(struct d6c *c)
{
	c->tx_len = 0;
	if (!c->link_up) {
		set_state(c, D6C_UNBOUND);
		return;
	}
	if (c->cfg.info_only) {
		start_inforeq(c);
		return;
	}
	if (c->lease.valid && lease_expiry(&c->lease) > now_ms(c)) {
		/* A remembered lease: confirm it with any server first
		 * (Rebind, 18.2.5), so a restart keeps the same prefix. */
		event(c, "rebinding remembered lease");
		start_rebind(c);
		return;
	}
	uint32_t d = c->cfg.initial_delay_max_ms;
	int64_t delay = d ? hgw_rand_range(c->rng, 0, d) : 0;
	if (delay == 0) {
		start_solicit(c);
	} else {
		c->delay_until = now_ms(c) + delay;
		set_state(c, D6C_INIT);
	}
}

void d6c_link(struct d6c *c, bool up)
{
	if (up == c->link_up)
		return;
	c->link_up = up;
	if (!up) {
		/* Keep the lease (the prefix may well be ours again when the
		 * link returns) but stop sending and say it is not usable. */
		c->tx_len = 0;
		set_state(c, D6C_UNBOUND);
		c->changed = true;
	} else {
		d6c_start(c);
	}
}

/* 18.2.10.1: after the Reply to a Decline (or giving up), forget the
 * address and ask for another; the prefixes stay published meanwhile. */
static void decline_done(struct d6c *c)
{
	struct d6_ia *na = &c->lease.reply.ia_na;
	int k = 0;
	for (int i = 0; i < na->n; i++)
		if (memcmp(&na->l[i].addr, &c->declined, 16) != 0)
			na->l[k++] = na->l[i];
	na->n = k;
	memset(&c->hint_na, 0, sizeof(c->hint_na));
	c->changed = true;
	start_solicit(c);
}

bool d6c_decline(struct d6c *c, const struct in6_addr *addr)
{
	if (!c->lease.valid ||
	    (c->state != D6C_BOUND && c->state != D6C_RENEWING && c->state != D6C_REBINDING))
		return false;
	const struct d6_ia *na = &c->lease.reply.ia_na;
	bool ours = false;
	for (int i = 0; i < na->n; i++)
		ours |= memcmp(&na->l[i].addr, addr, 16) == 0;
	if (!ours)
		return false;
	char a[INET6_ADDRSTRLEN];
	log_warn("dhcp6: %s is a duplicate on the link; declining it",
		 inet_ntop(AF_INET6, addr, a, sizeof(a)));
	c->declined = *addr;
	c->tx_len = 0;
	new_exchange(c, &d6_rt_decline, false, 0);
	set_state(c, D6C_DECLINING);
	send_msg(c, D6_DECLINE);
	return true;
}

int64_t d6c_next_timer(const struct d6c *c)
{
	int64_t t = INT64_MAX;
	switch (c->state) {
	case D6C_INIT:
		t = c->delay_until;
		break;
	case D6C_SOLICITING:
	case D6C_REQUESTING:
	case D6C_RENEWING:
	case D6C_REBINDING:
	case D6C_RELEASING:
	case D6C_INFORMING:
	case D6C_DECLINING:
		t = c->rt.next_ms;
		break;
	case D6C_BOUND:
		t = lease_ms(&c->lease, c->lease.t1);
		break;
	case D6C_INFORMED:
		t = c->info_refresh_at;
		break;
	default:
		break;
	}
	if (c->lease.valid && c->state != D6C_INFORMED && c->state != D6C_INFORMING) {
		int64_t e = lease_expiry(&c->lease);
		if (e < t)
			t = e;
	}
	return t;
}

void d6c_timer(struct d6c *c)
{
	int64_t now = now_ms(c);
	c->tx_len = 0;
	if (c->lease.valid && c->state != D6C_INFORMED && c->state != D6C_INFORMING &&
	    lease_expiry(&c->lease) <= now) {
		lease_lost(c, "valid lifetime over");
		if (c->state == D6C_UNBOUND)
			return;
		if (c->state == D6C_BOUND || c->state == D6C_RENEWING || c->state == D6C_REBINDING) {
			start_solicit(c);
			return;
		}
	}
	switch (c->state) {
	case D6C_INIT:
		if (now >= c->delay_until)
			start_solicit(c);
		break;
	case D6C_SOLICITING:
		if (now < c->rt.next_ms)
			break;
		/* 18.2.1: after the first RT, take the best Advertise. */
		c->first_rt_over = true;
		if (c->have_adv) {
			start_request(c);
		} else if (d6_rt_next(&c->rt, now, c->rng)) {
			send_msg(c, D6_SOLICIT);
		}
		break;
	case D6C_REQUESTING:
		if (now < c->rt.next_ms)
			break;
		if (d6_rt_next(&c->rt, now, c->rng)) {
			send_msg(c, D6_REQUEST);
		} else {
			/* 18.2.2: REQ_MAX_RC exhausted: back to Solicit. */
			event(c, "Request unanswered, soliciting again");
			start_solicit(c);
		}
		break;
	case D6C_BOUND:
		if (now >= lease_ms(&c->lease, c->lease.t1))
			start_renew(c);
		break;
	case D6C_RENEWING:
		if (now < c->rt.next_ms)
			break;
		if (d6_rt_next(&c->rt, now, c->rng))
			send_msg(c, D6_RENEW);
		else
			start_rebind(c); /* T2 reached */
		break;
	case D6C_REBINDING:
		if (now < c->rt.next_ms)
			break;
		if (d6_rt_next(&c->rt, now, c->rng)) {
			send_msg(c, D6_REBIND);
		} else {
			lease_lost(c, "Rebind unanswered until the leases expired");
			start_solicit(c);
		}
		break;
	case D6C_RELEASING:
		if (now < c->rt.next_ms)
			break;
		if (d6_rt_next(&c->rt, now, c->rng)) {
			send_msg(c, D6_RELEASE);
		} else {
			/* 18.2.7: give up; the lease is gone either way. */
			c->lease.valid = false;
			set_state(c, D6C_RELEASED);
		}
		break;
	case D6C_INFORMING:
		if (now >= c->rt.next_ms && d6_rt_next(&c->rt, now, c->rng))
			send_msg(c, D6_INFORMATION_REQUEST);
		break;
	case D6C_DECLINING:
		if (now < c->rt.next_ms)
			break;
		if (d6_rt_next(&c->rt, now, c->rng))
			send_msg(c, D6_DECLINE);
		else
			decline_done(c); /* DEC_MAX_RC: give up waiting */
		break;
	case D6C_INFORMED:
		if (now >= c->info_refresh_at)
			start_inforeq(c);
		break;
	default:
		break;
	}
}

bool d6c_release(struct d6c *c)
{
	c->tx_len = 0;
	if (!c->lease.valid || !c->link_up ||
	    (c->state != D6C_BOUND && c->state != D6C_RENEWING && c->state != D6C_REBINDING))
		return false;
	new_exchange(c, &d6_rt_release, false, 0);
	set_state(c, D6C_RELEASING);
	send_msg(c, D6_RELEASE);
	return true;
}

static bool same_duid(const struct d6_duid *a, const struct d6_duid *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static void ignore(struct d6c *c, const struct d6_msg *m, const char *why)
{
	c->ignored++;
	log_info("dhcp6: ignoring %s xid %06x: %s", d6_type_name(m->type), m->xid, why);
}

static void on_reply(struct d6c *c, const struct d6_msg *m, const uint8_t *raw, size_t len)
{
	/* Top-level failures (UnspecFail, UseMulticast): keep retransmitting;
	 * the exchange's own limits decide when to give up. */
	if (m->status != D6S_NONE && m->status != D6S_SUCCESS && m->status != D6S_NOT_ON_LINK) {
		ignore(c, m, "server reports a failure status");
		return;
	}
	int64_t now = now_ms(c), wall = hgw_wall_s(c->clock);
	switch (c->state) {
	case D6C_SOLICITING: /* Rapid Commit (18.2.1, 18.2.10) */
	case D6C_REQUESTING:
		if (m->status == D6S_NOT_ON_LINK) {
			/* 18.2.10.1: the hints are wrong here; solicit without them. */
			memset(&c->hint_na, 0, sizeof(c->hint_na));
			memset(&c->hint_pd, 0, sizeof(c->hint_pd));
			start_solicit(c);
			return;
		}
		if (!install(c, m, raw, len, wall, now)) {
			if (c->state == D6C_REQUESTING) {
				event(c, "Reply holds nothing usable, soliciting again");
				start_solicit(c);
			} else {
				ignore(c, m, "nothing usable");
			}
			return;
		}
		break;
	case D6C_RENEWING:
	case D6C_REBINDING:
		if ((c->cfg.ia_na && m->ia_na.status == D6S_NO_BINDING) ||
		    (c->cfg.ia_pd && m->ia_pd.status == D6S_NO_BINDING)) {
			/* 18.2.10.1: the server forgot us: Request the same
			 * leases from this server. */
			c->adv = *m;
			c->adv.ia_na = c->lease.reply.ia_na;
			c->adv.ia_pd = c->lease.reply.ia_pd;
			start_request(c);
			return;
		}
		if (!install(c, m, raw, len, wall, now)) {
			/* NoAddrsAvail/NoPrefixAvail or zero lifetimes on
			 * everything: the old lease stands until it expires,
			 * unless the server withdrew it explicitly. */
			ignore(c, m, "nothing usable; keeping the current lease");
			return;
		}
		break;
	default:
		return;
	}
	if (m->sol_max_rt >= 60 && m->sol_max_rt <= 86400) /* 21.24 bounds */
		c->sol_max_rt_ms = m->sol_max_rt * 1000;
	log_notice("dhcp6: bound (T1 %u s, T2 %u s)", c->lease.t1, c->lease.t2);
	set_state(c, D6C_BOUND);
	c->changed = true;
}

/* 18.2.11 and 20.4: a Reconfigure is honoured only when bound, from our
 * server, for us, with a valid HMAC-MD5 under the reconfigure key and a
 * replay-detection value above the last one; then the client starts the
 * exchange the server asked for. */
static void on_reconfigure(struct d6c *c, const struct d6_msg *m, const uint8_t *raw, size_t len)
{
	if (!c->cfg.reconf_accept || !c->have_reconf_key) {
		ignore(c, m, "Reconfigure not accepted (no reconfigure key)");
		return;
	}
	if (c->state != D6C_BOUND && c->state != D6C_INFORMED) {
		ignore(c, m, "Reconfigure while an exchange is running");
		return;
	}
	if (!m->has_server_id || !m->has_client_id || !same_duid(&m->client_id, &c->cfg.duid) ||
	    !same_duid(&m->server_id, &c->lease.reply.server_id)) {
		ignore(c, m, "Reconfigure not from our server or not for us");
		return;
	}
	if (m->reconf_msg != D6_RENEW && m->reconf_msg != D6_REBIND &&
	    m->reconf_msg != D6_INFORMATION_REQUEST) {
		ignore(c, m, "Reconfigure without a valid Reconfigure Message option");
		return;
	}
	if (!m->has_auth || m->auth_proto != 3 || m->auth_alg != 1 || m->auth_rdm != 0 ||
	    m->auth_info_len != 17 || m->auth_info[0] != 2 || m->auth_info_off + 17 > len ||
	    len > 2048) {
		ignore(c, m, "Reconfigure without RKAP authentication");
		return;
	}
	if (m->auth_replay <= c->last_replay) {
		ignore(c, m, "Reconfigure replayed (replay detection)");
		return;
	}
	/* The HMAC covers the whole message with the HMAC field zeroed. */
	uint8_t copy[2048], mac[16];
	memcpy(copy, raw, len);
	memset(copy + m->auth_info_off + 1, 0, 16);
	hgw_hmac_md5(c->reconf_key, 16, copy, len, mac);
	uint8_t diff = 0;
	for (int i = 0; i < 16; i++)
		diff |= (uint8_t)(mac[i] ^ m->auth_info[1 + i]);
	if (diff) {
		ignore(c, m, "Reconfigure with a wrong HMAC");
		return;
	}
	c->last_replay = m->auth_replay;
	c->reconfigured++;
	log_notice("dhcp6: authenticated Reconfigure: sending %s", d6_type_name(m->reconf_msg));
	if (m->reconf_msg == D6_INFORMATION_REQUEST || c->state == D6C_INFORMED)
		start_inforeq(c);
	else if (m->reconf_msg == D6_REBIND)
		start_rebind(c);
	else
		start_renew(c);
}

void d6c_recv(struct d6c *c, const struct d6_msg *m, const uint8_t *raw, size_t len)
{
	c->received++;
	c->tx_len = 0;
	if (m->type == D6_RECONFIGURE) {
		on_reconfigure(c, m, raw, len);
		return;
	}
	if (m->type != D6_ADVERTISE && m->type != D6_REPLY) {
		ignore(c, m, "not a server-to-client message");
		return;
	}
	if (m->xid != c->xid) {
		ignore(c, m, "transaction id does not match");
		return;
	}
	/* 16.3, 16.10: both identifiers present and the client's is ours. */
	if (!m->has_server_id || !m->has_client_id || !same_duid(&m->client_id, &c->cfg.duid)) {
		ignore(c, m, "missing server id or not our client id");
		return;
	}
	switch (c->state) {
	case D6C_SOLICITING:
		if (m->type == D6_REPLY) {
			if (c->cfg.rapid_commit && m->rapid_commit)
				on_reply(c, m, raw, len);
			else
				ignore(c, m, "Reply to Solicit without Rapid Commit");
			return;
		}
		/* 18.2.9: an Advertise with nothing we asked for is ignored. */
		if (m->status == D6S_NO_ADDRS_AVAIL || !usable(c, m)) {
			ignore(c, m, "Advertise offers nothing usable");
			return;
		}
		if (m->sol_max_rt >= 60 && m->sol_max_rt <= 86400)
			c->sol_max_rt_ms = m->sol_max_rt * 1000;
		if (!c->have_adv || m->preference > c->adv.preference) {
			c->adv = *m;
			c->have_adv = true;
		}
		/* Preference 255, or any Advertise once the first RT is
		 * over: no point in waiting (18.2.1). */
		if (m->preference == 255 || c->first_rt_over)
			start_request(c);
		return;
	case D6C_REQUESTING:
	case D6C_RENEWING:
	case D6C_REBINDING:
		if (m->type != D6_REPLY) {
			ignore(c, m, "Advertise outside Solicit");
			return;
		}
		if (c->state == D6C_REQUESTING && !same_duid(&m->server_id, &c->adv.server_id)) {
			ignore(c, m, "Reply from a server we did not ask");
			return;
		}
		if (c->state == D6C_RENEWING && !same_duid(&m->server_id, &c->lease.reply.server_id)) {
			ignore(c, m, "Reply from a server we did not ask");
			return;
		}
		on_reply(c, m, raw, len);
		return;
	case D6C_DECLINING:
		if (m->type == D6_REPLY)
			decline_done(c);
		return;
	case D6C_RELEASING:
		if (m->type == D6_REPLY) {
			/* 18.2.10.2: any status ends the Release exchange. */
			c->lease.valid = false;
			set_state(c, D6C_RELEASED);
		}
		return;
	case D6C_INFORMING:
		if (m->type != D6_REPLY)
			return;
		c->lease = (struct d6c_lease){ .valid = false, .reply = *m };
		c->lease.obtained_wall = hgw_wall_s(c->clock);
		c->lease.obtained_mono = now_ms(c);
		uint32_t irt = m->info_refresh ? m->info_refresh : IRT_DEFAULT;
		if (irt < IRT_MINIMUM)
			irt = IRT_MINIMUM;
		c->info_refresh_at = now_ms(c) + (int64_t)irt * 1000;
		set_state(c, D6C_INFORMED);
		c->changed = true;
		return;
	default:
		ignore(c, m, "not expecting anything");
		return;
	}
}
