/* The whole client session against a scripted AC, byte by byte: discovery,
 * LCP, CHAP, IPCP with DNS, IPv6CP; then echo timeout, authentication
 * failure, PADT, stop and odd protocols.  Every frame of the main exchange
 * (ours and the AC's) is dissected by tshark at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../pppoe_doc.h"
#include "../session.h"
#include "ppptest.h"
#include "state_schemas.h"

static const uint8_t ACMAC[6] = { 0x02, 0xac, 0, 0, 0, 1 };
static const uint8_t US[6] = { 0x02, 0x00, 0, 0, 0, 2 };

static struct pt T;
static struct session S;
static struct session_config C;

/* every frame on the wire, as Ethernet, for tshark */
static uint8_t wire[128][1600];
static size_t wire_len[128];
static int n_wire;

static void record(const uint8_t *dst, const uint8_t *src, bool disc, const uint8_t *p, size_t n,
		   uint16_t sid)
{
	if (n_wire >= 128)
		return;
	uint8_t *f = wire[n_wire];
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = disc ? 0x63 : 0x64;
	size_t off = 14;
	if (!disc) {
		pppoe_sess_header(f + 14, sid, n);
		off += 6;
	}
	memcpy(f + off, p, n);
	wire_len[n_wire++] = off + n;
}

static int setup(void **s)
{
	(void)s;
	pt_quiet();
	pt_init(&T);
	memset(&C, 0, sizeof(C));
	C.pd = (struct pd_config){ .ac_name = "", .service = "", .padi_initial_ms = 1000,
				   .padi_max_ms = 8000, .padr_timeout_ms = 1000, .padr_tries = 2 };
	C.user = "alice";
	C.secret = "s3cret";
	C.allow_chap = C.allow_pap = true;
	C.ipv4 = C.ipv6 = C.ask_dns = true;
	C.mru = 1492;
	C.restart_ms = 1000;
	C.max_configure = 5;
	C.max_terminate = 2;
	C.max_failure = 5;
	C.echo_interval_ms = 1000;
	C.echo_failures = 3;
	C.auth_timeout_ms = 10000;
	C.reconnect_initial_ms = 2000;
	C.reconnect_max_ms = 30000;
	C.auth_retry_initial_ms = 60000;
	C.auth_retry_max_ms = 600000;
	session_init(&S, &C, &T.clock.clock, &T.rng.rng);
	n_wire = 0;
	return 0;
}

/* Takes what the session sent; returns the index of the first frame whose
 * PPP protocol (or, for discovery, code) and control code match, or -1. */
static struct session_frame got[SESSION_OUT_MAX];
static int n_got;

static void drain(void)
{
	n_got = S.n_out;
	memcpy(got, S.out, sizeof(S.out[0]) * (size_t)S.n_out);
	for (int i = 0; i < S.n_out; i++)
		record(S.out[i].dst, US, S.out[i].disc, S.out[i].buf, S.out[i].len, S.sid ? S.sid : 0x11);
	S.n_out = 0;
}

static int find_ppp(uint16_t proto, uint8_t code)
{
	for (int i = 0; i < n_got; i++)
		if (!got[i].disc && got[i].len >= 3 && ((got[i].buf[0] << 8) | got[i].buf[1]) == proto &&
		    got[i].buf[2] == code)
			return i;
	return -1;
}

static int find_disc(uint8_t code)
{
	for (int i = 0; i < n_got; i++)
		if (got[i].disc && got[i].buf[1] == code)
			return i;
	return -1;
}

static void feed_disc(const uint8_t *p, size_t n)
{
	record(US, ACMAC, true, p, n, 0);
	session_recv_disc(&S, ACMAC, p, n);
	drain();
}

static uint16_t feed_ppp_bytes(const uint8_t *p, size_t n)
{
	record(US, ACMAC, false, p, n, S.sid);
	uint16_t r = session_recv_ppp(&S, p, n);
	drain();
	return r;
}

static uint16_t feed(const char *hex)
{
	uint8_t p[1500];
	size_t n = pt_hex(p, hex);
	return feed_ppp_bytes(p, n);
}

/* The AC acks our last request of proto (copy, code 2). */
static void ack_ours(uint16_t proto)
{
	int i = find_ppp(proto, 1);
	assert_true(i >= 0);
	uint8_t p[1500];
	memcpy(p, got[i].buf, got[i].len);
	p[2] = 2;
	feed_ppp_bytes(p, got[i].len);
}

static void discovery(uint16_t sid)
{
	session_start(&S);
	drain();
	int i = find_disc(PPPOE_PADI);
	assert_true(i >= 0);
	/* Host-Uniq from our PADI: the 8 bytes after its tag header */
	const uint8_t *hu = NULL;
	for (size_t k = 6; k + 4 <= got[i].len;) {
		uint16_t t = (uint16_t)(got[i].buf[k] << 8 | got[i].buf[k + 1]);
		uint16_t l = (uint16_t)(got[i].buf[k + 2] << 8 | got[i].buf[k + 3]);
		if (t == 0x0103)
			hu = got[i].buf + k + 4;
		k += 4u + l;
	}
	assert_non_null(hu);
	uint8_t hub[8];
	memcpy(hub, hu, 8);
	/* PADO: AC-Name "lab", Service-Name "", Host-Uniq, AC-Cookie */
	uint8_t p[128];
	size_t n = pt_hex(p, "11 07 00 00 00 1f 01 02 00 03 6c 61 62 01 01 00 00 01 03 00 08 "
			     "00 00 00 00 00 00 00 00 01 04 00 04 c0 0c 1e 55");
	memcpy(p + 6 + 7 + 4 + 4, hub, 8);
	feed_disc(p, n);
	i = find_disc(PPPOE_PADR);
	assert_true(i >= 0);
	assert_memory_equal(got[i].dst, ACMAC, 6);
	/* PADS with the session id */
	n = pt_hex(p, "11 65 00 00 00 10 01 01 00 00 01 03 00 08 00 00 00 00 00 00 00 00");
	p[2] = (uint8_t)(sid >> 8);
	p[3] = (uint8_t)sid;
	memcpy(p + 6 + 4 + 4, hub, 8);
	feed_disc(p, n);
	assert_int_equal(S.phase, PH_LCP);
	assert_int_equal(S.sid, sid);
}

static void bring_up(void)
{
	discovery(0x0011);
	assert_true(find_ppp(0xc021, 1) >= 0);
	/* AC's LCP request: MRU 1492, CHAP-MD5, magic */
	feed("c0 21 01 01 00 13 01 04 05 d4 03 05 c2 23 05 05 06 aa bb cc dd");
	assert_true(find_ppp(0xc021, 2) >= 0);
	/* and it acks ours */
	drain();
	n_got = 0;
	/* find our CR again: it was sent at PADS time; rebuild from the wire */
	for (int w = n_wire - 1; w >= 0; w--)
		if (wire[w][13] == 0x64 && wire[w][20] == 0xc0 && wire[w][21] == 0x21 && wire[w][22] == 1 &&
		    memcmp(wire[w] + 6, US, 6) == 0) {
			uint8_t p[64];
			size_t n = wire_len[w] - 20;
			memcpy(p, wire[w] + 20, n);
			p[2] = 2;
			feed_ppp_bytes(p, n);
			break;
		}
	assert_int_equal(S.phase, PH_AUTH);
	feed("c2 23 01 07 00 15 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
	assert_true(find_ppp(0xc223, 2) >= 0);
	feed("c2 23 03 07 00 06 4f 4b");
	assert_int_equal(S.phase, PH_NETWORK);
	int i4 = find_ppp(0x8021, 1), i6 = find_ppp(0x8057, 1);
	assert_true(i4 >= 0 && i6 >= 0);
	/* we asked for 0.0.0.0 and both DNS servers */
	assert_memory_equal(got[i4].buf + 6, "\x03\x06\x00\x00\x00\x00\x81\x06\x00\x00\x00\x00\x83\x06", 14);
	/* AC: its address, then a Nak with ours and the DNS servers */
	feed("80 21 01 01 00 0a 03 06 c6 33 64 01");
	assert_true(find_ppp(0x8021, 2) >= 0);
	feed("80 21 03 01 00 16 03 06 c6 33 64 02 81 06 c0 00 02 35 83 06 c0 00 02 36");
	assert_true(find_ppp(0x8021, 1) >= 0);
	ack_ours(0x8021);
	assert_int_equal(S.phase, PH_UP);
	assert_true(S.v4_up);
	/* IPv6CP: the AC's identifier, then an ack of ours */
	feed("80 57 01 01 00 0e 01 0a 02 00 00 ff fe 00 00 01");
	assert_true(find_ppp(0x8057, 2) >= 0);
	drain();
	for (int w = n_wire - 1; w >= 0; w--)
		if (wire[w][20] == 0x80 && wire[w][21] == 0x57 && wire[w][22] == 1 &&
		    memcmp(wire[w] + 6, US, 6) == 0) {
			uint8_t p[64];
			size_t n = wire_len[w] - 20;
			memcpy(p, wire[w] + 20, n);
			p[2] = 2;
			feed_ppp_bytes(p, n);
			break;
		}
	assert_true(S.v6_up);
}

static void test_full_session_and_state_doc(void **s)
{
	(void)s;
	bring_up();
	assert_int_equal(S.ipcp.addr, 0xc6336402);
	assert_int_equal(S.ipcp.peer, 0xc6336401);
	assert_int_equal(S.ipcp.dns[0], 0xc0000235);
	assert_int_equal(S.ipcp.dns[1], 0xc0000236);
	assert_int_equal(S.v6.peer_iid, 0x020000fffe000001ULL);
	assert_int_equal(S.mtu, 1492);
	assert_true(S.remember);
	struct doc_ctx dc = { .ifname = "ppp0", .ethernet = "eth1", .mode = "userspace" };
	json_t *d = pppoe_doc(&S, &dc);
	struct hgw_errors e = { 0 };
	assert_int_equal(hgw_schema_check(d, hgw_schema_pppoe, "pppoe", &e), 0);
	assert_string_equal(hgw_json_str(d, "state"), "up");
	assert_int_equal(hgw_json_int(d, "session_id"), 0x11);
	assert_string_equal(hgw_json_str(d, "ac_name"), "lab");
	assert_string_equal(hgw_json_str(d, "ac_mac"), "02:ac:00:00:00:01");
	assert_string_equal(hgw_json_str(d, "auth"), "chap-md5");
	json_t *v4 = json_object_get(d, "ipv4");
	assert_string_equal(hgw_json_str(v4, "address"), "198.51.100.2");
	assert_string_equal(hgw_json_str(v4, "peer"), "198.51.100.1");
	assert_int_equal(json_array_size(json_object_get(v4, "dns")), 2);
	json_t *v6 = json_object_get(d, "ipv6");
	assert_string_equal(hgw_json_str(v6, "peer"), "fe80::200:ff:fe00:1");
	json_decref(d);
	/* tshark judges every frame exchanged */
	const uint8_t *fr[128];
	for (int i = 0; i < n_wire; i++)
		fr[i] = wire[i];
	int rc = pt_tshark_check(fr, wire_len, n_wire);
	/* data flows only now (fed after the judging: not real IP) */
	assert_int_equal(feed("00 21 45 00 00 14"), 0x0021);
	assert_int_equal(feed("00 57 60 00 00 00"), 0x0057);
	if (rc < 0)
		skip();
	assert_int_equal(rc, 0);
}

static void test_data_before_network_phase_dropped(void **s)
{
	(void)s;
	discovery(5);
	assert_int_equal(feed("00 21 45 00 00 14"), 0);
	assert_false(session_data_ok(&S, 0x0021));
}

static void test_echo_timeout_reconnects_with_backoff(void **s)
{
	(void)s;
	bring_up();
	int echoes = 0;
	for (int i = 0; i < 10 && S.phase == PH_UP; i++) {
		hgw_fake_clock_advance(&T.clock, 1000);
		session_timer(&S);
		drain();
		if (find_ppp(0xc021, 9) >= 0)
			echoes++;
	}
	assert_int_equal(echoes, 3);
	assert_int_equal(S.phase, PH_DOWN);
	assert_non_null(strstr(S.last_failure, "Echo"));
	assert_true(find_disc(PPPOE_PADT) >= 0); /* told the AC, in case it still hears */
	assert_false(S.v4_up);
	int64_t wait = S.retry_at - hgw_now_ms(&T.clock.clock);
	assert_true(wait >= 1600 && wait <= 2400); /* 2 s +-20 % */
	hgw_fake_clock_advance(&T.clock, wait);
	session_timer(&S);
	drain();
	assert_int_equal(S.phase, PH_DISCOVERY);
	assert_true(find_disc(PPPOE_PADI) >= 0);
	assert_int_equal(S.attempts, 2);
}

static void test_echo_replies_keep_it_up(void **s)
{
	(void)s;
	bring_up();
	for (int i = 0; i < 10; i++) {
		hgw_fake_clock_advance(&T.clock, 1000);
		session_timer(&S);
		drain();
		int k = find_ppp(0xc021, 9);
		if (k >= 0) {
			uint8_t p[64];
			memcpy(p, got[k].buf, got[k].len);
			p[2] = 10;
			memcpy(p + 6, "\xaa\xbb\xcc\xdd", 4);
			feed_ppp_bytes(p, got[k].len);
		}
	}
	assert_int_equal(S.phase, PH_UP);
}

static void test_auth_failure_terminates_and_waits_long(void **s)
{
	(void)s;
	discovery(0x22);
	feed("c0 21 01 01 00 09 03 05 c2 23 05");
	for (int w = n_wire - 1; w >= 0; w--)
		if (wire[w][20] == 0xc0 && wire[w][21] == 0x21 && wire[w][22] == 1 &&
		    memcmp(wire[w] + 6, US, 6) == 0) {
			uint8_t p[64];
			size_t n = wire_len[w] - 20;
			memcpy(p, wire[w] + 20, n);
			p[2] = 2;
			feed_ppp_bytes(p, n);
			break;
		}
	assert_int_equal(S.phase, PH_AUTH);
	feed("c2 23 01 07 00 09 04 01 02 03 04");
	feed("c2 23 04 07 00 0b 6e 6f 20 77 61 79 21");
	assert_int_equal(S.phase, PH_TERMINATING);
	int i = find_ppp(0xc021, 5);
	assert_true(i >= 0);
	char ack[64];
	snprintf(ack, sizeof(ack), "c0 21 06 %02x 00 04", got[i].buf[3]);
	feed(ack);
	assert_int_equal(S.phase, PH_DOWN);
	assert_true(find_disc(PPPOE_PADT) >= 0);
	assert_non_null(strstr(S.last_failure, "authentication failed: no way!"));
	int64_t wait = S.retry_at - hgw_now_ms(&T.clock.clock);
	assert_true(wait >= 48000); /* 60 s -20 %: never hammered */
	struct doc_ctx dc = { .ifname = "ppp0", .ethernet = "eth1", .mode = "userspace" };
	json_t *d = pppoe_doc(&S, &dc);
	assert_string_equal(hgw_json_str(d, "state"), "failed");
	json_decref(d);
}

static void test_padt_from_ac(void **s)
{
	(void)s;
	bring_up();
	uint8_t p[32];
	size_t n = pt_hex(p, "11 a7 00 11 00 00");
	feed_disc(p, n);
	assert_int_equal(S.phase, PH_DOWN);
	assert_int_equal(find_disc(PPPOE_PADT), -1); /* not answered with a PADT */
	assert_non_null(strstr(S.last_failure, "PADT"));
	assert_false(S.v4_up || S.v6_up);
	assert_int_equal(S.sid, 0);
}

static void test_peer_terminate_then_padt_keeps_the_first_cause(void **s)
{
	(void)s;
	bring_up();
	feed("c0 21 05 33 00 0a 67 6f 6f 64 62 79");
	assert_true(find_ppp(0xc021, 6) >= 0); /* Terminate-Ack */
	assert_int_equal(S.failures, 1);
	uint8_t p[32];
	size_t n = pt_hex(p, "11 a7 00 11 00 00");
	feed_disc(p, n);
	assert_int_equal(S.phase, PH_DOWN);
	assert_string_equal(S.last_failure, "LCP terminated by the peer: goodby");
	assert_int_equal(S.failures, 1);
	/* a new attempt that comes up keeps the reason of the last end */
	hgw_fake_clock_advance(&T.clock, S.retry_at - hgw_now_ms(&T.clock.clock));
	session_timer(&S);
	assert_int_equal(S.phase, PH_DISCOVERY);
	assert_string_equal(S.last_failure, "LCP terminated by the peer: goodby");
}

static void test_stop_terminate_then_padt(void **s)
{
	(void)s;
	bring_up();
	session_stop(&S);
	drain();
	int i = find_ppp(0xc021, 5);
	assert_true(i >= 0);
	assert_int_equal(S.phase, PH_TERMINATING);
	char ack[64];
	snprintf(ack, sizeof(ack), "c0 21 06 %02x 00 04", got[i].buf[3]);
	feed(ack);
	assert_int_equal(S.phase, PH_STOPPED);
	assert_true(find_disc(PPPOE_PADT) >= 0);
	assert_true(session_next_timer(&S) == INT64_MAX);
}

static void test_stop_without_answer_still_ends(void **s)
{
	(void)s;
	bring_up();
	session_stop(&S);
	drain();
	for (int k = 0; k < 5 && S.phase != PH_STOPPED; k++) {
		hgw_fake_clock_advance(&T.clock, 1000);
		session_timer(&S);
		drain();
	}
	assert_int_equal(S.phase, PH_STOPPED);
	assert_true(find_disc(PPPOE_PADT) >= 0);
}

static void test_reconnect_is_immediate(void **s)
{
	(void)s;
	bring_up();
	session_reconnect(&S, "asked");
	drain();
	int i = find_ppp(0xc021, 5);
	char ack[64];
	snprintf(ack, sizeof(ack), "c0 21 06 %02x 00 04", got[i].buf[3]);
	feed(ack);
	assert_int_equal(S.phase, PH_DOWN);
	assert_true(S.retry_at <= hgw_now_ms(&T.clock.clock));
	session_timer(&S);
	drain();
	assert_int_equal(S.phase, PH_DISCOVERY);
}

static void test_unknown_protocol_rejected_and_disabled_ncp(void **s)
{
	(void)s;
	C.ipv6 = false;
	session_init(&S, &C, &T.clock.clock, &T.rng.rng);

	discovery(3);
	feed("c0 21 01 01 00 04");
	for (int w = n_wire - 1; w >= 0; w--)
		if (wire[w][20] == 0xc0 && wire[w][21] == 0x21 && wire[w][22] == 1 &&
		    memcmp(wire[w] + 6, US, 6) == 0) {
			uint8_t p[64];
			size_t n = wire_len[w] - 20;
			memcpy(p, wire[w] + 20, n);
			p[2] = 2;
			feed_ppp_bytes(p, n);
			break;
		}
	assert_int_equal(S.phase, PH_NETWORK); /* no authentication asked */
	feed("12 34 de ad be ef");
	int i = find_ppp(0xc021, 8);
	assert_true(i >= 0);
	assert_memory_equal(got[i].buf + 6, "\x12\x34\xde\xad\xbe\xef", 6);
	feed("80 57 01 01 00 04"); /* IPv6CP while disabled */
	assert_true(find_ppp(0xc021, 8) >= 0);
	/* CHAP although nothing was agreed: Protocol-Reject too */
	feed("c2 23 01 01 00 09 04 01 02 03 04");
	assert_true(find_ppp(0xc021, 8) >= 0);

}

static void test_no_ncp_at_all_fails(void **s)
{
	(void)s;
	C.ipv6 = false;
	session_init(&S, &C, &T.clock.clock, &T.rng.rng);
	discovery(3);
	feed("c0 21 01 01 00 04");
	for (int w = n_wire - 1; w >= 0; w--)
		if (wire[w][20] == 0xc0 && wire[w][21] == 0x21 && wire[w][22] == 1 &&
		    memcmp(wire[w] + 6, US, 6) == 0) {
			uint8_t p[64];
			size_t n = wire_len[w] - 20;
			memcpy(p, wire[w] + 20, n);
			p[2] = 2;
			feed_ppp_bytes(p, n);
			break;
		}
	/* the AC rejects IPCP as a protocol */
	feed("c0 21 08 09 00 0a 80 21 01 01 00 04");
	assert_int_equal(S.phase, PH_TERMINATING);
	assert_non_null(strstr(S.last_failure, "no network protocol"));
}

static void test_remembered_address_requested(void **s)
{
	(void)s;
	C.hint_ipv4 = 0xc6336463;
	C.hint_iid = 0x1122334455667788ULL;
	session_init(&S, &C, &T.clock.clock, &T.rng.rng);
	discovery(9);
	feed("c0 21 01 01 00 04");
	for (int w = n_wire - 1; w >= 0; w--)
		if (wire[w][20] == 0xc0 && wire[w][21] == 0x21 && wire[w][22] == 1 &&
		    memcmp(wire[w] + 6, US, 6) == 0) {
			uint8_t p[64];
			size_t n = wire_len[w] - 20;
			memcpy(p, wire[w] + 20, n);
			p[2] = 2;
			feed_ppp_bytes(p, n);
			break;
		}
	int i4 = find_ppp(0x8021, 1), i6 = find_ppp(0x8057, 1);
	assert_true(i4 >= 0 && i6 >= 0);
	assert_memory_equal(got[i4].buf + 6, "\x03\x06\xc6\x33\x64\x63", 6);
	assert_memory_equal(got[i6].buf + 6, "\x01\x0a\x11\x22\x33\x44\x55\x66\x77\x88", 10);
}

/* The frames the main exchange does not show (PAP, Echo, Protocol-Reject,
 * Code-Reject, Terminate, PADT), judged by tshark too. */
static void test_more_frames_judged_by_tshark(void **s)
{
	(void)s;
	discovery(0x0033);
	feed("c0 21 01 01 00 0e 03 04 c0 23 05 06 aa bb cc dd");
	for (int w = n_wire - 1; w >= 0; w--)
		if (wire[w][20] == 0xc0 && wire[w][21] == 0x21 && wire[w][22] == 1 &&
		    memcmp(wire[w] + 6, US, 6) == 0) {
			uint8_t p[64];
			size_t n = wire_len[w] - 20;
			memcpy(p, wire[w] + 20, n);
			p[2] = 2;
			feed_ppp_bytes(p, n);
			break;
		}
	assert_int_equal(S.phase, PH_AUTH);
	int i = find_ppp(0xc023, 1);
	assert_true(i >= 0);
	char ack[64];
	snprintf(ack, sizeof(ack), "c0 23 02 %02x 00 07 02 6f 6b", got[i].buf[3]);
	feed(ack);
	assert_int_equal(S.phase, PH_NETWORK);
	feed("c0 21 09 07 00 0a aa bb cc dd 01 02");   /* Echo-Request -> Reply */
	assert_true(find_ppp(0xc021, 10) >= 0);
	feed("80 fd 01 01 00 04");                    /* CCP: Protocol-Reject */
	assert_true(find_ppp(0xc021, 8) >= 0);
	feed("c0 21 0c 02 00 08 aa bb cc dd");        /* Identification (RFC 1570): Code-Reject */
	assert_true(find_ppp(0xc021, 7) >= 0);
	hgw_fake_clock_advance(&T.clock, 1000);
	session_timer(&S);
	drain();
	session_stop(&S);
	drain();
	i = find_ppp(0xc021, 5);
	assert_true(i >= 0);
	snprintf(ack, sizeof(ack), "c0 21 06 %02x 00 04", got[i].buf[3]);
	feed(ack);
	assert_true(find_disc(PPPOE_PADT) >= 0);
	const uint8_t *fr[128];
	for (int k = 0; k < n_wire; k++)
		fr[k] = wire[k];
	int rc = pt_tshark_check(fr, wire_len, n_wire);
	if (rc < 0)
		skip();
	assert_int_equal(rc, 0);
}

static void test_last_file_round_trip(void **s)
{
	(void)s;
	char dir[] = "/tmp/pppoed-last-XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint32_t v4;
	uint64_t iid;
	pppoe_last_load(dir, &v4, &iid);
	assert_int_equal(v4, 0);
	assert_int_equal(pppoe_last_save(dir, 0xc6336402, 0x1122334455667788ULL), 0);
	pppoe_last_load(dir, &v4, &iid);
	assert_int_equal(v4, 0xc6336402);
	assert_true(iid == 0x1122334455667788ULL);
	/* saving only one keeps the other */
	assert_int_equal(pppoe_last_save(dir, 0xc6336403, 0), 0);
	pppoe_last_load(dir, &v4, &iid);
	assert_int_equal(v4, 0xc6336403);
	assert_true(iid == 0x1122334455667788ULL);
	/* a corrupt file gives zeros, no crash */
	char path[128];
	snprintf(path, sizeof(path), "%s/pppoed.last.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\"ipv4\": 7, \"ipv6_iid\": \"zz\"", f);
	fclose(f);
	pppoe_last_load(dir, &v4, &iid);
	assert_int_equal(v4, 0);
	assert_true(iid == 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_full_session_and_state_doc, setup),
		cmocka_unit_test_setup(test_data_before_network_phase_dropped, setup),
		cmocka_unit_test_setup(test_echo_timeout_reconnects_with_backoff, setup),
		cmocka_unit_test_setup(test_echo_replies_keep_it_up, setup),
		cmocka_unit_test_setup(test_auth_failure_terminates_and_waits_long, setup),
		cmocka_unit_test_setup(test_padt_from_ac, setup),
		cmocka_unit_test_setup(test_peer_terminate_then_padt_keeps_the_first_cause, setup),
		cmocka_unit_test_setup(test_stop_terminate_then_padt, setup),
		cmocka_unit_test_setup(test_stop_without_answer_still_ends, setup),
		cmocka_unit_test_setup(test_reconnect_is_immediate, setup),
		cmocka_unit_test_setup(test_unknown_protocol_rejected_and_disabled_ncp, setup),
		cmocka_unit_test_setup(test_no_ncp_at_all_fails, setup),
		cmocka_unit_test_setup(test_remembered_address_requested, setup),
		cmocka_unit_test_setup(test_more_frames_judged_by_tshark, setup),
		cmocka_unit_test(test_last_file_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
