/* RFC 8157 home-gateway state machine; see rfc8157_client.h. */
#include "rfc8157_client.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *const tun_names[HC_NTUN] = { "LTE", "DSL" };

static int64_t now(const struct hc *c) { return hgw_now_ms(c->clock); }

const char *hc_tstate_name(enum hc_tstate s)
{
	switch (s) {
	case HC_T_DOWN: return "down";
	case HC_T_SETUP: return "setup";
	case HC_T_UP: return "up";
	case HC_T_BACKOFF: return "backoff";
	}
	return "?";
}

const char *hc_state_name(const struct hc *c)
{
	const struct hc_tunnel *l = &c->t[HC_LTE], *d = &c->t[HC_DSL];
	if (l->st == HC_T_UP && d->st == HC_T_UP)
		return "bonded";
	if (l->st == HC_T_UP)
		return d->st == HC_T_SETUP ? "dsl-setup" : "lte";
	if (d->st == HC_T_UP)
		return "dsl";
	if (l->st == HC_T_SETUP)
		return "lte-setup";
	if (l->st == HC_T_BACKOFF && l->last_error)
		return "failed";
	return "down";
}

static uint8_t ttype(const struct hc *c, enum hc_tun t)
{
	return t == HC_LTE ? c->cfg.tt_lte : c->cfg.tt_dsl;
}

/* ---- outbox ---- */

static struct hgw_wr out_begin(struct hc *c, enum hc_tun t, const struct in6_addr *dst,
			       uint32_t key, uint8_t type)
{
	if (c->nout >= HC_OUTBOX) {
		/* The caller drains after every call, so this means a bug or a
		 * flood; drop rather than overwrite. */
		c->out_overflow++;
		return hgw_wr_init(NULL, 0);
	}
	struct hc_out *o = &c->out[c->nout];
	o->tun = t;
	o->dst = *dst;
	struct hgw_wr w = hgw_wr_init(o->buf, sizeof(o->buf));
	rfc8157_begin(&w, c->cfg.proto, key, type, ttype(c, t));
	return w;
}

static void out_commit(struct hc *c, struct hgw_wr *w)
{
	size_t n = rfc8157_end(w, true);
	if (!n || !w->p)
		return;
	c->out[c->nout].len = (uint16_t)n;
	c->nout++;
	c->tx_msgs++;
}

/* ---- timers in force ---- */

static uint32_t clamp(struct hc *c, const char *what, uint32_t v, uint32_t lo, uint32_t hi)
{
	if (v >= lo && v <= hi)
		return v;
	uint32_t r = v < lo ? lo : hi;
	log_warn("HAAP sent %s = %u, outside %u..%u: using %u", what, v, lo, hi, r);
	c->drops.clamped++;
	return r;
}

static uint32_t hello_interval_s(const struct hc *c)
{
	return c->hello_mode == HC_HELLO_IDLE ? c->idle_hello_s : c->active_hello_s;
}

static void defaults(struct hc *c)
{
	/* RFC 8157 defaults until an Accept says otherwise */
	c->active_hello_s = c->cfg.active_hello_s ? c->cfg.active_hello_s : 10;
	c->hello_retry = c->cfg.hello_retry ? c->cfg.hello_retry : 3;
	c->idle_hello_s = 1800;
	c->no_traffic_s = 60;
	c->bypass_interval_s = 10;
	c->rtt_threshold_ms = 0;
	c->rtt_violation = c->rtt_compliance = 3;
	c->idle_timeout_s = 0;
	c->hello_mode = HC_HELLO_ACTIVE;
}

/* Minimums are below the RFC's where a lab wants short timers; the bounds
 * exist to keep an absurd value (0 s hellos, 10^9 s) from hurting us. */
static void take_timers(struct hc *c, const struct rfc8157_msg *m)
{
	if (rfc8157_has(m, A_ACTIVE_HELLO_INTERVAL) && !c->cfg.active_hello_s)
		c->active_hello_s = clamp(c, "active hello interval", m->active_hello, 1, 100);
	if (rfc8157_has(m, A_HELLO_RETRY_TIMES) && !c->cfg.hello_retry)
		c->hello_retry = clamp(c, "hello retry times", m->hello_retry, 1, 10);
	if (rfc8157_has(m, A_IDLE_HELLO_INTERVAL))
		c->idle_hello_s = clamp(c, "idle hello interval", m->idle_hello, 1, 86400);
	if (rfc8157_has(m, A_NO_TRAFFIC_INTERVAL))
		c->no_traffic_s = clamp(c, "no traffic interval", m->no_traffic, 1, 86400);
	if (rfc8157_has(m, A_BYPASS_CHECK_INTERVAL))
		c->bypass_interval_s = clamp(c, "bypass check interval", m->bypass_interval, 1, 300);
	if (rfc8157_has(m, A_RTT_DIFF_THRESHOLD))
		c->rtt_threshold_ms = clamp(c, "RTT difference threshold", m->rtt_threshold, 0, 1000);
	if (rfc8157_has(m, A_RTT_VIOLATION))
		c->rtt_violation = clamp(c, "RTT violation count", m->rtt_violation, 1, 25);
	if (rfc8157_has(m, A_RTT_COMPLIANCE))
		c->rtt_compliance = clamp(c, "RTT compliance count", m->rtt_compliance, 1, 25);
	if (rfc8157_has(m, A_IDLE_TIMEOUT))
		c->idle_timeout_s = clamp(c, "idle timeout", m->idle_timeout, 0, 172800);
	if (rfc8157_has(m, A_DSL_UP_BW))
		c->dsl_up_kbps = m->dsl_up_bw;
	if (rfc8157_has(m, A_DSL_DOWN_BW))
		c->dsl_down_kbps = m->dsl_down_bw;
	if (rfc8157_has(m, A_MAX_REORDER_TIME))
		c->max_reorder_ms = clamp(c, "max reorder time", m->max_reorder, 0, 2000);
	if (rfc8157_has(m, A_UP_BURST_TIME))
		c->up_burst_ms = clamp(c, "upstream burst time", m->up_burst, 0, 10000);
}

/* ---- tunnels ---- */

static void set_state(struct hc *c, enum hc_tun t, enum hc_tstate st)
{
	struct hc_tunnel *tu = &c->t[t];
	if (tu->st == st)
		return;
	log_info("%s tunnel: %s -> %s", tun_names[t], hc_tstate_name(tu->st), hc_tstate_name(st));
	if (tu->st == HC_T_UP) {
		tu->down_since_ms = now(c);
		c->dsl_only = false; /* one tunnel left: it takes everything */
		c->rtt_viol = c->rtt_comp = 0;
	}
	tu->st = st;
	c->changed = true;
	if (st == HC_T_UP) {
		tu->up_since_ms = now(c);
		tu->misses = 0;
		tu->hello_outstanding = false;
		tu->nrtt = tu->rtt_pos = 0;
		tu->rtt_ms = tu->rtt_min_ms = -1;
	}
}

static void start_backoff(struct hc *c, enum hc_tun t)
{
	struct hc_tunnel *tu = &c->t[t];
	uint32_t d = hgw_backoff_next(&tu->backoff, c->rng);
	set_state(c, t, HC_T_BACKOFF);
	tu->next_ms = now(c) + d;
	log_notice("%s tunnel: next Setup Request in %u ms", tun_names[t], d);
}

static void send_request(struct hc *c, enum hc_tun t)
{
	struct hc_tunnel *tu = &c->t[t];
	struct hgw_wr w;
	if (t == HC_LTE) {
		/* RFC 8157 7: the first Request of a bond carries key 0; the
		 * session id only when re-establishing (5.1.2). */
		w = out_begin(c, t, &c->cfg.anycast, 0, RFC8157_SETUP_REQUEST);
		rfc8157_attr_padstr(&w, A_CIN, c->cfg.cin, RFC8157_CIN_LEN);
		if (c->have_session)
			rfc8157_attr_u32(&w, A_SESSION_ID, c->session_id);
	} else {
		w = out_begin(c, t, &c->haap, c->bonding_key, RFC8157_SETUP_REQUEST);
		rfc8157_attr_u32(&w, A_SESSION_ID, c->session_id);
		rfc8157_attr_u32(&w, A_DSL_SYNC_RATE, c->cfg.dsl_sync_kbps);
		if (c->cfg.dsl_line_type)
			rfc8157_attr_u32(&w, A_DSL_LINE_TYPE, c->cfg.dsl_line_type);
		if (c->cfg.bras[0])
			rfc8157_attr_padstr(&w, A_BRAS_NAME, c->cfg.bras, RFC8157_BRAS_LEN);
	}
	out_commit(c, &w);
	tu->requests++;
	set_state(c, t, HC_T_SETUP);
	tu->next_ms = now(c) + hgw_backoff_next(&tu->req_backoff, c->rng);
}

/* Is tunnel t allowed to start now? */
static bool may_setup(const struct hc *c, enum hc_tun t)
{
	if (!c->t[t].link)
		return false;
	if (t == HC_LTE)
		return true;
	/* DSL joins an existing bond only (RFC 8157 6.2: LTE first) */
	return c->cfg.bonding && c->t[HC_LTE].st == HC_T_UP && c->have_session;
}

static void pending_clear_tun(struct hc *c, enum hc_tun t)
{
	for (unsigned i = 0; i < sizeof(c->pending) / sizeof(c->pending[0]); i++)
		if (c->pending[i].used && c->pending[i].tun == t)
			c->pending[i].used = false;
}

static void send_notify(struct hc *c, enum hc_tun t, const uint8_t *types, unsigned n,
			const struct rfc8157_prefix *pfx, uint32_t u32);

/* The tunnel is gone (link lost, Hellos unanswered): report it over the
 * other tunnel at once (RFC 8157 5.6.5/5.6.6) and plan re-establishment. */
static void tunnel_lost(struct hc *c, enum hc_tun t, const char *why)
{
	struct hc_tunnel *tu = &c->t[t];
	bool was_up = tu->st == HC_T_UP;
	log_warn("%s tunnel lost: %s", tun_names[t], why);
	pending_clear_tun(c, t);
	if (was_up) {
		tu->failures++;
		enum hc_tun o = t == HC_LTE ? HC_DSL : HC_LTE;
		if (c->t[o].st == HC_T_UP) {
			uint8_t a = t == HC_LTE ? A_LTE_LINK_FAILURE : A_DSL_LINK_FAILURE;
			send_notify(c, o, &a, 1, NULL, 0);
		}
	}
	if (!tu->link) {
		set_state(c, t, HC_T_DOWN);
		return;
	}
	/* link still there (Hello failure): try again after a short pause */
	start_backoff(c, t);
}

void hc_init(struct hc *c, const struct hc_config *cfg, const struct hgw_clock *clock,
	     const struct hgw_rng *rng)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (!c->cfg.request_timeout_ms)
		c->cfg.request_timeout_ms = 3000;
	if (!c->cfg.backoff_initial_ms)
		c->cfg.backoff_initial_ms = 5000;
	if (!c->cfg.backoff_max_ms)
		c->cfg.backoff_max_ms = 600000;
	if (!c->cfg.notify_resend_ms)
		c->cfg.notify_resend_ms = 3000;
	if (!c->cfg.notify_tries)
		c->cfg.notify_tries = 3;
	c->clock = clock;
	c->rng = rng;
	for (int i = 0; i < HC_NTUN; i++) {
		struct hc_tunnel *tu = &c->t[i];
		hgw_backoff_init(&tu->req_backoff, c->cfg.request_timeout_ms,
				 c->cfg.request_timeout_ms * 8 > c->cfg.backoff_max_ms
					 ? c->cfg.backoff_max_ms : c->cfg.request_timeout_ms * 8,
				 200, 10);
		hgw_backoff_init(&tu->backoff, c->cfg.backoff_initial_ms, c->cfg.backoff_max_ms, 200, 20);
		tu->rtt_ms = tu->rtt_min_ms = -1;
	}
	defaults(c);
	c->last_traffic_ms = now(c);
	c->changed = true;
}

void hc_restore_session(struct hc *c, uint32_t session_id)
{
	c->have_session = true;
	c->session_id = session_id;
}

void hc_link(struct hc *c, enum hc_tun t, const struct in6_addr *local)
{
	struct hc_tunnel *tu = &c->t[t];
	if (local) {
		bool changed_addr = tu->link && memcmp(&tu->local, local, 16) != 0;
		if (tu->link && !changed_addr)
			return;
		if (changed_addr) {
			/* A new address is a new tunnel endpoint: the old
			 * tunnel is dead for the HAAP anyway. */
			tu->link = false;
			if (tu->st != HC_T_DOWN)
				tunnel_lost(c, t, "link address changed");
		}
		tu->link = true;
		tu->local = *local;
		log_info("%s link up", tun_names[t]);
		hgw_backoff_reset(&tu->req_backoff);
		if (tu->st == HC_T_DOWN) /* start now (BACKOFF keeps its wait) */
			tu->next_ms = now(c);
		c->changed = true;
	} else {
		if (!tu->link)
			return;
		tu->link = false;
		log_warn("%s link down", tun_names[t]);
		if (tu->st != HC_T_DOWN)
			tunnel_lost(c, t, "link down");
		c->changed = true;
	}
}

/* ---- Notify ---- */

static void send_notify(struct hc *c, enum hc_tun t, const uint8_t *types, unsigned n,
			const struct rfc8157_prefix *pfx, uint32_t u32)
{
	struct hgw_wr w = out_begin(c, t, &c->haap, c->bonding_key, RFC8157_NOTIFY);
	size_t start = w.off;
	for (unsigned i = 0; i < n; i++) {
		switch (types[i]) {
		case A_PREFIX_TO_HOST: rfc8157_attr_prefix(&w, types[i], pfx); break;
		case A_BYPASS_RATE: rfc8157_attr_u32(&w, types[i], u32); break;
		default: rfc8157_attr_flag(&w, types[i]); break;
		}
	}
	if (!w.p)
		return;
	size_t hdr = start, body = w.off - start;
	out_commit(c, &w);
	/* remember it until the HAAP echoes it */
	for (unsigned i = 0; i < sizeof(c->pending) / sizeof(c->pending[0]); i++) {
		struct hc_pending *p = &c->pending[i];
		if (p->used && !(p->tun == t && p->nattrs == n && !memcmp(p->attrs, types, n)))
			continue;
		if (body + hdr + 3 > sizeof(p->buf))
			return;
		p->used = true;
		p->tun = t;
		p->nattrs = n > 4 ? 4 : n;
		memcpy(p->attrs, types, p->nattrs);
		p->len = (uint16_t)c->out[c->nout - 1].len;
		memcpy(p->buf, c->out[c->nout - 1].buf, p->len);
		p->tries = 1;
		p->next_ms = now(c) + c->cfg.notify_resend_ms;
		return;
	}
}

/* Is m the echo of a Notify we sent?  The HAAP echoes the attributes. */
static struct hc_pending *match_echo(struct hc *c, enum hc_tun t, const struct rfc8157_msg *m)
{
	for (unsigned i = 0; i < sizeof(c->pending) / sizeof(c->pending[0]); i++) {
		struct hc_pending *p = &c->pending[i];
		if (!p->used || p->tun != t)
			continue;
		bool all = true;
		for (unsigned k = 0; k < p->nattrs; k++)
			if (!rfc8157_has(m, p->attrs[k]))
				all = false;
		if (all)
			return p;
	}
	return NULL;
}

static void report_prefix(struct hc *c)
{
	if (!hc_up(c, HC_LTE))
		return;
	struct rfc8157_prefix p = { 0 };
	if (c->have_prefix)
		p = c->prefix;
	if (c->prefix_reported_valid && !memcmp(&p, &c->prefix_reported, sizeof(p)))
		return;
	c->prefix_reported = p;
	c->prefix_reported_valid = true;
	uint8_t a = A_PREFIX_TO_HOST;
	send_notify(c, HC_LTE, &a, 1, &p, 0);
}

void hc_set_prefix(struct hc *c, const struct rfc8157_prefix *p)
{
	if (p) {
		c->have_prefix = true;
		c->prefix = *p;
	} else {
		c->have_prefix = false;
		memset(&c->prefix, 0, sizeof(c->prefix));
	}
	report_prefix(c);
	c->changed = true;
}

void hc_traffic(struct hc *c)
{
	c->last_traffic_ms = now(c);
	if (c->cfg.idle_switching && c->hello_mode == HC_HELLO_IDLE && hc_up(c, HC_LTE)) {
		uint8_t a = A_SWITCH_ACTIVE;
		struct hc_pending *p = NULL;
		for (unsigned i = 0; i < sizeof(c->pending) / sizeof(c->pending[0]); i++)
			if (c->pending[i].used && c->pending[i].attrs[0] == A_SWITCH_ACTIVE)
				p = &c->pending[i];
		if (!p)
			send_notify(c, HC_LTE, &a, 1, NULL, 0);
	}
}

void hc_set_bypass_rate(struct hc *c, uint32_t kbps)
{
	c->bypass_kbps = kbps;
}

/* Filter list package: collect (it may come in several packets), then
 * ACK with a real code (RFC 8157 5.6.12): 0 = taken, 1 = refused and we
 * hold no list, 2 = refused, the old list stays. */
static void handle_filter(struct hc *c, enum hc_tun t, const struct rfc8157_msg *m)
{
	struct rfc8157_filter_list part;
	const char *why = NULL;
	uint8_t code;
	uint32_t commit = 0;
	if (m->filter_list_len >= 4)
		commit = (uint32_t)m->filter_list[0] << 24 | (uint32_t)m->filter_list[1] << 16 |
			 (uint32_t)m->filter_list[2] << 8 | m->filter_list[3];
	if (rfc8157_filter_parse(m->filter_list, m->filter_list_len, &part, &why) < 0 ||
	    part.packet_sum > 32) {
		log_warn("filter list from the HAAP refused: %s", why ? why : "too many packets");
		code = c->have_filter ? 2 : 1;
	} else {
		if (part.packet_sum == 1 || part.commit != c->filter_new.commit ||
		    c->filter_new.packet_sum != part.packet_sum) {
			c->filter_new = part;
			c->filter_parts = 0;
			c->filter_new.nitems = 0;
		}
		for (unsigned i = 0; i < part.nitems &&
				     c->filter_new.nitems < RFC8157_FILTER_MAX_ITEMS; i++)
			c->filter_new.items[c->filter_new.nitems++] = part.items[i];
		c->filter_parts |= 1u << (part.packet_id - 1);
		code = 0;
		if (c->filter_parts == (part.packet_sum == 32 ? 0xffffffffu
							    : (1u << part.packet_sum) - 1)) {
			bool same = c->have_filter && c->filter.commit == c->filter_new.commit;
			c->filter = c->filter_new;
			c->have_filter = true;
			c->changed = true;
			if (!same)
				log_info("filter list %u: %u items", c->filter.commit, c->filter.nitems);
		}
	}
	struct hgw_wr w = out_begin(c, t, &c->haap, c->bonding_key, RFC8157_NOTIFY);
	uint8_t ack[5] = { commit >> 24, commit >> 16, commit >> 8, commit, code };
	rfc8157_attr(&w, A_FILTER_ACK, ack, 5);
	out_commit(c, &w);
}

static void handle_notify(struct hc *c, enum hc_tun t, const struct rfc8157_msg *m)
{
	struct hc_pending *p = match_echo(c, t, m);
	if (p) {
		p->used = false;
		if (rfc8157_has(m, A_SWITCH_IDLE) && c->hello_mode != HC_HELLO_IDLE) {
			c->hello_mode = HC_HELLO_IDLE;
			log_info("idle hello state (every %u s)", c->idle_hello_s);
			c->changed = true;
		} else if (rfc8157_has(m, A_SWITCH_ACTIVE) && c->hello_mode != HC_HELLO_ACTIVE) {
			c->hello_mode = HC_HELLO_ACTIVE;
			log_info("active hello state (every %u s)", c->active_hello_s);
			c->changed = true;
			/* hello sooner on every tunnel */
			for (int i = 0; i < HC_NTUN; i++)
				if (c->t[i].st == HC_T_UP &&
				    c->t[i].next_ms > now(c) + (int64_t)c->active_hello_s * 1000)
					c->t[i].next_ms = now(c) + (int64_t)c->active_hello_s * 1000;
		}
		return;
	}
	if (rfc8157_has(m, A_FILTER_LIST)) {
		handle_filter(c, t, m);
		return;
	}
	if (rfc8157_has(m, A_TUNNEL_VERIFICATION)) {
		/* RFC 8157 5.6.15: the HAAP asks whether our LTE tunnel is
		 * alive.  Only an LTE tunnel that is up says yes; while we
		 * are setting up a new one, silence lets the HAAP accept it. */
		if (t != HC_LTE || !hc_up(c, HC_LTE)) {
			log_info("tunnel verification while our LTE tunnel is not up: not echoed");
			return;
		}
		log_info("tunnel verification: echoed");
	}
	if (rfc8157_has(m, A_SWITCH_TO_DSL))
		log_info("HAAP: switching to DSL tunnel");
	if (rfc8157_has(m, A_OVERFLOW_TO_LTE))
		log_info("HAAP: overflowing to LTE allowed");
	if (rfc8157_has(m, A_DIAG_BONDING) || rfc8157_has(m, A_DIAG_DSL) ||
	    rfc8157_has(m, A_DIAG_LTE) || rfc8157_has(m, A_DIAG_END))
		log_info("HAAP: diagnostic mode change");
	/* Echo every other Notify as its ACK (RFC 8157 5.6): the same
	 * attributes, in the same order. */
	if (c->nout >= HC_OUTBOX) {
		c->out_overflow++;
		return;
	}
	struct hc_out *o = &c->out[c->nout];
	o->tun = t;
	o->dst = c->haap;
	struct hgw_wr w = hgw_wr_init(o->buf, sizeof(o->buf));
	rfc8157_begin(&w, c->cfg.proto, c->bonding_key, RFC8157_NOTIFY, ttype(c, t));
	for (unsigned i = 0; i < m->nattrs; i++)
		if (m->attrs[i].type != A_FIN)
			rfc8157_attr(&w, m->attrs[i].type, m->attrs[i].val, m->attrs[i].len);
	out_commit(c, &w);
}

/* ---- Hello ---- */

static void send_hello(struct hc *c, enum hc_tun t)
{
	struct hc_tunnel *tu = &c->t[t];
	int64_t ms = now(c);
	if (tu->hello_outstanding) {
		tu->misses++;
		c->changed = true;
		log_info("%s: Hello unanswered (%u of %u)", tun_names[t], tu->misses, c->hello_retry);
		if (tu->misses >= c->hello_retry) {
			tunnel_lost(c, t, "Hellos unanswered");
			return;
		}
	}
	struct hgw_wr w = out_begin(c, t, &c->haap, c->bonding_key, RFC8157_HELLO);
	/* Timestamp: uptime seconds and milliseconds; the HAAP echoes it. */
	uint8_t ts[8];
	uint32_t s = (uint32_t)(ms / 1000), msr = (uint32_t)(ms % 1000);
	ts[0] = s >> 24; ts[1] = s >> 16; ts[2] = s >> 8; ts[3] = s;
	ts[4] = msr >> 24; ts[5] = msr >> 16; ts[6] = msr >> 8; ts[7] = msr;
	rfc8157_attr(&w, A_TIMESTAMP, ts, 8);
	struct rfc8157_prefix p = { 0 };
	if (c->have_prefix)
		p = c->prefix;
	rfc8157_attr_prefix(&w, A_PREFIX_BY_HAAP, &p);
	out_commit(c, &w);
	tu->hello_outstanding = true;
	tu->hellos_sent++;
	tu->next_ms = ms + (int64_t)hello_interval_s(c) * 1000;
}

/* RFC 8157 5.6.3/5.6.4: with both tunnels up and a threshold in force,
 * `violation` consecutive RTT differences above it switch the bond to DSL
 * only (Notify 11 on DSL); `compliance` consecutive ones below it allow
 * overflowing to LTE again (Notify 12).  A threshold of 0 (what Telekom
 * sends) turns this off. */
static void rtt_switching(struct hc *c)
{
	if (!c->rtt_threshold_ms || !hc_up(c, HC_LTE) || !hc_up(c, HC_DSL) ||
	    c->t[HC_LTE].rtt_ms < 0 || c->t[HC_DSL].rtt_ms < 0)
		return;
	int32_t diff = c->t[HC_LTE].rtt_ms - c->t[HC_DSL].rtt_ms;
	if (diff < 0)
		diff = -diff;
	if ((uint32_t)diff > c->rtt_threshold_ms) {
		c->rtt_comp = 0;
		if (++c->rtt_viol >= c->rtt_violation && !c->dsl_only) {
			c->dsl_only = true;
			c->changed = true;
			log_notice("RTT difference %d ms above %u ms: DSL only", diff, c->rtt_threshold_ms);
			uint8_t a = A_SWITCH_TO_DSL;
			send_notify(c, HC_DSL, &a, 1, NULL, 0);
		}
	} else {
		c->rtt_viol = 0;
		if (++c->rtt_comp >= c->rtt_compliance && c->dsl_only) {
			c->dsl_only = false;
			c->changed = true;
			log_notice("RTT difference %d ms within %u ms: overflow to LTE again", diff,
				   c->rtt_threshold_ms);
			uint8_t a = A_OVERFLOW_TO_LTE;
			send_notify(c, HC_DSL, &a, 1, NULL, 0);
		}
	}
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static void handle_hello(struct hc *c, enum hc_tun t, const struct rfc8157_msg *m)
{
	struct hc_tunnel *tu = &c->t[t];
	tu->hellos_recv++;
	tu->hello_outstanding = false;
	if (tu->misses)
		c->changed = true;
	tu->misses = 0;
	if (!rfc8157_has(m, A_TIMESTAMP))
		return;
	int64_t sent = (int64_t)m->ts_sec * 1000 + m->ts_ms;
	int64_t rtt = now(c) - sent;
	/* An echo from the future or older than a minute is not ours. */
	if (m->ts_ms >= 1000 || rtt < 0 || rtt > 60000) {
		c->drops.unexpected++;
		return;
	}
	tu->rtt[tu->rtt_pos] = (int32_t)rtt;
	tu->rtt_pos = (tu->rtt_pos + 1) % HC_RTT_SAMPLES;
	if (tu->nrtt < HC_RTT_SAMPLES)
		tu->nrtt++;
	int32_t tmp[HC_RTT_SAMPLES];
	memcpy(tmp, tu->rtt, sizeof(tmp));
	qsort(tmp, tu->nrtt, sizeof(tmp[0]), cmp_i32);
	/* median (lower middle): robust against the rare slow echo */
	tu->rtt_ms = tmp[(tu->nrtt - 1) / 2];
	if (tu->rtt_min_ms < 0 || rtt < tu->rtt_min_ms)
		tu->rtt_min_ms = (int32_t)rtt;
	c->changed = true;
	rtt_switching(c);
}

/* ---- Accept, Deny, Tear Down ---- */

static void handle_accept(struct hc *c, enum hc_tun t, const struct in6_addr *src,
			  const struct rfc8157_msg *m)
{
	struct hc_tunnel *tu = &c->t[t];
	if (t == HC_LTE) {
		if (!rfc8157_has(m, A_SESSION_ID) || !rfc8157_has(m, A_BONDING_KEY) ||
		    !(rfc8157_has(m, A_H_IPV6))) {
			log_warn("LTE Accept without session id, bonding key or H address: ignored");
			c->drops.malformed++;
			return;
		}
		if (c->have_session && c->session_id != m->session_id)
			log_notice("new session id %u (was %u)", m->session_id, c->session_id);
		c->have_session = true;
		c->session_id = m->session_id;
		c->bonding_key = m->bonding_key;
		c->haap = m->h6;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		log_notice("LTE tunnel accepted by %s: HAAP %s, session %u, key 0x%08x",
			   inet_ntop(AF_INET6, src, a, sizeof(a)),
			   inet_ntop(AF_INET6, &c->haap, b, sizeof(b)), c->session_id,
			   c->bonding_key);
		defaults(c);
	} else {
		log_notice("DSL tunnel accepted: up %u kbit/s, down %u kbit/s", m->dsl_up_bw,
			   m->dsl_down_bw);
	}
	take_timers(c, m);
	tu->accepts++;
	tu->last_error = 0;
	tu->last_error_text[0] = 0;
	hgw_backoff_reset(&tu->backoff);
	hgw_backoff_reset(&tu->req_backoff);
	set_state(c, t, HC_T_UP);
	/* first Hello right away: it gives an RTT sample early */
	tu->next_ms = now(c);
	if (t == HC_LTE) {
		if (c->cfg.idle_switching) {
			/* what the Speedport does right after the Accept */
			uint8_t a = A_SWITCH_IDLE;
			send_notify(c, HC_LTE, &a, 1, NULL, 0);
		}
		c->prefix_reported_valid = false;
		report_prefix(c);
		if (may_setup(c, HC_DSL) && c->t[HC_DSL].st != HC_T_BACKOFF)
			c->t[HC_DSL].next_ms = now(c);
	} else {
		c->next_bypass_ms = now(c);
	}
}

static void set_error(struct hc_tunnel *tu, uint32_t code)
{
	tu->last_error = code;
	snprintf(tu->last_error_text, sizeof(tu->last_error_text), "%s",
		 rfc8157_error_text(code));
}

static void handle_deny(struct hc *c, enum hc_tun t, const struct rfc8157_msg *m)
{
	struct hc_tunnel *tu = &c->t[t];
	uint32_t code = rfc8157_has(m, A_ERROR_CODE) ? m->error_code : 0;
	set_error(tu, code);
	tu->denies++;
	log_warn("%s Setup Denied: error %u (%s)", tun_names[t], code, tu->last_error_text);
	/* RFC 8157 5.3: stop the setup.  When to try again is ours to choose:
	 * backoff, never once a second forever. */
	start_backoff(c, t);
}

static void handle_teardown(struct hc *c, enum hc_tun t, const struct rfc8157_msg *m)
{
	uint32_t code = rfc8157_has(m, A_ERROR_CODE) ? m->error_code : 0;
	log_warn("Tear Down on %s: error %u (%s)", tun_names[t], code, rfc8157_error_text(code));
	/* RFC 8157 5.5: H is removed, which is the end of both tunnels; the
	 * session is gone on the HAAP, so the next LTE Request is a new one. */
	for (int i = 0; i < HC_NTUN; i++) {
		pending_clear_tun(c, i);
		set_error(&c->t[i], code);
		if (c->t[i].st == HC_T_UP || c->t[i].st == HC_T_SETUP)
			c->t[i].failures += c->t[i].st == HC_T_UP;
		if (c->t[i].link)
			start_backoff(c, i);
		else
			set_state(c, i, HC_T_DOWN);
	}
	/* DSL waits for LTE, no separate backoff */
	c->have_session = false;
	c->session_id = 0;
	c->bonding_key = 0;
	c->have_filter = false;
	c->changed = true;
}

int hc_input(struct hc *c, enum hc_tun t, const struct in6_addr *src, const uint8_t *buf,
	     size_t len)
{
	struct rfc8157_msg m;
	const char *why = NULL;
	if (rfc8157_parse(buf, len, c->cfg.proto, c->cfg.proto, &m, &why) < 0) {
		c->drops.malformed++;
		log_info("%s: control message dropped: %s", tun_names[t], why);
		return -1;
	}
	if (m.ttype != ttype(c, t)) {
		c->drops.wrong_ttype++;
		return -1;
	}
	struct hc_tunnel *tu = &c->t[t];
	bool lte_setup = t == HC_LTE && tu->st == HC_T_SETUP &&
			 (m.type == RFC8157_SETUP_ACCEPT || m.type == RFC8157_SETUP_DENY);
	/* Source check: until the LTE Accept, the anycast address (or any H
	 * answering for it); afterwards only H. */
	bool src_ok = c->have_session && !memcmp(src, &c->haap, 16);
	/* RFC 8157 6.2: the HAAP answers from G or from the H it names. */
	if (lte_setup)
		src_ok = src_ok || !memcmp(src, &c->cfg.anycast, 16) ||
			 (rfc8157_has(&m, A_H_IPV6) && !memcmp(src, &m.h6, 16));
	if (!src_ok) {
		c->drops.wrong_src++;
		return -1;
	}
	/* Key check: the LTE Accept brings the new key; a Deny may carry 0. */
	if (!lte_setup && m.key != c->bonding_key) {
		c->drops.wrong_key++;
		return -1;
	}
	c->rx_msgs++;
	c->unknown_attrs += m.unknown;
	if (m.unknown)
		for (unsigned i = 0; i < m.nattrs; i++)
			if (!rfc8157_attr_name(m.attrs[i].type))
				log_info("%s %s: unknown attribute %u (%u bytes) kept", tun_names[t],
					 rfc8157_type_name(m.type), m.attrs[i].type, m.attrs[i].len);
	switch (m.type) {
	case RFC8157_SETUP_ACCEPT:
		if (tu->st != HC_T_SETUP)
			break;
		handle_accept(c, t, src, &m);
		return 0;
	case RFC8157_SETUP_DENY:
		if (tu->st != HC_T_SETUP)
			break;
		handle_deny(c, t, &m);
		return 0;
	case RFC8157_HELLO:
		if (tu->st != HC_T_UP)
			break;
		handle_hello(c, t, &m);
		return 0;
	case RFC8157_TEAR_DOWN:
		if (!c->have_session)
			break;
		handle_teardown(c, t, &m);
		return 0;
	case RFC8157_NOTIFY:
		if (tu->st != HC_T_UP)
			break;
		handle_notify(c, t, &m);
		return 0;
	case RFC8157_LINK_DETECTION:
		log_info("%s: Link Detection message (Telekom, %u attributes) ignored", tun_names[t],
			 m.nattrs);
		return 0;
	default:
		break;
	}
	c->drops.unexpected++;
	log_info("%s: unexpected %s in state %s: dropped", tun_names[t], rfc8157_type_name(m.type),
		 hc_tstate_name(tu->st));
	return -1;
}

/* ---- timers ---- */

int64_t hc_tick(struct hc *c)
{
	int64_t ms = now(c);
	int64_t next = ms + 3600 * 1000;
	for (int i = 0; i < HC_NTUN; i++) {
		struct hc_tunnel *tu = &c->t[i];
		switch (tu->st) {
		case HC_T_DOWN:
			if (may_setup(c, i)) {
				hgw_backoff_reset(&tu->req_backoff);
				send_request(c, i);
			}
			break;
		case HC_T_BACKOFF:
			if (!tu->link) {
				set_state(c, i, HC_T_DOWN);
				break;
			}
			if (ms >= tu->next_ms && may_setup(c, i)) {
				hgw_backoff_reset(&tu->req_backoff);
				send_request(c, i);
			}
			break;
		case HC_T_SETUP:
			if (!may_setup(c, i)) {
				set_state(c, i, tu->link ? HC_T_BACKOFF : HC_T_DOWN);
				tu->next_ms = ms;
			} else if (ms >= tu->next_ms) {
				send_request(c, i); /* unanswered: again, spaced out */
			}
			break;
		case HC_T_UP:
			if (ms >= tu->next_ms)
				send_hello(c, i);
			break;
		}
		if (tu->st != HC_T_DOWN && tu->next_ms < next)
			next = tu->next_ms;
	}
	/* DSL: LTE gone for longer than the idle timeout (RFC 8157 5.2.8) */
	if (hc_up(c, HC_DSL) && !hc_up(c, HC_LTE) && c->idle_timeout_s &&
	    ms - c->t[HC_LTE].down_since_ms >= (int64_t)c->idle_timeout_s * 1000) {
		log_notice("LTE down for the idle timeout: leaving the DSL tunnel");
		set_state(c, HC_DSL, HC_T_DOWN);
	}
	/* Notify resends */
	for (unsigned i = 0; i < sizeof(c->pending) / sizeof(c->pending[0]); i++) {
		struct hc_pending *p = &c->pending[i];
		if (!p->used)
			continue;
		if (!hc_up(c, p->tun)) {
			p->used = false;
			continue;
		}
		if (ms >= p->next_ms) {
			if (p->tries >= c->cfg.notify_tries) {
				log_warn("Notify (attribute %u) never echoed", p->attrs[0]);
				p->used = false;
				continue;
			}
			if (c->nout < HC_OUTBOX) {
				struct hc_out *o = &c->out[c->nout++];
				o->tun = p->tun;
				o->dst = c->haap;
				o->len = p->len;
				memcpy(o->buf, p->buf, p->len);
				c->tx_msgs++;
			}
			p->tries++;
			p->next_ms = ms + c->cfg.notify_resend_ms;
		}
		if (p->next_ms < next)
			next = p->next_ms;
	}
	/* bypass traffic rate on DSL every check interval (RFC 8157 5.6.1) */
	if (hc_up(c, HC_DSL)) {
		if (ms >= c->next_bypass_ms) {
			uint8_t a = A_BYPASS_RATE;
			send_notify(c, HC_DSL, &a, 1, NULL, c->bypass_kbps);
			c->next_bypass_ms = ms + (int64_t)c->bypass_interval_s * 1000;
		}
		if (c->next_bypass_ms < next)
			next = c->next_bypass_ms;
	}
	/* active -> idle after the no-traffic interval */
	if (c->cfg.idle_switching && hc_up(c, HC_LTE) && c->hello_mode == HC_HELLO_ACTIVE) {
		int64_t idle_at = c->last_traffic_ms + (int64_t)c->no_traffic_s * 1000;
		bool pending = false;
		for (unsigned i = 0; i < sizeof(c->pending) / sizeof(c->pending[0]); i++)
			if (c->pending[i].used && c->pending[i].attrs[0] == A_SWITCH_IDLE)
				pending = true;
		if (ms >= idle_at && !pending) {
			uint8_t a = A_SWITCH_IDLE;
			send_notify(c, HC_LTE, &a, 1, NULL, 0);
			c->last_traffic_ms = ms; /* do not ask again at once */
		} else if (idle_at < next) {
			next = idle_at;
		}
	}
	return next;
}
