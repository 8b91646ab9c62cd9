/* The RFC 8157 client state machine driven by a fake clock, against the
 * real HAAP answers from the Speedport captures where they fit (so what we
 * send can be compared with what the Speedport sent, byte for byte) and
 * against crafted ones for the cases the captures do not show. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../rfc8157_client.h"
#include "caps.h"
#include "log.h"

static struct cap_pkt lte[400], dsl[400];
static int nlte, ndsl;
static struct hgw_fake_clock fc;
static struct hgw_fake_rng fr;
static struct in6_addr G, H, E, D, X;

#define KEY 0x55992a36u
#define SID 34840u

static struct hc_out sent[64];
static int nsent;

static int setup(void **st)
{
	(void)st;
	hgw_log_init("test", HGW_LOG_ERR, false);
	nlte = cap_load(CAP_LTE, lte, 400);
	ndsl = cap_load(CAP_DSL, dsl, 400);
	inet_pton(AF_INET6, "2003:6:5000::1", &G);
	inet_pton(AF_INET6, "2003:6:5200:100::6", &H);
	inet_pton(AF_INET6, "2a01:59e:b801:c2b7:5a2c:80ff:fe13:9208", &E);
	inet_pton(AF_INET6, "2003:c1:c3bf:e54:602:1fff:fe13:7c56", &D);
	inet_pton(AF_INET6, "2001:db8::666", &X);
	return nlte > 0 && ndsl > 0 ? 0 : -1;
}

static void cfg_speedport(struct hc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->proto = RFC8157_PROTO_TELEKOM;
	cfg->tt_lte = RFC8157_TT_LTE_TELEKOM;
	cfg->tt_dsl = RFC8157_TT_DSL_TELEKOM;
	cfg->bonding = true;
	strcpy(cfg->cin, "Speedport_Hybrid_050124_02_00_012");
	cfg->anycast = G;
	cfg->dsl_sync_kbps = 73533;
	cfg->dsl_line_type = 3;
	strcpy(cfg->bras, "MUNJ15");
	cfg->idle_switching = true;
	cfg->backoff_initial_ms = 10000;
	cfg->backoff_max_ms = 160000;
}

static void init(struct hc *c, struct hc_config *cfg)
{
	hgw_fake_clock_init(&fc, 1700000000);
	hgw_fake_rng_init(&fr, 42);
	hc_init(c, cfg, &fc.clock, &fr.rng);
}

/* Moves the outbox to sent[] (what the daemon would put on the wire). */
static void drain(struct hc *c)
{
	nsent = 0;
	for (unsigned i = 0; i < c->nout && nsent < 64; i++)
		sent[nsent++] = c->out[i];
	c->nout = 0;
}

static void tick(struct hc *c)
{
	hc_tick(c);
	drain(c);
}

static void advance(struct hc *c, int64_t ms)
{
	hgw_fake_clock_advance(&fc, ms);
	tick(c);
}

/* advance, and the HAAP echoes every Hello at once */
static void advance_echo(struct hc *c, int64_t ms)
{
	advance(c, ms);
	struct hc_out keep[64];
	int n = nsent;
	memcpy(keep, sent, sizeof(keep));
	for (int i = 0; i < n; i++)
		if (keep[i].buf[8] >> 4 == RFC8157_HELLO)
			hc_input(c, keep[i].tun, &keep[i].dst, keep[i].buf, keep[i].len);
	c->nout = 0;
	memcpy(sent, keep, sizeof(keep));
	nsent = n;
}

/* Index of the first sent message of type with attribute attr (0 = any). */
static int find(enum hc_tun t, unsigned type, unsigned attr)
{
	for (int i = 0; i < nsent; i++) {
		struct rfc8157_msg m;
		assert_int_equal(rfc8157_parse(sent[i].buf, sent[i].len, 0x0101, 0x0101, &m, NULL), 0);
		if (sent[i].tun == t && m.type == type && (!attr || rfc8157_has(&m, attr)))
			return i;
	}
	return -1;
}

static void parse_sent(int i, struct rfc8157_msg *m)
{
	assert_true(i >= 0);
	assert_int_equal(rfc8157_parse(sent[i].buf, sent[i].len, 0x0101, 0x0101, m, NULL), 0);
}

static const uint8_t *capg(const struct cap_pkt *all, int n, unsigned frame, size_t *len)
{
	const struct cap_pkt *p = cap_frame(all, n, frame);
	assert_non_null(p);
	*len = p->f.len;
	return p->f.gre;
}

static int feed_cap(struct hc *c, enum hc_tun t, const struct in6_addr *src, unsigned frame)
{
	size_t len;
	const uint8_t *g = t == HC_LTE ? capg(lte, nlte, frame, &len) : capg(dsl, ndsl, frame, &len);
	int r = hc_input(c, t, src, g, len);
	drain(c);
	return r;
}

/* A HAAP message built here. */
static int feed(struct hc *c, enum hc_tun t, const struct in6_addr *src, uint32_t key,
		unsigned type, void (*attrs)(struct hgw_wr *w, void *arg), void *arg)
{
	uint8_t buf[1500];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	rfc8157_begin(&w, 0x0101, key, type, t == HC_LTE ? 0 : 8);
	if (attrs)
		attrs(&w, arg);
	size_t n = rfc8157_end(&w, true);
	int r = hc_input(c, t, src, buf, n);
	drain(c);
	return r;
}

static void a_error(struct hgw_wr *w, void *arg) { rfc8157_attr_u32(w, A_ERROR_CODE, *(uint32_t *)arg); }
static void a_flag(struct hgw_wr *w, void *arg) { rfc8157_attr_flag(w, *(uint8_t *)arg); }
struct blob {
	const uint8_t *v;
	size_t n;
};
static void a_filter(struct hgw_wr *w, void *arg)
{
	struct blob *b = arg;
	rfc8157_attr(w, A_FILTER_LIST, b->v, (uint16_t)b->n);
}

/* LTE then DSL, as in the capture; returns with both up. */
static void bring_up(struct hc *c)
{
	hc_link(c, HC_LTE, &E);
	tick(c);
	assert_int_equal(feed_cap(c, HC_LTE, &G, 23), 0); /* the real Accept */
	hc_link(c, HC_DSL, &D);
	tick(c);
	assert_int_equal(feed_cap(c, HC_DSL, &H, 15), 0);
	assert_string_equal(hc_state_name(c), "bonded");
}

static void test_lte_first_like_speedport(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	/* DSL alone does nothing: LTE must come first */
	hc_link(&c, HC_DSL, &D);
	tick(&c);
	assert_int_equal(nsent, 0);
	assert_string_equal(hc_state_name(&c), "down");

	hc_link(&c, HC_LTE, &E);
	tick(&c);
	assert_string_equal(hc_state_name(&c), "lte-setup");
	int i = find(HC_LTE, RFC8157_SETUP_REQUEST, A_CIN);
	assert_true(i >= 0);
	assert_memory_equal(&sent[i].dst, &G, 16);
	size_t len;
	const uint8_t *g = capg(lte, nlte, 22, &len);
	assert_int_equal(sent[i].len, len); /* byte-identical to the Speedport */
	assert_memory_equal(sent[i].buf, g, len);

	assert_int_equal(feed_cap(&c, HC_LTE, &G, 23), 0);
	assert_true(c.have_session);
	assert_int_equal(c.session_id, SID);
	assert_int_equal(c.bonding_key, KEY);
	assert_memory_equal(&c.haap, &H, 16);
	assert_int_equal(c.active_hello_s, 10);
	assert_int_equal(c.hello_retry, 10);
	assert_int_equal(c.idle_hello_s, 1000);
	assert_int_equal(c.no_traffic_s, 180);
	assert_int_equal(c.idle_timeout_s, 86400);
	/* Notify(34) and Notify(21 ::/0), as the Speedport sent them */
	i = find(HC_LTE, RFC8157_NOTIFY, A_SWITCH_IDLE);
	g = capg(lte, nlte, 24, &len);
	assert_int_equal(sent[i].len, len);
	assert_memory_equal(sent[i].buf, g, len);
	assert_memory_equal(&sent[i].dst, &H, 16);
	i = find(HC_LTE, RFC8157_NOTIFY, A_PREFIX_TO_HOST);
	g = capg(lte, nlte, 25, &len);
	assert_int_equal(sent[i].len, len);
	assert_memory_equal(sent[i].buf, g, len);
	/* the DSL Request follows at once (DSL link already up) */
	tick(&c);
	i = find(HC_DSL, RFC8157_SETUP_REQUEST, A_SESSION_ID);
	assert_true(i >= 0);
	g = capg(dsl, ndsl, 14, &len);
	assert_int_equal(sent[i].len, len);
	assert_memory_equal(sent[i].buf, g, len);
	assert_memory_equal(&sent[i].dst, &H, 16);
	assert_string_equal(hc_state_name(&c), "dsl-setup");

	assert_int_equal(feed_cap(&c, HC_DSL, &H, 15), 0);
	assert_string_equal(hc_state_name(&c), "bonded");
	assert_int_equal(c.dsl_up_kbps, 28787);
	assert_int_equal(c.dsl_down_kbps, 69122);
	assert_int_equal(c.max_reorder_ms, 50);
	/* echoes of 34 and 21 from the capture */
	assert_int_equal(feed_cap(&c, HC_LTE, &H, 26), 0);
	assert_int_equal(feed_cap(&c, HC_LTE, &H, 27), 0);
	assert_int_equal(c.hello_mode, HC_HELLO_IDLE);
	/* bypass rate on DSL with the first tick */
	hc_set_bypass_rate(&c, 691);
	tick(&c);
	i = find(HC_DSL, RFC8157_NOTIFY, A_BYPASS_RATE);
	g = capg(dsl, ndsl, 19, &len);
	assert_int_equal(sent[i].len, len);
	assert_memory_equal(sent[i].buf, g, len);
}

static void test_filter_list_ack(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	bring_up(&c);
	assert_int_equal(feed_cap(&c, HC_LTE, &H, 40), 0);
	assert_true(c.have_filter);
	assert_int_equal(c.filter.nitems, 14);
	int i = find(HC_LTE, RFC8157_NOTIFY, A_FILTER_ACK);
	size_t len;
	const uint8_t *g = capg(lte, nlte, 41, &len);
	assert_int_equal(sent[i].len, len); /* ACK code 0, as the Speedport */
	assert_memory_equal(sent[i].buf, g, len);

	/* a broken list: code 2 (we keep the old one) */
	uint8_t bad[] = { 0, 0, 0, 9, 0, 1, 0, 1, 0, 2, 0, 0x40, 0, 1 };
	struct blob arg = { bad, sizeof(bad) };
	assert_int_equal(feed(&c, HC_LTE, &H, KEY, RFC8157_NOTIFY, a_filter, &arg), 0);
	struct rfc8157_msg m;
	parse_sent(find(HC_LTE, RFC8157_NOTIFY, A_FILTER_ACK), &m);
	assert_int_equal(m.filter_ack_commit, 9);
	assert_int_equal(m.filter_ack_code, 2);
	assert_int_equal(c.filter.commit, 1539823369);
}

static void test_hello_rtt_robust(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	cfg.idle_switching = false;
	init(&c, &cfg);
	bring_up(&c);
	tick(&c);
	int delays[] = { 20, 22, 21, 2300, 19, 20, 23, 21 };
	for (unsigned k = 0; k < 8; k++) {
		/* the Hello that is due now */
		int i = find(HC_LTE, RFC8157_HELLO, A_TIMESTAMP);
		if (i < 0) {
			advance(&c, 10000);
			i = find(HC_LTE, RFC8157_HELLO, A_TIMESTAMP);
		}
		assert_true(i >= 0);
		struct hc_out h = sent[i];
		hgw_fake_clock_advance(&fc, delays[k]);
		/* the HAAP echoes it unchanged */
		assert_int_equal(hc_input(&c, HC_LTE, &H, h.buf, h.len), 0);
		drain(&c);
		advance(&c, 10000 - delays[k]);
	}
	assert_int_equal(c.t[HC_LTE].rtt_min_ms, 19);
	assert_int_equal(c.t[HC_LTE].rtt_ms, 21); /* the 2.3 s echo does not move it */
	assert_int_equal(c.t[HC_LTE].misses, 0);
	assert_string_equal(hc_state_name(&c), "bonded");
}

static void test_hello_loss_fails_tunnel(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	cfg.idle_switching = false;
	init(&c, &cfg);
	bring_up(&c);
	/* DSL Hellos answered, LTE ones not: 10 retries of 10 s */
	int lte_failed_at = -1;
	for (int s = 1; s <= 120 && lte_failed_at < 0; s++) {
		advance(&c, 1000);
		for (int i = 0; i < nsent; i++) {
			struct rfc8157_msg m;
			parse_sent(i, &m);
			if (sent[i].tun == HC_DSL && m.type == RFC8157_HELLO) {
				struct hc_out h = sent[i];
				hc_input(&c, HC_DSL, &H, h.buf, h.len);
			}
		}
		int n = find(HC_DSL, RFC8157_NOTIFY, A_LTE_LINK_FAILURE);
		if (c.t[HC_LTE].st != HC_T_UP) {
			lte_failed_at = s;
			assert_true(n >= 0); /* reported over the surviving tunnel */
		}
	}
	/* first Hello at 0, misses counted at 10..100 s */
	assert_true(lte_failed_at >= 99 && lte_failed_at <= 101);
	assert_int_equal(c.t[HC_DSL].st, HC_T_UP);
	assert_string_equal(hc_state_name(&c), "dsl");
	/* after the backoff: LTE re-establishment with the session id */
	int req = -1;
	for (int s = 0; s < 30 && req < 0; s++) {
		advance(&c, 1000);
		req = find(HC_LTE, RFC8157_SETUP_REQUEST, A_SESSION_ID);
	}
	struct rfc8157_msg m;
	parse_sent(req, &m);
	assert_int_equal(m.session_id, SID);
	assert_int_equal(m.key, 0);
}

static void test_link_loss_notifies_at_once(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	bring_up(&c);
	hc_link(&c, HC_DSL, NULL);
	drain(&c);
	int i = find(HC_LTE, RFC8157_NOTIFY, A_DSL_LINK_FAILURE);
	assert_true(i >= 0);
	assert_memory_equal(&sent[i].dst, &H, 16);
	assert_string_equal(hc_state_name(&c), "lte");
	/* resent until echoed, at most 3 times */
	advance(&c, 3000);
	assert_true(find(HC_LTE, RFC8157_NOTIFY, A_DSL_LINK_FAILURE) >= 0);
	uint8_t a = A_DSL_LINK_FAILURE;
	assert_int_equal(feed(&c, HC_LTE, &H, KEY, RFC8157_NOTIFY, a_flag, &a), 0);
	assert_int_equal(nsent, 0); /* an echo is not echoed back */
	advance(&c, 3000);
	assert_int_equal(find(HC_LTE, RFC8157_NOTIFY, A_DSL_LINK_FAILURE), -1);
	/* DSL returns: a new DSL Request at once */
	hc_link(&c, HC_DSL, &D);
	tick(&c);
	assert_true(find(HC_DSL, RFC8157_SETUP_REQUEST, A_SESSION_ID) >= 0);

	/* LTE link lost while bonded: LTE failure over DSL */
	assert_int_equal(feed_cap(&c, HC_DSL, &H, 15), 0);
	hc_link(&c, HC_LTE, NULL);
	drain(&c);
	assert_true(find(HC_DSL, RFC8157_NOTIFY, A_LTE_LINK_FAILURE) >= 0);
	assert_string_equal(hc_state_name(&c), "dsl");
}

static void test_deny_backoff(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	hc_link(&c, HC_LTE, &E);
	tick(&c);
	int64_t last_wait = 0;
	for (int round = 0; round < 5; round++) {
		uint32_t code = 9;
		assert_int_equal(feed(&c, HC_LTE, &G, 0, RFC8157_SETUP_DENY, a_error, &code), 0);
		assert_string_equal(hc_state_name(&c), "failed");
		assert_int_equal(c.t[HC_LTE].last_error, 9);
		assert_string_equal(c.t[HC_LTE].last_error_text, "CIN not permitted");
		/* how long until the next Request? */
		int64_t waited = 0;
		while (find(HC_LTE, RFC8157_SETUP_REQUEST, 0) < 0 && waited < 400000) {
			advance(&c, 500);
			waited += 500;
		}
		assert_true(waited >= 8000); /* never once a second */
		if (round > 0 && round < 4)
			assert_true(waited > last_wait); /* grows */
		assert_true(waited <= 160000 * 1.2 + 500);
		last_wait = waited;
	}
	assert_int_equal(c.t[HC_LTE].denies, 5);
	/* an Accept after that resets everything */
	assert_int_equal(feed_cap(&c, HC_LTE, &G, 23), 0);
	assert_string_equal(hc_state_name(&c), "lte");
	assert_int_equal(c.t[HC_LTE].last_error, 0);
}

/* Every error code the RFC and Telekom define: logged with its meaning,
 * published, and followed by a backoff (no Request for at least 8 s). */
static void test_deny_every_code(void **st)
{
	(void)st;
	static const uint32_t codes[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 401, 402, 403,
					  404, 405, 406, 407, 501, 502, 503 };
	for (unsigned k = 0; k < sizeof(codes) / sizeof(codes[0]); k++) {
		struct hc_config cfg;
		struct hc c;
		cfg_speedport(&cfg);
		init(&c, &cfg);
		hc_link(&c, HC_LTE, &E);
		tick(&c);
		uint32_t code = codes[k];
		assert_int_equal(feed(&c, HC_LTE, &G, 0, RFC8157_SETUP_DENY, a_error, &code), 0);
		assert_int_equal(c.t[HC_LTE].last_error, code);
		assert_string_not_equal(c.t[HC_LTE].last_error_text, "unknown error code");
		assert_string_equal(c.t[HC_LTE].last_error_text, rfc8157_error_text(code));
		advance(&c, 7900);
		assert_int_equal(find(HC_LTE, RFC8157_SETUP_REQUEST, 0), -1);
	}
}

static void test_dsl_deny_then_teardown(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	hc_link(&c, HC_LTE, &E);
	hc_link(&c, HC_DSL, &D);
	tick(&c);
	feed_cap(&c, HC_LTE, &G, 23);
	tick(&c);
	assert_true(find(HC_DSL, RFC8157_SETUP_REQUEST, 0) >= 0);
	uint32_t code = 5;
	assert_int_equal(feed(&c, HC_DSL, &H, KEY, RFC8157_SETUP_DENY, a_error, &code), 0);
	assert_int_equal(c.t[HC_DSL].st, HC_T_BACKOFF);
	assert_string_equal(c.t[HC_DSL].last_error_text, "DSL user ID not allowed");
	/* RFC 8157 6.2: the HAAP then tears down LTE, and we drop all */
	code = 4;
	assert_int_equal(feed(&c, HC_LTE, &H, KEY, RFC8157_TEAR_DOWN, a_error, &code), 0);
	assert_false(c.have_session);
	assert_int_equal(c.t[HC_LTE].st, HC_T_BACKOFF);
	assert_int_equal(c.t[HC_DSL].st, HC_T_BACKOFF);
	/* the next LTE Request is a new session: no session id */
	int req = -1;
	for (int s = 0; s < 60 && req < 0; s++) {
		advance(&c, 1000);
		req = find(HC_LTE, RFC8157_SETUP_REQUEST, 0);
		assert_int_equal(find(HC_DSL, RFC8157_SETUP_REQUEST, 0), -1);
	}
	struct rfc8157_msg m;
	parse_sent(req, &m);
	assert_false(rfc8157_has(&m, A_SESSION_ID));
}

static void test_unanswered_request_spaced(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	hc_link(&c, HC_LTE, &E);
	tick(&c);
	int reqs = 1;
	for (int s = 0; s < 60; s++) {
		advance(&c, 1000);
		if (find(HC_LTE, RFC8157_SETUP_REQUEST, 0) >= 0)
			reqs++;
	}
	/* 3 s, 6 s, 12 s, 24 s ... not one a second */
	assert_true(reqs >= 3 && reqs <= 6);
}

static void test_tunnel_verification(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	bring_up(&c);
	uint8_t a = A_TUNNEL_VERIFICATION;
	assert_int_equal(feed(&c, HC_LTE, &H, KEY, RFC8157_NOTIFY, a_flag, &a), 0);
	int i = find(HC_LTE, RFC8157_NOTIFY, A_TUNNEL_VERIFICATION);
	assert_true(i >= 0);
	/* while a new LTE tunnel is being set up, the old one is not ours any
	 * more: stay silent so the HAAP accepts the new Request */
	hc_link(&c, HC_LTE, NULL);
	hc_link(&c, HC_LTE, &E);
	tick(&c);
	assert_int_equal(c.t[HC_LTE].st, HC_T_SETUP);
	feed(&c, HC_LTE, &H, KEY, RFC8157_NOTIFY, a_flag, &a);
	assert_int_equal(find(HC_LTE, RFC8157_NOTIFY, A_TUNNEL_VERIFICATION), -1);
}

static void test_idle_active_switching(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	bring_up(&c);
	feed_cap(&c, HC_LTE, &H, 27); /* echo of 34 */
	assert_int_equal(c.hello_mode, HC_HELLO_IDLE);
	/* idle: LTE Hellos every 1000 s (the one already planned goes first) */
	advance(&c, 11000);
	advance(&c, 500 * 1000);
	assert_int_equal(find(HC_LTE, RFC8157_HELLO, 0), -1);
	hc_traffic(&c);
	drain(&c);
	int i = find(HC_LTE, RFC8157_NOTIFY, A_SWITCH_ACTIVE);
	assert_true(i >= 0);
	assert_int_equal(c.hello_mode, HC_HELLO_IDLE); /* until the echo */
	feed_cap(&c, HC_LTE, &H, 43); /* the capture's echo of 33 */
	assert_int_equal(c.hello_mode, HC_HELLO_ACTIVE);
	advance_echo(&c, 10000);
	assert_true(find(HC_LTE, RFC8157_HELLO, 0) >= 0);
	/* no traffic for 180 s: back to idle */
	int asked = 0;
	int64_t t0 = hgw_now_ms(&fc.clock);
	for (int s = 0; s < 200 && !asked; s++) {
		advance_echo(&c, 1000);
		asked = find(HC_LTE, RFC8157_NOTIFY, A_SWITCH_IDLE) >= 0;
	}
	assert_true(asked);
	int64_t took = hgw_now_ms(&fc.clock) - t0;
	assert_true(took >= 165000 && took <= 181000);
	assert_string_equal(hc_state_name(&c), "bonded");
}

static void test_hostile_input_dropped(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	bring_up(&c);
	uint32_t code = 1;
	/* Tear Down with the wrong key, from the wrong source, wrong tunnel type */
	assert_int_equal(feed(&c, HC_LTE, &H, KEY ^ 1, RFC8157_TEAR_DOWN, a_error, &code), -1);
	assert_int_equal(c.drops.wrong_key, 1);
	assert_int_equal(feed(&c, HC_LTE, &X, KEY, RFC8157_TEAR_DOWN, a_error, &code), -1);
	assert_int_equal(c.drops.wrong_src, 1);
	assert_int_equal(feed(&c, HC_DSL, &H, KEY, RFC8157_HELLO, NULL, NULL), 0); /* ok */
	uint8_t wrongtt[] = { 0x20, 0, 1, 1, 0x55, 0x99, 0x2a, 0x36, 0x58, 0x11, 0, 4, 0, 0, 0, 1 };
	assert_int_equal(hc_input(&c, HC_LTE, &H, wrongtt, sizeof(wrongtt)), -1);
	assert_int_equal(c.drops.wrong_ttype, 1);
	/* truncated and overlong attributes */
	uint8_t trunc[] = { 0x20, 0, 1, 1, 0x55, 0x99, 0x2a, 0x36, 0x50, 0x11, 0, 4, 0 };
	assert_int_equal(hc_input(&c, HC_LTE, &H, trunc, sizeof(trunc)), -1);
	assert_int_equal(hc_input(&c, HC_LTE, &H, trunc, 3), -1);
	assert_int_equal(c.drops.malformed, 2);
	/* an unexpected second Accept */
	assert_int_equal(feed_cap(&c, HC_DSL, &H, 15), -1);
	assert_int_equal(c.drops.unexpected, 1);
	assert_string_equal(hc_state_name(&c), "bonded");
	assert_true(c.have_session);
}

static void a_absurd(struct hgw_wr *w, void *arg)
{
	(void)arg;
	uint8_t h6[16];
	memcpy(h6, &H, 16);
	rfc8157_attr(w, A_H_IPV6, h6, 16);
	rfc8157_attr_u32(w, A_SESSION_ID, 7);
	rfc8157_attr_u32(w, A_BONDING_KEY, 0x1234);
	rfc8157_attr_u32(w, A_ACTIVE_HELLO_INTERVAL, 0);
	rfc8157_attr_u32(w, A_HELLO_RETRY_TIMES, 1000000);
	rfc8157_attr_u32(w, A_IDLE_HELLO_INTERVAL, 0xffffffff);
	rfc8157_attr(w, 77, "??", 2); /* unknown: kept, logged */
}

static void test_absurd_timers_clamped(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	hc_link(&c, HC_LTE, &E);
	tick(&c);
	assert_int_equal(feed(&c, HC_LTE, &G, 0x1234, RFC8157_SETUP_ACCEPT, a_absurd, NULL), 0);
	assert_int_equal(c.active_hello_s, 1);
	assert_int_equal(c.hello_retry, 10);
	assert_int_equal(c.idle_hello_s, 86400);
	assert_int_equal(c.drops.clamped, 3);
	assert_int_equal(c.unknown_attrs, 1);
	assert_string_equal(hc_state_name(&c), "lte");
}

static void test_prefix_report(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	init(&c, &cfg);
	bring_up(&c);
	struct rfc8157_prefix p = { .len = 56 };
	inet_pton(AF_INET6, "2003:6:536b:6f00::", &p.addr);
	hc_set_prefix(&c, &p);
	drain(&c);
	int i = find(HC_LTE, RFC8157_NOTIFY, A_PREFIX_TO_HOST);
	size_t len;
	const uint8_t *g = capg(lte, nlte, 33, &len); /* the Speedport's Notify(21 /56) */
	assert_int_equal(sent[i].len, len);
	assert_memory_equal(sent[i].buf, g, len);
	/* the same prefix again: nothing new */
	hc_set_prefix(&c, &p);
	drain(&c);
	assert_int_equal(find(HC_LTE, RFC8157_NOTIFY, A_PREFIX_TO_HOST), -1);
	/* and the next Hello carries it as attribute 13 */
	for (int s = 0; s < 11; s++) {
		advance(&c, 1000);
		i = find(HC_LTE, RFC8157_HELLO, 0);
		if (i >= 0)
			break;
	}
	struct rfc8157_msg m;
	parse_sent(i, &m);
	assert_int_equal(m.prefix_haap.len, 56);
	assert_memory_equal(&m.prefix_haap.addr, &p.addr, 16);
}

static void a_accept_thr(struct hgw_wr *w, void *arg)
{
	(void)arg;
	uint8_t h6[16];
	memcpy(h6, &H, 16);
	rfc8157_attr(w, A_H_IPV6, h6, 16);
	rfc8157_attr_u32(w, A_SESSION_ID, SID);
	rfc8157_attr_u32(w, A_BONDING_KEY, KEY);
	rfc8157_attr_u32(w, A_RTT_DIFF_THRESHOLD, 40);
	rfc8157_attr_u32(w, A_RTT_VIOLATION, 3);
	rfc8157_attr_u32(w, A_RTT_COMPLIANCE, 2);
}

/* one Hello round on both tunnels with the given RTTs */
static void hello_round(struct hc *c, int lte_ms, int dsl_ms)
{
	advance(c, 10000);
	struct hc_out l = sent[find(HC_LTE, RFC8157_HELLO, 0)];
	struct hc_out d = sent[find(HC_DSL, RFC8157_HELLO, 0)];
	int first = lte_ms < dsl_ms ? lte_ms : dsl_ms;
	hgw_fake_clock_advance(&fc, first);
	hc_input(c, lte_ms <= dsl_ms ? HC_LTE : HC_DSL, &H, lte_ms <= dsl_ms ? l.buf : d.buf,
		 lte_ms <= dsl_ms ? l.len : d.len);
	hgw_fake_clock_advance(&fc, (lte_ms > dsl_ms ? lte_ms : dsl_ms) - first);
	hc_input(c, lte_ms <= dsl_ms ? HC_DSL : HC_LTE, &H, lte_ms <= dsl_ms ? d.buf : l.buf,
		 lte_ms <= dsl_ms ? d.len : l.len);
	drain(c);
}

static void test_rtt_threshold_switching(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	cfg.idle_switching = false;
	init(&c, &cfg);
	hc_link(&c, HC_LTE, &E);
	hc_link(&c, HC_DSL, &D);
	tick(&c);
	assert_int_equal(feed(&c, HC_LTE, &G, KEY, RFC8157_SETUP_ACCEPT, a_accept_thr, NULL), 0);
	tick(&c);
	assert_int_equal(feed_cap(&c, HC_DSL, &H, 15), 0); /* its 9 = 0 would turn it off */
	assert_int_equal(c.rtt_threshold_ms, 0);
	c.rtt_threshold_ms = 40;
	for (int i = 0; i < 6; i++)
		hello_round(&c, 30, 10);
	assert_false(c.dsl_only);
	/* LTE 100 ms slower: the median needs a few samples, then 3 violations */
	int switched_at = -1;
	for (int i = 0; i < 12 && switched_at < 0; i++) {
		hello_round(&c, 110, 10);
		if (c.dsl_only) {
			switched_at = i;
			assert_true(find(HC_DSL, RFC8157_NOTIFY, A_SWITCH_TO_DSL) >= 0);
		}
	}
	assert_true(switched_at >= 2 && switched_at <= 8);
	/* back within the threshold: 2 compliances, Notify 12 */
	int back_at = -1;
	for (int i = 0; i < 12 && back_at < 0; i++) {
		hello_round(&c, 20, 10);
		if (!c.dsl_only) {
			back_at = i;
			assert_true(find(HC_DSL, RFC8157_NOTIFY, A_OVERFLOW_TO_LTE) >= 0);
		}
	}
	assert_true(back_at >= 1);
	/* a lost tunnel ends DSL-only at once */
	for (int i = 0; i < 12; i++)
		hello_round(&c, 110, 10);
	assert_true(c.dsl_only);
	hc_link(&c, HC_DSL, NULL);
	assert_false(c.dsl_only);
}

static void test_rfc_numbering(void **st)
{
	(void)st;
	struct hc_config cfg;
	struct hc c;
	cfg_speedport(&cfg);
	cfg.proto = RFC8157_PROTO_RFC;
	cfg.tt_lte = RFC8157_TT_LTE_RFC;
	cfg.tt_dsl = RFC8157_TT_DSL_RFC;
	init(&c, &cfg);
	hc_link(&c, HC_LTE, &E);
	tick(&c);
	struct rfc8157_msg m;
	assert_int_equal(rfc8157_parse(sent[0].buf, sent[0].len, 0xb7ea, 0xb7ea, &m, NULL), 0);
	assert_int_equal(m.ttype, 2);
	/* a Telekom-protocol answer is not ours */
	assert_int_equal(feed_cap(&c, HC_LTE, &G, 23), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lte_first_like_speedport),
		cmocka_unit_test(test_filter_list_ack),
		cmocka_unit_test(test_hello_rtt_robust),
		cmocka_unit_test(test_hello_loss_fails_tunnel),
		cmocka_unit_test(test_link_loss_notifies_at_once),
		cmocka_unit_test(test_deny_backoff),
		cmocka_unit_test(test_deny_every_code),
		cmocka_unit_test(test_dsl_deny_then_teardown),
		cmocka_unit_test(test_unanswered_request_spaced),
		cmocka_unit_test(test_tunnel_verification),
		cmocka_unit_test(test_idle_active_switching),
		cmocka_unit_test(test_hostile_input_dropped),
		cmocka_unit_test(test_absurd_timers_clamped),
		cmocka_unit_test(test_prefix_report),
		cmocka_unit_test(test_rtt_threshold_switching),
		cmocka_unit_test(test_rfc_numbering),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
