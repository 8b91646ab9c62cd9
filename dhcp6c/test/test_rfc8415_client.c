/* DHCPv6 client state machine driven by a fake clock and RNG: every timer
 * (RT/MRC/MRD, T1, T2, valid lifetime), the real Telekom exchange, hostile
 * replies, link loss, restart, Release, Information-request. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "md5.h"
#include "../rfc8415_client.h"
#include "../state6.h"
#include "log.h"
#include "pcaputil.h"
#include "state.h"
#include "state_schemas.h"
#include "testutil6.h"

#define CAP "../shared/captures/"
#define WALL0 1700000000

static struct hgw_fake_clock clk;
static struct hgw_fake_rng rng;
static struct d6c c;
static int64_t t0; /* the fake clock's monotonic start */
static const uint8_t sp_duid[] = { 0x00, 0x01, 0x02, 0x00, 0x23, 0xbb, 0x45, 0x62,
				   0x06, 0x02, 0x1f, 0xff, 0xfe, 0x13, 0x7c, 0x56 };
static const uint8_t srv_duid[] = { 0, 2, 0, 0, 9, 0xbf, 1, 2, 3 };

static void setup_client(bool na, bool pd, bool rapid)
{
	hgw_fake_clock_init(&clk, WALL0);
	hgw_fake_rng_init(&rng, 42);
	hgw_log_set_clock(&clk.clock);
	t0 = hgw_now_ms(&clk.clock);
	struct d6c_config cfg = { .ia_na = na, .ia_pd = pd, .rapid_commit = rapid, .iaid = 0x00c8b9ce };
	cfg.duid.len = sizeof(sp_duid);
	memcpy(cfg.duid.b, sp_duid, sizeof(sp_duid));
	cfg.oro[cfg.n_oro++] = 23;
	d6c_init(&c, &cfg, &clk.clock, &rng.rng);
}

static int64_t now(void) { return hgw_now_ms(&clk.clock); }

/* Advances to the next timer and runs it; returns the type sent (0 = none). */
static int step(void)
{
	int64_t t = d6c_next_timer(&c);
	assert_true(t != INT64_MAX);
	if (t > now())
		hgw_fake_clock_advance(&clk, t - now());
	d6c_timer(&c);
	return c.tx_len ? c.tx[0] : 0;
}

static void feed(const uint8_t *p, size_t n)
{
	struct d6_msg m;
	const char *why = "";
	if (d6_parse(p, n, &m, &why) < 0)
		fail_msg("parse: %s", why);
	d6c_recv(&c, &m, p, n);
}

/* A server message for the current exchange. */
static void server_msg(struct sbuf *s, uint8_t type)
{
	s_hdr(s, type, c.xid);
	s_opt(s, D6O_CLIENTID, sp_duid, sizeof(sp_duid));
	s_opt(s, D6O_SERVERID, srv_duid, sizeof(srv_duid));
}

static void bind_synthetic(uint32_t t1, uint32_t t2, uint32_t pref, uint32_t valid)
{
	d6c_start(&c);
	assert_int_equal(c.tx[0], D6_SOLICIT);
	struct sbuf s;
	server_msg(&s, D6_ADVERTISE);
	s_opt(&s, D6O_PREFERENCE, (uint8_t[]){ 255 }, 1);
	s_ia_pd(&s, 0x00c8b9ce, t1, t2, "2001:db8:100::", 56, pref, valid);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_REQUESTING);
	assert_int_equal(c.tx[0], D6_REQUEST);
	server_msg(&s, D6_REPLY);
	s_ia_pd(&s, 0x00c8b9ce, t1, t2, "2001:db8:100::", 56, pref, valid);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
}

/* RFC 8415 section 15 for Solicit: first RT in (IRT, 1.1 IRT], then
 * 2RT +- 10 %, capped at MRT +- 10 %, never giving up (MRC = MRD = 0). */
static void test_solicit_retransmission(void **st)
{
	(void)st;
	setup_client(false, true, false);
	d6c_start(&c);
	assert_int_equal(c.state, D6C_SOLICITING);
	int64_t rt = c.rt.next_ms - now();
	assert_true(rt > 1000 && rt <= 1100);
	int64_t prev = rt;
	bool capped = false;
	for (int i = 0; i < 25; i++) {
		assert_int_equal(step(), D6_SOLICIT);
		rt = c.rt.next_ms - now();
		if (2 * prev * 9 / 10 <= 3600000 * 11 / 10 && !capped && rt < 3600000 * 9 / 10) {
			assert_true(rt >= prev * 2 - prev / 10 - 1 && rt <= prev * 2 + prev / 10 + 1);
		} else {
			capped = true;
			assert_true(rt >= 3240000 && rt <= 3960000);
		}
		prev = rt;
	}
	assert_true(capped);
	assert_int_equal(c.rt.count, 26);
}

/* The real Telekom hybrid exchange from the Speedport capture (LTE side,
 * inside the GRE tunnel), then every lease timer with the fake clock. */
static void test_telekom_exchange_and_timers(void **st)
{
	(void)st;
	static struct udp_pl pl[8];
	static const uint16_t ports[] = { 546, 547, 0 };
	int n = pcap_udp_payloads(CAP "speedport-ltefirst/rmnet0.pcap", ports, pl, 8);
	if (n < 4)
		skip();
	setup_client(false, true, false);
	d6c_start(&c);
	struct d6_msg sol;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &sol, NULL), 0);
	assert_int_equal(sol.type, D6_SOLICIT);
	assert_true(sol.ia_pd.present && !sol.ia_na.present);
	assert_int_equal(sol.ia_pd.iaid, 0x00c8b9ce);
	c.xid = 0xa0d326; /* the captured exchange's */
	feed(pl[1].data, pl[1].len); /* Advertise, preference 255: Request at once */
	assert_int_equal(c.state, D6C_REQUESTING);
	struct d6_msg req;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &req, NULL), 0);
	assert_int_equal(req.type, D6_REQUEST);
	assert_int_equal(req.server_id.len, 14);
	assert_int_equal(req.ia_pd.n, 1);
	assert_int_equal(req.ia_pd.l[0].plen, 56);
	/* byte-compare the IA_PD prefix with what the Speedport requested */
	struct d6_msg sp_req;
	assert_int_equal(d6_parse(pl[2].data, pl[2].len, &sp_req, NULL), 0);
	assert_memory_equal(&req.ia_pd.l[0].addr, &sp_req.ia_pd.l[0].addr, 16);
	c.xid = 0x0e92ca;
	feed(pl[3].data, pl[3].len);
	assert_int_equal(c.state, D6C_BOUND);
	assert_int_equal(c.lease.t1, 86400);
	assert_int_equal(c.lease.t2, 138240);

	/* The published document matches its schema, with absolute times. */
	json_t *doc = state6_doc(&c, "tun-hybrid");
	char *text = json_dumps(doc, 0);
	struct hgw_errors e = { 0 };
	json_t *chk = hgw_state_parse(text, strlen(text), hgw_schema_dhcp6, "dhcp6.tun-hybrid.json", &e);
	assert_non_null(chk);
	assert_string_equal(hgw_json_str(chk, "state"), "bound");
	assert_int_equal(hgw_json_int(chk, "renew_at"), WALL0 + 86400);
	assert_int_equal(hgw_json_int(chk, "rebind_at"), WALL0 + 138240);
	json_t *p0 = json_array_get(json_object_get(chk, "prefixes"), 0);
	assert_string_equal(hgw_json_str(p0, "prefix"), "2003:6:536b:6f00::/56");
	assert_int_equal(hgw_json_int(p0, "valid_until"), WALL0 + 259200);
	assert_int_equal(hgw_json_int(p0, "preferred_until"), WALL0 + 172800);
	assert_string_equal(hgw_json_str(chk, "server_duid"), "00010006011c657c48fd8e04d6bb");
	json_decref(chk);
	free(text);
	json_decref(doc);

	/* T1: Renew with the server id, REN_TIMEOUT 10 s, until T2. */
	assert_int_equal(step(), D6_RENEW);
	assert_int_equal(now() - t0, 86400000);
	struct d6_msg ren;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &ren, NULL), 0);
	assert_true(ren.has_server_id);
	int renews = 1, rebinds = 0, t;
	int64_t first_rebind = 0;
	while ((t = step()) == D6_RENEW)
		renews++;
	/* REN_MAX_RT 600 s over T2 - T1 = 51840 s: at least 80 Renews. */
	assert_true(renews > 80);
	assert_int_equal(t, D6_REBIND);
	first_rebind = now();
	assert_int_equal(first_rebind - t0, 138240000);
	assert_int_equal(c.state, D6C_REBINDING);
	rebinds = 1;
	while ((t = step()) == D6_REBIND)
		rebinds++;
	assert_true(rebinds > 100);
	/* Valid lifetime over: the lease is gone, back to Solicit with the
	 * old prefix as a hint. */
	assert_int_equal(t, D6_SOLICIT);
	assert_int_equal(now() - t0, 259200000);
	assert_false(c.lease.valid);
	struct d6_msg hint;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &hint, NULL), 0);
	assert_int_equal(hint.ia_pd.n, 1);
	assert_memory_equal(&hint.ia_pd.l[0].addr, &sp_req.ia_pd.l[0].addr, 16);
}

/* Request: REQ_MAX_RC 10 transmissions, then Solicit again. */
static void test_request_mrc(void **st)
{
	(void)st;
	setup_client(true, false, false);
	d6c_start(&c);
	struct sbuf s;
	server_msg(&s, D6_ADVERTISE); /* preference 0: wait for the first RT */
	s_ia_na(&s, 0x00c8b9ce, 0, 0, "2001:db8::5", 100, 200);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_SOLICITING);
	assert_int_equal(step(), D6_REQUEST);
	int n = 1, t;
	while ((t = step()) == D6_REQUEST)
		n++;
	assert_int_equal(n, 10);
	assert_int_equal(t, D6_SOLICIT);
}

static void test_hostile_replies(void **st)
{
	(void)st;
	setup_client(false, true, false);
	d6c_start(&c);
	struct sbuf s;
	/* wrong xid */
	server_msg(&s, D6_ADVERTISE);
	s.b[3] ^= 1;
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 10, 20);
	feed(s.b, s.n);
	assert_false(c.have_adv);
	/* not our client id */
	s_hdr(&s, D6_ADVERTISE, c.xid);
	s_opt(&s, D6O_CLIENTID, srv_duid, sizeof(srv_duid));
	s_opt(&s, D6O_SERVERID, srv_duid, sizeof(srv_duid));
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 10, 20);
	feed(s.b, s.n);
	assert_false(c.have_adv);
	/* no server id */
	s_hdr(&s, D6_ADVERTISE, c.xid);
	s_opt(&s, D6O_CLIENTID, sp_duid, sizeof(sp_duid));
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 10, 20);
	feed(s.b, s.n);
	assert_false(c.have_adv);
	/* NoPrefixAvail in the IA */
	server_msg(&s, D6_ADVERTISE);
	s_ia_status(&s, D6O_IA_PD, 1, D6S_NO_PREFIX_AVAIL);
	feed(s.b, s.n);
	assert_false(c.have_adv);
	/* T1 > T2: IA dropped by the parser: nothing usable */
	server_msg(&s, D6_ADVERTISE);
	s_ia_pd(&s, 1, 900, 100, "2001:db8::", 56, 1000, 2000);
	feed(s.b, s.n);
	assert_false(c.have_adv);
	/* zero lifetimes: nothing usable */
	server_msg(&s, D6_ADVERTISE);
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 0, 0);
	feed(s.b, s.n);
	assert_false(c.have_adv);
	/* a Reply without Rapid Commit during Solicit */
	server_msg(&s, D6_REPLY);
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 10, 20);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_SOLICITING);
	/* a Reconfigure without reconfigure_accept: ignored */
	server_msg(&s, D6_RECONFIGURE);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_SOLICITING);
	assert_int_equal(c.ignored, 8);
	/* a good Advertise still works afterwards; a Reply from another
	 * server during Request is ignored */
	server_msg(&s, D6_ADVERTISE);
	s_opt(&s, D6O_PREFERENCE, (uint8_t[]){ 255 }, 1);
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 10, 20);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_REQUESTING);
	s_hdr(&s, D6_REPLY, c.xid);
	s_opt(&s, D6O_CLIENTID, sp_duid, sizeof(sp_duid));
	s_opt(&s, D6O_SERVERID, sp_duid, sizeof(sp_duid));
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 10, 20);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_REQUESTING);
	/* T1/T2 0 from the server: 0.5 and 0.8 of the preferred lifetime */
	server_msg(&s, D6_REPLY);
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 1000, 2000);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	assert_int_equal(c.lease.t1, 500);
	assert_int_equal(c.lease.t2, 800);
}

static void test_renew_replies(void **st)
{
	(void)st;
	setup_client(false, true, false);
	bind_synthetic(100, 160, 300, 400);
	assert_int_equal(step(), D6_RENEW);
	struct sbuf s;
	/* zero lifetimes in the Renew reply: keep the current lease */
	server_msg(&s, D6_REPLY);
	s_ia_pd(&s, 0x00c8b9ce, 0, 0, "2001:db8:100::", 56, 0, 0);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_RENEWING);
	assert_true(c.lease.valid);
	/* NoBinding: Request the same prefix from this server */
	server_msg(&s, D6_REPLY);
	s_ia_status(&s, D6O_IA_PD, 0x00c8b9ce, D6S_NO_BINDING);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_REQUESTING);
	struct d6_msg m;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_int_equal(m.type, D6_REQUEST);
	assert_int_equal(m.ia_pd.n, 1);
	/* a good Reply: bound again with new times */
	hgw_fake_clock_advance(&clk, 5000);
	server_msg(&s, D6_REPLY);
	s_ia_pd(&s, 0x00c8b9ce, 100, 160, "2001:db8:100::", 56, 300, 400);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	assert_int_equal(c.lease.obtained_wall, WALL0 + 105);
}

static void test_link_and_restore(void **st)
{
	(void)st;
	setup_client(false, true, false);
	bind_synthetic(100, 160, 300, 400);
	uint8_t raw[1500];
	size_t raw_len = c.lease.raw_len;
	memcpy(raw, c.lease.raw, raw_len);
	c.changed = false;
	d6c_link(&c, false);
	assert_int_equal(c.state, D6C_UNBOUND);
	assert_true(c.lease.valid && c.changed);
	assert_int_equal(c.tx_len, 0);
	/* while down, only the expiry timer runs */
	assert_int_equal(d6c_next_timer(&c) - t0, 400000);
	hgw_fake_clock_advance(&clk, 50000);
	d6c_link(&c, true);
	assert_int_equal(c.state, D6C_REBINDING);
	assert_int_equal(c.tx[0], D6_REBIND);
	/* Rebind gives up exactly when the lease ends (MRD) */
	int t;
	while ((t = step()) == D6_REBIND)
		;
	assert_int_equal(t, D6_SOLICIT);
	assert_int_equal(now() - t0, 400000);

	/* A restart 60 s after the lease was obtained: restore, Rebind first */
	setup_client(false, true, false);
	hgw_fake_clock_advance(&clk, 60000);
	assert_true(d6c_restore(&c, raw, raw_len, WALL0));
	assert_int_equal(c.lease.t1, 100);
	d6c_start(&c);
	assert_int_equal(c.state, D6C_REBINDING);
	assert_int_equal(c.tx[0], D6_REBIND);
	/* its MRD is the remaining valid lifetime: 340 s */
	assert_int_equal(d6_rt_deadline(&c.rt), now() + 340000);
	/* an expired or foreign lease is refused */
	setup_client(false, true, false);
	hgw_fake_clock_advance(&clk, 500000);
	assert_false(d6c_restore(&c, raw, raw_len, WALL0 - 1000));
	raw[10] ^= 0xff; /* client DUID byte */
	setup_client(false, true, false);
	assert_false(d6c_restore(&c, raw, raw_len, WALL0));
	assert_false(d6c_restore(&c, raw, 3, WALL0));
}

static void test_rapid_commit_and_release(void **st)
{
	(void)st;
	setup_client(false, true, true);
	d6c_start(&c);
	struct d6_msg m;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_true(m.rapid_commit);
	struct sbuf s;
	server_msg(&s, D6_REPLY);
	s_opt(&s, D6O_RAPID_COMMIT, NULL, 0);
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 1000, 2000);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	/* Release: REL_MAX_RC 4 transmissions, then done anyway */
	assert_true(d6c_release(&c));
	assert_int_equal(c.tx[0], D6_RELEASE);
	assert_int_equal(d6_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_true(m.has_server_id);
	int n = 1, t;
	while ((t = step()) == D6_RELEASE)
		n++;
	assert_int_equal(n, 4);
	assert_int_equal(c.state, D6C_RELEASED);
	assert_false(c.lease.valid);
	assert_false(d6c_release(&c));
}

static void test_information_request(void **st)
{
	(void)st;
	hgw_fake_clock_init(&clk, WALL0);
	hgw_fake_rng_init(&rng, 7);
	struct d6c_config cfg = { .info_only = true, .duid = { sizeof(sp_duid), { 0 } } };
	memcpy(cfg.duid.b, sp_duid, sizeof(sp_duid));
	d6c_init(&c, &cfg, &clk.clock, &rng.rng);
	t0 = hgw_now_ms(&clk.clock);
	d6c_start(&c);
	assert_int_equal(c.tx[0], D6_INFORMATION_REQUEST);
	struct d6_msg m;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_false(m.ia_na.present || m.ia_pd.present);
	struct sbuf s;
	server_msg(&s, D6_REPLY);
	struct in6_addr dns;
	inet_pton(AF_INET6, "2001:db8::53", &dns);
	s_opt(&s, D6O_DNS_SERVERS, &dns, 16);
	s_opt(&s, D6O_INFO_REFRESH_TIME, (uint8_t[]){ 0, 0, 0, 5 }, 4); /* below the minimum */
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_INFORMED);
	assert_int_equal(d6c_next_timer(&c) - t0, 600000); /* IRT_MINIMUM */
	json_t *doc = state6_doc(&c, "eth0");
	assert_string_equal(hgw_json_str(doc, "state"), "information");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "dns"), 0)),
			    "2001:db8::53");
	json_decref(doc);
	assert_int_equal(step(), D6_INFORMATION_REQUEST);
}

static void test_decline(void **st)
{
	(void)st;
	setup_client(true, true, false);
	d6c_start(&c);
	struct sbuf s;
	server_msg(&s, D6_ADVERTISE);
	s_opt(&s, D6O_PREFERENCE, (uint8_t[]){ 255 }, 1);
	s_ia_na(&s, 0x00c8b9ce, 100, 160, "2001:db8::5", 300, 400);
	s_ia_pd(&s, 0x00c8b9ce, 100, 160, "2001:db8:100::", 56, 300, 400);
	feed(s.b, s.n);
	server_msg(&s, D6_REPLY);
	s_ia_na(&s, 0x00c8b9ce, 100, 160, "2001:db8::5", 300, 400);
	s_ia_pd(&s, 0x00c8b9ce, 100, 160, "2001:db8:100::", 56, 300, 400);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	struct in6_addr other, dup;
	inet_pton(AF_INET6, "2001:db8::6", &other);
	inet_pton(AF_INET6, "2001:db8::5", &dup);
	assert_false(d6c_decline(&c, &other)); /* not ours */
	assert_true(d6c_decline(&c, &dup));
	struct d6_msg m;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_int_equal(m.type, D6_DECLINE);
	assert_true(m.has_server_id);
	assert_int_equal(m.ia_na.n, 1);
	assert_memory_equal(&m.ia_na.l[0].addr, &dup, 16);
	assert_false(m.ia_pd.present);
	/* DEC_MAX_RC 4, then on without an answer */
	int n = 1, t;
	while ((t = step()) == D6_DECLINE)
		n++;
	assert_int_equal(n, 4);
	assert_int_equal(t, D6_SOLICIT);
	/* the prefix is still published while soliciting, the address not */
	assert_true(c.lease.valid);
	assert_int_equal(c.lease.reply.ia_na.n, 0);
	assert_int_equal(c.lease.reply.ia_pd.n, 1);
	assert_int_equal(d6_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_int_equal(m.ia_na.n, 0); /* no hint for the declined address */
	assert_int_equal(m.ia_pd.n, 1);
}

static void hex16(const uint8_t *d, char *out)
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_md5_vectors(void **st)
{
	(void)st;
	uint8_t d[16];
	char h[33];
	hgw_md5("", 0, d);
	hex16(d, h);
	assert_string_equal(h, "d41d8cd98f00b204e9800998ecf8427e");
	hgw_md5("abc", 3, d);
	hex16(d, h);
	assert_string_equal(h, "900150983cd24fb0d6963f7d28e17f72");
	const char *l = "12345678901234567890123456789012345678901234567890123456789012345678901234567890";
	hgw_md5(l, strlen(l), d);
	hex16(d, h);
	assert_string_equal(h, "57edf4a22be3c955ac49da2e2107b67a");
	/* RFC 2104 test vectors */
	uint8_t k[16];
	memset(k, 0x0b, 16);
	hgw_hmac_md5(k, 16, "Hi There", 8, d);
	hex16(d, h);
	assert_string_equal(h, "9294727a3638bb1c13f48ef8158bfc9d");
	hgw_hmac_md5((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, d);
	hex16(d, h);
	assert_string_equal(h, "750c783e6ab0b503eaa86e310a5db738");
}

static const uint8_t rkey[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void s_auth(struct sbuf *s, uint64_t replay, uint8_t type, const uint8_t *v16)
{
	s_u16(s, D6O_AUTH);
	s_u16(s, 11 + 17);
	s_u8(s, 3);
	s_u8(s, 1);
	s_u8(s, 0);
	s_u32(s, (uint32_t)(replay >> 32));
	s_u32(s, (uint32_t)replay);
	s_u8(s, type);
	s_raw(s, v16, 16);
}

/* A Reconfigure signed with key; returns its length in s. */
static void reconfigure(struct sbuf *s, uint8_t what, uint64_t replay, const uint8_t *key)
{
	s_hdr(s, D6_RECONFIGURE, 0);
	s_opt(s, D6O_SERVERID, srv_duid, sizeof(srv_duid));
	s_opt(s, D6O_CLIENTID, sp_duid, sizeof(sp_duid));
	s_opt(s, D6O_RECONF_MSG, &what, 1);
	uint8_t zero[16] = { 0 }, mac[16];
	s_auth(s, replay, 2, zero);
	hgw_hmac_md5(key, 16, s->b, s->n, mac);
	memcpy(s->b + s->n - 16, mac, 16);
}

static void test_reconfigure(void **st)
{
	(void)st;
	setup_client(false, true, false);
	c.cfg.reconf_accept = true;
	d6c_start(&c);
	struct d6_msg m;
	assert_int_equal(d6_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_true(m.reconf_accept);
	struct sbuf s;
	server_msg(&s, D6_ADVERTISE);
	s_opt(&s, D6O_PREFERENCE, (uint8_t[]){ 255 }, 1);
	s_ia_pd(&s, 0x00c8b9ce, 1000, 1600, "2001:db8:100::", 56, 3000, 4000);
	feed(s.b, s.n);
	server_msg(&s, D6_REPLY);
	s_ia_pd(&s, 0x00c8b9ce, 1000, 1600, "2001:db8:100::", 56, 3000, 4000);
	s_opt(&s, D6O_RECONF_ACCEPT, NULL, 0);
	s_auth(&s, 100, 1, rkey);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	assert_true(c.have_reconf_key);
	/* wrong key, replayed counter, missing auth: all ignored */
	uint8_t bad[16] = { 9 };
	reconfigure(&s, D6_RENEW, 101, bad);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	reconfigure(&s, D6_RENEW, 100, rkey);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	s_hdr(&s, D6_RECONFIGURE, 0);
	s_opt(&s, D6O_SERVERID, srv_duid, sizeof(srv_duid));
	s_opt(&s, D6O_CLIENTID, sp_duid, sizeof(sp_duid));
	s_opt(&s, D6O_RECONF_MSG, (uint8_t[]){ D6_RENEW }, 1);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	/* tampered after signing: Renew turned into Rebind */
	reconfigure(&s, D6_RENEW, 101, rkey);
	assert_int_equal(s.b[4 + 4 + sizeof(srv_duid) + 4 + sizeof(sp_duid) + 4], D6_RENEW);
	s.b[4 + 4 + sizeof(srv_duid) + 4 + sizeof(sp_duid) + 4] = D6_REBIND;
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	assert_int_equal(c.reconfigured, 0);
	/* the real thing: Renew now, long before T1 */
	reconfigure(&s, D6_RENEW, 101, rkey);
	feed(s.b, s.n);
	assert_int_equal(c.reconfigured, 1);
	assert_int_equal(c.state, D6C_RENEWING);
	assert_int_equal(c.tx[0], D6_RENEW);
	/* during the exchange another Reconfigure is ignored */
	reconfigure(&s, D6_REBIND, 102, rkey);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_RENEWING);
	/* after the Reply (without a new key: the old one stays), Rebind */
	server_msg(&s, D6_REPLY);
	s_ia_pd(&s, 0x00c8b9ce, 1000, 1600, "2001:db8:100::", 56, 3000, 4000);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
	reconfigure(&s, D6_REBIND, 103, rkey);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_REBINDING);
	/* without reconfigure_accept, even a valid one is ignored */
	setup_client(false, true, false);
	bind_synthetic(100, 160, 300, 400);
	reconfigure(&s, D6_RENEW, 200, rkey);
	feed(s.b, s.n);
	assert_int_equal(c.state, D6C_BOUND);
}

int main(void)
{
	hgw_log_init("test", HGW_LOG_WARN, false);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solicit_retransmission),
		cmocka_unit_test(test_telekom_exchange_and_timers),
		cmocka_unit_test(test_request_mrc),
		cmocka_unit_test(test_hostile_replies),
		cmocka_unit_test(test_renew_replies),
		cmocka_unit_test(test_link_and_restore),
		cmocka_unit_test(test_rapid_commit_and_release),
		cmocka_unit_test(test_information_request),
		cmocka_unit_test(test_md5_vectors),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_decline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
