/* The PPPoE client session: phases of RFC 1661 3.2 (Dead, Establish,
 * Authenticate, Network, Terminate) over RFC 2516 discovery, and what to do
 * after every kind of failure. */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

const char *session_phase_name(enum session_phase p)
{
	static const char *const n[] = { "down", "discovery", "lcp", "auth", "network", "up",
					 "terminating", "stopped" };
	return n[p];
}

static void set_phase(struct session *s, enum session_phase p)
{
	if (s->phase != p) {
		log_info("pppoe: phase %s -> %s", session_phase_name(s->phase), session_phase_name(p));
		s->phase = p;
		s->changed = true;
	}
}

static void queue(struct session *s, bool disc, const uint8_t dst[6], const uint8_t *p1, size_t n1,
		  const uint8_t *p2, size_t n2)
{
	if (s->n_out >= SESSION_OUT_MAX || n1 + n2 > sizeof(s->out[0].buf)) {
		s->out_dropped++;
		return;
	}
	struct session_frame *f = &s->out[s->n_out++];
	f->disc = disc;
	memcpy(f->dst, dst, 6);
	memcpy(f->buf, p1, n1);
	if (n2)
		memcpy(f->buf + n1, p2, n2);
	f->len = (uint16_t)(n1 + n2);
}

static void flush_pd(struct session *s)
{
	if (s->pd.tx_len) {
		queue(s, true, s->pd.tx_dst, s->pd.tx, s->pd.tx_len, NULL, 0);
		s->pd.tx_len = 0;
	}
}

/* The automata and the authenticator send through here. */
static void send_ppp(void *owner, uint16_t proto, const uint8_t *pkt, size_t len)
{
	struct session *s = owner;
	if (!s->sid)
		return;
	uint8_t hdr[2] = { (uint8_t)(proto >> 8), (uint8_t)proto };
	queue(s, false, s->ac_mac, hdr, 2, pkt, len);
}

static uint32_t retry_delay(struct session *s)
{
	if (s->immediate)
		return 0;
	/* An AC that refuses our password must not be asked again every
	 * few seconds: that can get a line locked. */
	return s->auth_failed ? hgw_backoff_next(&s->auth_retry, s->rng)
			      : hgw_backoff_next(&s->reconnect, s->rng);
}

/* Everything below discovery goes back to the start; PADT unless the AC
 * already ended the session; then wait (or stop). */
static void teardown(struct session *s, bool send_padt)
{
	if (s->tearing_down)
		return;
	s->tearing_down = true;
	fsm_down(&s->ipcp_f);
	fsm_close(&s->ipcp_f, NULL);
	fsm_down(&s->v6_f);
	fsm_close(&s->v6_f, NULL);
	fsm_down(&s->lcp_f);
	fsm_close(&s->lcp_f, NULL);
	s->auth.timer_at = INT64_MAX;
	s->auth_deadline = INT64_MAX;
	if (send_padt)
		pd_stop(&s->pd);
	else
		s->pd.state = PD_IDLE;
	flush_pd(s);
	s->pd.deadline = INT64_MAX;
	s->sid = 0;
	s->v4_up = s->v6_up = false;
	s->connected_since = 0;
	s->changed = true;
	if (s->stopping) {
		set_phase(s, PH_STOPPED);
		s->retry_at = INT64_MAX;
	} else {
		uint32_t d = retry_delay(s);
		s->retry_at = hgw_now_ms(s->clock) + d;
		set_phase(s, PH_DOWN);
		log_notice("pppoe: next attempt in %u ms", d);
	}
	s->immediate = false;
	s->tearing_down = false;
}

/* Records why this attempt ends.  The first cause wins: a peer that sends
 * Terminate-Request and then PADT ended the session with the former. */
static void note_failure(struct session *s, const char *why)
{
	if (!why || !why[0] || s->failure_noted)
		return;
	s->failure_noted = true;
	snprintf(s->last_failure, sizeof(s->last_failure), "%s", why);
	log_warn("pppoe: %s", why);
	s->failures++;
	s->changed = true;
}

/* A failure: record why; talk to the peer first if it can still hear. */
static void fail(struct session *s, const char *why, bool terminate)
{
	if (s->phase == PH_DOWN || s->phase == PH_STOPPED)
		return;
	note_failure(s, why);
	bool lcp_active = s->lcp_f.state >= FSM_REQ_SENT && s->lcp_f.state <= FSM_OPENED;
	if (terminate && lcp_active) {
		set_phase(s, PH_TERMINATING);
		fsm_close(&s->lcp_f, why ? why : "");
		/* tlf arrives on Terminate-Ack or after Max-Terminate timeouts */
		return;
	}
	teardown(s, true);
}

/* ---- automaton hooks ---- */

static void start_network(struct session *s)
{
	set_phase(s, PH_NETWORK);
	if (s->cfg.ipv4) {
		fsm_open(&s->ipcp_f);
		fsm_up(&s->ipcp_f);
	}
	if (s->cfg.ipv6) {
		fsm_open(&s->v6_f);
		fsm_up(&s->v6_f);
	}
}

static void lcp_tlu(struct fsm *f)
{
	struct session *s = f->owner;
	/* What we may send is what the peer can receive, within the link. */
	s->mtu = s->lcp.peer_mru < s->lcp.link_mru ? s->lcp.peer_mru : s->lcp.link_mru;
	s->changed = true;
	s->lcp.echo_outstanding = 0;
	s->lcp.echo_at = s->lcp.echo_interval_ms ? hgw_now_ms(s->clock) + s->lcp.echo_interval_ms
						 : INT64_MAX;
	if (s->lcp.auth) {
		set_phase(s, PH_AUTH);
		log_info("pppoe: authenticating with %s", s->lcp.auth == PPP_CHAP ? "CHAP-MD5" : "PAP");
		s->auth_deadline = hgw_now_ms(s->clock) + s->cfg.auth_timeout_ms;
		auth_start(&s->auth, s->lcp.auth);
	} else {
		start_network(s);
	}
}

static void lcp_tld(struct fsm *f)
{
	struct session *s = f->owner;
	/* Renegotiation or the end: the network layer goes down with it. */
	fsm_down(&s->ipcp_f);
	fsm_down(&s->v6_f);
	s->v4_up = s->v6_up = false;
	s->auth.result = AUTH_PENDING;
	s->auth.proto = 0;
	s->auth_deadline = INT64_MAX;
	if (s->phase != PH_TERMINATING)
		set_phase(s, PH_LCP);
}

static void lcp_tlf(struct fsm *f)
{
	struct session *s = f->owner;
	if (s->tearing_down)
		return;
	if (s->phase == PH_TERMINATING) {
		teardown(s, true);
		return;
	}
	char why[300];
	if (f->why[0])
		snprintf(why, sizeof(why), "LCP terminated by the peer: %s", f->why);
	else
		snprintf(why, sizeof(why), "LCP finished: no answer, no agreement or a rejected code");
	fail(s, why, false);
}

static void ncp_tlu(struct fsm *f)
{
	struct session *s = f->owner;
	if (f == &s->ipcp_f) {
		if (!s->ipcp.addr) {
			fsm_close(f, "no IPv4 address assigned");
			return;
		}
		s->v4_up = true;
	} else {
		s->v6_up = true;
	}
	s->remember = true;
	if (s->phase != PH_UP) {
		s->connected_since = hgw_wall_s(s->clock);
		hgw_backoff_reset(&s->reconnect);
		hgw_backoff_reset(&s->auth_retry);
		s->auth_failed = false;
		/* last_failure stays: why the previous session ended is
		 * worth knowing while the new one runs. */
		set_phase(s, PH_UP);
	}
	s->changed = true;
}

static void ncp_tld(struct fsm *f)
{
	struct session *s = f->owner;
	if (f == &s->ipcp_f)
		s->v4_up = false;
	else
		s->v6_up = false;
	s->changed = true;
}

static bool ncp_alive(const struct fsm *f)
{
	return f->state >= FSM_CLOSING && f->state <= FSM_OPENED;
}

static void ncp_tlf(struct fsm *f)
{
	struct session *s = f->owner;
	if (s->tearing_down || s->phase == PH_TERMINATING)
		return;
	log_notice("pppoe: %s finished", f->p->name);
	/* One network protocol is enough; none left means the link is
	 * useless and a fresh start is the only hope. */
	if (!ncp_alive(&s->ipcp_f) && !ncp_alive(&s->v6_f) && !s->v4_up && !s->v6_up)
		fail(s, "no network protocol could be negotiated", true);
}

static void nop(struct fsm *f) { (void)f; }

static void proto_rej(void *owner, uint16_t proto)
{
	struct session *s = owner;
	if (proto == PPP_IPCP)
		fsm_event(&s->ipcp_f, EV_RXJ_MINUS);
	else if (proto == PPP_IPV6CP)
		fsm_event(&s->v6_f, EV_RXJ_MINUS);
}

void session_init(struct session *s, const struct session_config *cfg,
		  const struct hgw_clock *clock, const struct hgw_rng *rng)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->clock = clock;
	s->rng = rng;
	s->phase = PH_DOWN;
	s->retry_at = INT64_MAX;
	s->auth_deadline = INT64_MAX;
	pd_init(&s->pd, &cfg->pd, clock, rng);
	hgw_backoff_init(&s->reconnect, cfg->reconnect_initial_ms, cfg->reconnect_max_ms, 200, 20);
	hgw_backoff_init(&s->auth_retry, cfg->auth_retry_initial_ms, cfg->auth_retry_max_ms, 200, 20);

	s->lcp_p = lcp_proto;
	s->lcp_p.tlu = lcp_tlu;
	s->lcp_p.tld = lcp_tld;
	s->lcp_p.tls = nop;
	s->lcp_p.tlf = lcp_tlf;
	s->ipcp_p = ipcp_proto;
	s->v6_p = ipv6cp_proto;
	s->ipcp_p.tlu = s->v6_p.tlu = ncp_tlu;
	s->ipcp_p.tld = s->v6_p.tld = ncp_tld;
	s->ipcp_p.tlf = s->v6_p.tlf = ncp_tlf;

	lcp_init(&s->lcp, PPPOE_STD_MRU, rng);
	s->lcp.allow_pap = cfg->allow_pap;
	s->lcp.allow_chap = cfg->allow_chap;
	s->lcp.prefer_pap = cfg->prefer_pap;
	s->lcp.proto_rej = proto_rej;
	s->lcp.echo_interval_ms = cfg->echo_interval_ms;
	s->lcp.echo_max_fail = cfg->echo_failures;
	s->ipcp.ask_dns = cfg->ask_dns;
	s->ipcp.hint = cfg->hint_ipv4;
	s->v6.hint = cfg->hint_iid;
	s->v6.rng = rng;
	fsm_init(&s->lcp_f, &s->lcp_p, s, &s->lcp, clock, send_ppp);
	fsm_init(&s->ipcp_f, &s->ipcp_p, s, &s->ipcp, clock, send_ppp);
	fsm_init(&s->v6_f, &s->v6_p, s, &s->v6, clock, send_ppp);
	struct fsm *all[3] = { &s->lcp_f, &s->ipcp_f, &s->v6_f };
	for (int i = 0; i < 3; i++) {
		all[i]->restart_ms = cfg->restart_ms;
		all[i]->max_configure = cfg->max_configure;
		all[i]->max_terminate = cfg->max_terminate;
		all[i]->max_failure = cfg->max_failure;
	}
	s->auth.user = cfg->user;
	s->auth.secret = cfg->secret;
	s->auth.clock = clock;
	s->auth.owner = s;
	s->auth.send = send_ppp;
	s->auth.restart_ms = cfg->restart_ms;
	s->auth.max_tries = cfg->max_configure;
	s->auth.timer_at = INT64_MAX;
}

void session_start(struct session *s)
{
	s->stopping = false;
	s->retry_at = INT64_MAX;
	s->attempts++;
	s->failure_noted = false;
	/* Ask again for what we had: many ACs then give the same address. */
	s->ipcp.hint = s->cfg.hint_ipv4;
	s->v6.hint = s->cfg.hint_iid;
	set_phase(s, PH_DISCOVERY);
	pd_start(&s->pd);
	flush_pd(s);
}

static void session_up(struct session *s)
{
	s->sid = s->pd.sid;
	memcpy(s->ac_mac, s->pd.ac_mac, 6);
	uint16_t link = PPPOE_STD_MRU;
	if (s->pd.max_payload)
		link = s->pd.max_payload < s->cfg.mru ? s->pd.max_payload : s->cfg.mru;
	else if (s->cfg.mru < link)
		link = s->cfg.mru;
	s->lcp.link_mru = link;
	log_notice("pppoe: session %u with AC \"%s\" (%02x:%02x:%02x:%02x:%02x:%02x), link MRU %u",
		   s->sid, s->pd.ac_name, s->ac_mac[0], s->ac_mac[1], s->ac_mac[2], s->ac_mac[3],
		   s->ac_mac[4], s->ac_mac[5], link);
	set_phase(s, PH_LCP);
	fsm_open(&s->lcp_f);
	fsm_up(&s->lcp_f);
}

void session_recv_disc(struct session *s, const uint8_t src[6], const uint8_t *pkt, size_t len)
{
	enum pd_event ev = pd_recv(&s->pd, src, pkt, len);
	flush_pd(s);
	switch (ev) {
	case PD_EV_SESSION:
		if (s->phase == PH_DISCOVERY)
			session_up(s);
		break;
	case PD_EV_PADT: {
		char why[500];
		snprintf(why, sizeof(why), "%s", s->pd.note);
		/* The session is gone at the AC: nothing to terminate.  A
		 * PADT instead of an answer to our credentials is an
		 * authentication failure for the backoff. */
		if (s->phase == PH_AUTH)
			s->auth_failed = true;
		if (s->phase != PH_TERMINATING)
			note_failure(s, why);
		teardown(s, false);
		break;
	}
	case PD_EV_ERROR:
		snprintf(s->last_failure, sizeof(s->last_failure), "%s", s->pd.note);
		s->changed = true;
		break;
	default:
		break;
	}
}

static void check_auth(struct session *s)
{
	if (s->phase != PH_AUTH)
		return;
	if (s->auth.result == AUTH_OK) {
		log_notice("pppoe: authenticated%s%s", s->auth.message[0] ? ": " : "", s->auth.message);
		s->auth_deadline = INT64_MAX;
		start_network(s);
	} else if (s->auth.result == AUTH_FAILED) {
		char why[400];
		snprintf(why, sizeof(why), "authentication failed: %s",
			 s->auth.message[0] ? s->auth.message : "(no message)");
		s->auth_failed = true;
		fail(s, why, true);
	}
}

uint16_t session_recv_ppp(struct session *s, const uint8_t *frame, size_t len)
{
	if (s->phase == PH_DOWN || s->phase == PH_STOPPED || s->phase == PH_DISCOVERY || len < 1)
		return 0;
	uint16_t proto;
	size_t hl;
	/* Protocol-Field-Compression is refused, but a compressed field is
	 * unambiguous (odd first octet), so accept it (RFC 1661 6.5). */
	if (frame[0] & 1) {
		proto = frame[0];
		hl = 1;
	} else {
		if (len < 2)
			return 0;
		proto = (uint16_t)(frame[0] << 8 | frame[1]);
		hl = 2;
	}
	const uint8_t *p = frame + hl;
	size_t n = len - hl;
	switch (proto) {
	case PPP_LCP: {
		enum fsm_state before = s->lcp_f.state;
		fsm_input(&s->lcp_f, p, n);
		/* RTR: the peer hangs up; say so now, the PADT that usually
		 * follows is only the consequence. */
		if (n >= 1 && p[0] == CP_TERM_REQ && before != FSM_STOPPING &&
		    s->lcp_f.state == FSM_STOPPING && s->phase != PH_TERMINATING) {
			char why[300];
			snprintf(why, sizeof(why), "LCP terminated by the peer%s%s",
				 s->lcp_f.why[0] ? ": " : "", s->lcp_f.why);
			note_failure(s, why);
		}
		if (s->lcp.looped)
			fail(s, "the link is looped back (own LCP magic number returned)", false);
		return 0;
	}
	case PPP_PAP:
	case PPP_CHAP:
		/* Authentication packets only in the authenticate phase or
		 * later (re-challenge); a different protocol is rejected. */
		if (s->lcp_f.state != FSM_OPENED)
			return 0;
		if (proto != s->lcp.auth) {
			lcp_send_proto_rej(&s->lcp_f, frame, len);
			return 0;
		}
		auth_input(&s->auth, p, n);
		check_auth(s);
		return 0;
	case PPP_IPCP:
	case PPP_IPV6CP: {
		bool enabled = proto == PPP_IPCP ? s->cfg.ipv4 : s->cfg.ipv6;
		if (s->lcp_f.state != FSM_OPENED)
			return 0;
		if (!enabled) {
			lcp_send_proto_rej(&s->lcp_f, frame, len);
			return 0;
		}
		/* NCP packets before the network phase are dropped (RFC 1661 3.4). */
		if (s->phase != PH_NETWORK && s->phase != PH_UP)
			return 0;
		fsm_input(proto == PPP_IPCP ? &s->ipcp_f : &s->v6_f, p, n);
		return 0;
	}
	case PPP_IP:
	case PPP_IPV6:
		return session_data_ok(s, proto) ? proto : 0;
	default:
		lcp_send_proto_rej(&s->lcp_f, frame, len);
		return 0;
	}
}

bool session_data_ok(const struct session *s, uint16_t proto)
{
	return proto == PPP_IP ? s->v4_up : proto == PPP_IPV6 ? s->v6_up : false;
}

static bool due(int64_t at, int64_t now) { return at != INT64_MAX && now >= at; }

void session_timer(struct session *s)
{
	int64_t now = hgw_now_ms(s->clock);
	if (s->phase == PH_DOWN && due(s->retry_at, now)) {
		session_start(s);
		return;
	}
	if (due(s->pd.deadline, now)) {
		pd_timer(&s->pd);
		flush_pd(s);
	}
	fsm_timer(&s->lcp_f);
	if (s->phase == PH_DOWN || s->phase == PH_STOPPED)
		return;
	if (lcp_echo_timer(&s->lcp_f) < 0) {
		char why[120];
		snprintf(why, sizeof(why), "no answer to %d LCP Echo-Requests: the AC is gone",
			 s->lcp.echo_max_fail);
		fail(s, why, false);
		return;
	}
	fsm_timer(&s->ipcp_f);
	fsm_timer(&s->v6_f);
	if (s->phase == PH_AUTH) {
		auth_timer(&s->auth);
		check_auth(s);
		if (s->phase == PH_AUTH && due(s->auth_deadline, now)) {
			s->auth_failed = true;
			fail(s, "authentication timed out", true);
		}
	}
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

int64_t session_next_timer(const struct session *s)
{
	int64_t t = s->phase == PH_DOWN ? s->retry_at : INT64_MAX;
	t = min64(t, s->pd.deadline);
	t = min64(t, s->lcp_f.timer_at);
	t = min64(t, lcp_next_timer(&s->lcp_f));
	t = min64(t, s->ipcp_f.timer_at);
	t = min64(t, s->v6_f.timer_at);
	if (s->phase == PH_AUTH) {
		t = min64(t, s->auth.timer_at);
		t = min64(t, s->auth_deadline);
	}
	return t;
}

void session_stop(struct session *s)
{
	s->stopping = true;
	if (s->phase == PH_DOWN || s->phase == PH_DISCOVERY) {
		teardown(s, true);
		return;
	}
	if (s->phase != PH_TERMINATING && s->phase != PH_STOPPED)
		fail(s, NULL, true);
	if (s->phase == PH_TERMINATING)
		snprintf(s->lcp_f.why, sizeof(s->lcp_f.why), "administrative stop");
}

void session_reconnect(struct session *s, const char *why)
{
	s->immediate = true;
	if (s->phase == PH_DOWN) {
		s->retry_at = hgw_now_ms(s->clock);
		s->immediate = false;
		return;
	}
	if (s->phase == PH_DISCOVERY) {
		teardown(s, true);
		return;
	}
	note_failure(s, why);
	fail(s, NULL, true);
}

void session_abort(struct session *s)
{
	s->stopping = true;
	teardown(s, true);
}
