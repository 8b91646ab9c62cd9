/* PPPoE discovery: codec round trips, hostile packets, and the client's
 * PADI backoff, AC selection, PADR retries, error tags and PADT. */
#include <string.h>

#include "../rfc2516.h"
#include "../rfc2516_client.h"
#include "ppptest.h"

static const uint8_t AC1[6] = { 0x02, 0, 0, 0, 0, 0xa1 };
static const uint8_t AC2[6] = { 0x02, 0, 0, 0, 0, 0xa2 };

static struct pt T;
static struct pd D;
static struct pd_config C;

static int setup(void **s)
{
	(void)s;
	pt_quiet();
	pt_init(&T);
	memset(&C, 0, sizeof(C));
	C.ac_name = "";
	C.service = "";
	C.padi_initial_ms = 1000;
	C.padi_max_ms = 8000;
	C.padr_timeout_ms = 2000;
	C.padr_tries = 3;
	pd_init(&D, &C, &T.clock.clock, &T.rng.rng);
	return 0;
}

static void test_codec_round_trip(void **s)
{
	(void)s;
	struct pppoe_tags t;
	memset(&t, 0, sizeof(t));
	t.has_service = true;
	strcpy(t.service, "internet");
	t.has_ac_name = true;
	strcpy(t.ac_name, "BRAS-1");
	t.host_uniq = (struct pppoe_blob){ true, 4, { 1, 2, 3, 4 } };
	t.cookie = (struct pppoe_blob){ true, 3, { 9, 9, 9 } };
	t.relay = (struct pppoe_blob){ true, 2, { 7, 7 } };
	t.max_payload = 1500;
	uint8_t buf[256];
	size_t n = pppoe_disc_build(buf, sizeof(buf), PPPOE_PADR, 0, &t);
	/* header 6 + svc 12 + ac 10 + hu 8 + cookie 7 + relay 6 + maxp 6 */
	assert_int_equal(n, 6 + 12 + 10 + 8 + 7 + 6 + 6);
	assert_memory_equal(buf, "\x11\x19\x00\x00\x00\x31", 6);
	assert_memory_equal(buf + 6, "\x01\x01\x00\x08internet", 12);
	struct pppoe_disc d;
	const char *why;
	assert_int_equal(pppoe_disc_parse(buf, n, &d, &why), 0);
	assert_int_equal(d.code, PPPOE_PADR);
	assert_string_equal(d.t.service, "internet");
	assert_string_equal(d.t.ac_name, "BRAS-1");
	assert_int_equal(d.t.host_uniq.len, 4);
	assert_memory_equal(d.t.cookie.b, "\x09\x09\x09", 3);
	assert_memory_equal(d.t.relay.b, "\x07\x07", 2);
	assert_int_equal(d.t.max_payload, 1500);
	/* Ethernet padding after the PPPoE length is ignored */
	memset(buf + n, 0xee, 20);
	assert_int_equal(pppoe_disc_parse(buf, n + 20, &d, &why), 0);
	assert_int_equal(d.t.max_payload, 1500);
}

static void test_session_header(void **s)
{
	(void)s;
	uint8_t f[16];
	pppoe_sess_header(f, 0x1234, 6);
	memcpy(f + 6, "\xc0\x21\x09\x01\x00\x04", 6);
	uint16_t sid;
	const uint8_t *ppp;
	size_t n;
	const char *why;
	assert_int_equal(pppoe_sess_parse(f, 12, &sid, &ppp, &n, &why), 0);
	assert_int_equal(sid, 0x1234);
	assert_int_equal(n, 6);
	assert_ptr_equal(ppp, f + 6);
	assert_int_equal(pppoe_sess_parse(f, 11, &sid, &ppp, &n, &why), -1);
	f[0] = 0x21;
	assert_int_equal(pppoe_sess_parse(f, 12, &sid, &ppp, &n, &why), -1);
}

static void test_hostile_discovery_packets(void **s)
{
	(void)s;
	static const char *const bad[] = {
		"11 07 00",                               /* truncated header */
		"11 07 00 00 00 08 01 01",                /* length past the frame */
		"11 07 00 00 00 06 01 02 00 09 41 42",    /* tag length past the payload */
		"11 07 00 00 00 03 01 02 00",             /* truncated tag header */
		"21 07 00 00 00 00",                      /* version 2 */
		"11 07 00 00 00 05 01 20 00 01 05",       /* PPP-Max-Payload of 1 byte */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t p[64];
		size_t n = pt_hex(p, bad[i]);
		struct pppoe_disc d;
		const char *why = NULL;
		assert_int_equal(pppoe_disc_parse(p, n, &d, &why), -1);
		assert_non_null(why);
	}
	/* a cookie longer than we keep: refused, not cut */
	uint8_t big[6 + 4 + 200];
	memcpy(big, "\x11\x07\x00\x00\x00\xcc\x01\x04\x00\xc8", 10);
	memset(big + 10, 0x55, 200);
	struct pppoe_disc d;
	const char *why;
	assert_int_equal(pppoe_disc_parse(big, sizeof(big), &d, &why), -1);
	/* End-Of-List stops parsing; garbage after it is ignored */
	uint8_t eol[32];
	size_t n = pt_hex(eol, "11 07 00 00 00 08 00 00 00 00 ff ff ff ff");
	assert_int_equal(pppoe_disc_parse(eol, n, &d, &why), 0);
	/* control characters in names are neutralised */
	n = pt_hex(eol, "11 07 00 00 00 07 01 02 00 03 41 0a 42");
	assert_int_equal(pppoe_disc_parse(eol, n, &d, &why), 0);
	assert_string_equal(d.t.ac_name, "A?B");
}

/* Builds a PADO/PADS from an AC with our Host-Uniq (from the last PADI). */
static size_t offer(uint8_t *buf, uint8_t code, uint16_t sid, const char *ac, const char *svc,
		    bool cookie, uint16_t error_tag, const char *error)
{
	struct pppoe_disc last;
	const char *why;
	assert_int_equal(pppoe_disc_parse(D.tx, D.tx_len, &last, &why), 0);
	struct pppoe_tags t;
	memset(&t, 0, sizeof(t));
	t.has_service = true;
	strcpy(t.service, svc);
	if (ac) {
		t.has_ac_name = true;
		strcpy(t.ac_name, ac);
	}
	t.host_uniq = last.t.host_uniq;
	if (cookie)
		t.cookie = (struct pppoe_blob){ true, 4, { 0xc0, 0x0c, 0x1e, 0x55 } };
	t.relay = (struct pppoe_blob){ true, 3, { 'r', 'l', 'y' } };
	t.error_tag = error_tag;
	if (error)
		strcpy(t.error, error);
	return pppoe_disc_build(buf, 1500, code, sid, &t);
}

static void test_padi_exponential_backoff(void **s)
{
	(void)s;
	pd_start(&D);
	assert_int_equal(D.state, PD_PADI_SENT);
	assert_memory_equal(D.tx_dst, "\xff\xff\xff\xff\xff\xff", 6);
	int64_t start = hgw_now_ms(&T.clock.clock), prev = start;
	int64_t gaps[6];
	for (int i = 0; i < 6; i++) {
		int64_t at = pd_next_timer(&D);
		gaps[i] = at - prev;
		hgw_fake_clock_advance(&T.clock, at - hgw_now_ms(&T.clock.clock));
		prev = at;
		pd_timer(&D);
	}
	/* 1 s, 2 s, 4 s, 8 s, 8 s, 8 s, each +-10 % */
	const int64_t want[6] = { 1000, 2000, 4000, 8000, 8000, 8000 };
	for (int i = 0; i < 6; i++) {
		assert_true(gaps[i] >= want[i] * 9 / 10);
		assert_true(gaps[i] <= want[i] * 11 / 10);
	}
	assert_int_equal(D.padi_sent, 7);
}

static void test_selects_ac_by_name_and_service(void **s)
{
	(void)s;
	C.ac_name = "BRAS-2";
	C.service = "internet";
	pd_init(&D, &C, &T.clock.clock, &T.rng.rng);
	pd_start(&D);
	uint8_t p[1500];
	size_t n = offer(p, PPPOE_PADO, 0, "BRAS-1", "internet", true, 0, NULL);
	pd_recv(&D, AC1, p, n);
	assert_int_equal(D.state, PD_PADI_SENT);
	assert_non_null(strstr(D.note, "AC-Name does not match"));
	n = offer(p, PPPOE_PADO, 0, "BRAS-2", "voip", true, 0, NULL);
	pd_recv(&D, AC2, p, n);
	assert_int_equal(D.state, PD_PADI_SENT);
	assert_non_null(strstr(D.note, "service"));
	n = offer(p, PPPOE_PADO, 0, "BRAS-2", "internet", true, 0, NULL);
	D.tx_len = 0;
	pd_recv(&D, AC2, p, n);
	assert_int_equal(D.state, PD_PADR_SENT);
	assert_memory_equal(D.tx_dst, AC2, 6);
	/* the PADR echoes cookie and relay id, asks for the service */
	struct pppoe_disc r;
	const char *why;
	assert_int_equal(pppoe_disc_parse(D.tx, D.tx_len, &r, &why), 0);
	assert_int_equal(r.code, PPPOE_PADR);
	assert_string_equal(r.t.service, "internet");
	assert_memory_equal(r.t.cookie.b, "\xc0\x0c\x1e\x55", 4);
	assert_memory_equal(r.t.relay.b, "rly", 3);
	assert_true(r.t.host_uniq.present);
}

static void test_pado_not_ours_or_bad_is_ignored(void **s)
{
	(void)s;
	pd_start(&D);
	uint8_t p[1500];
	size_t n = offer(p, PPPOE_PADO, 0, "BRAS", "", true, 0, NULL);
	p[n - 1] ^= 0xff; /* last byte: relay... make Host-Uniq wrong instead */
	struct pppoe_tags t;
	memset(&t, 0, sizeof(t));
	t.has_service = true;
	t.has_ac_name = true;
	strcpy(t.ac_name, "BRAS");
	t.host_uniq = (struct pppoe_blob){ true, 8, { 1, 2, 3, 4, 5, 6, 7, 8 } };
	n = pppoe_disc_build(p, sizeof(p), PPPOE_PADO, 0, &t);
	pd_recv(&D, AC1, p, n);
	assert_int_equal(D.state, PD_PADI_SENT);
	/* no AC-Name */
	n = offer(p, PPPOE_PADO, 0, NULL, "", true, 0, NULL);
	pd_recv(&D, AC1, p, n);
	assert_int_equal(D.state, PD_PADI_SENT);
	/* non-zero session id in a PADO */
	n = offer(p, PPPOE_PADO, 5, "BRAS", "", true, 0, NULL);
	pd_recv(&D, AC1, p, n);
	assert_int_equal(D.state, PD_PADI_SENT);
	/* PADS while waiting for offers */
	n = offer(p, PPPOE_PADS, 5, "BRAS", "", true, 0, NULL);
	assert_int_equal(pd_recv(&D, AC1, p, n), PD_EV_NONE);
	assert_int_equal(D.pado_ignored, 3);
}

static void go_padr(void)
{
	pd_start(&D);
	uint8_t p[1500];
	size_t n = offer(p, PPPOE_PADO, 0, "BRAS", "", true, 0, NULL);
	pd_recv(&D, AC1, p, n);
	assert_int_equal(D.state, PD_PADR_SENT);
}

static void test_padr_retries_then_padi(void **s)
{
	(void)s;
	go_padr();
	int padrs = 1;
	for (int i = 0; i < 3; i++) {
		hgw_fake_clock_advance(&T.clock, 2000);
		pd_timer(&D);
		if (D.state == PD_PADR_SENT)
			padrs++;
	}
	assert_int_equal(padrs, 3);
	assert_int_equal(D.state, PD_PADI_SENT);
	assert_memory_equal(D.tx_dst, "\xff\xff\xff\xff\xff\xff", 6);
	assert_non_null(strstr(D.note, "no PADS"));
}

static void test_pads_gives_session_and_padt_ends_it(void **s)
{
	(void)s;
	C.max_payload = 1500;
	pd_init(&D, &C, &T.clock.clock, &T.rng.rng);
	go_padr();
	struct pppoe_disc r;
	const char *why;
	assert_int_equal(pppoe_disc_parse(D.tx, D.tx_len, &r, &why), 0);
	assert_int_equal(r.t.max_payload, 1500); /* RFC 4638 asked for */
	uint8_t p[1500];
	struct pppoe_tags t;
	memset(&t, 0, sizeof(t));
	t.has_service = true;
	t.host_uniq = r.t.host_uniq;
	t.max_payload = 1500;
	size_t n = pppoe_disc_build(p, sizeof(p), PPPOE_PADS, 0x0042, &t);
	/* from another MAC: not our AC */
	assert_int_equal(pd_recv(&D, AC2, p, n), PD_EV_NONE);
	assert_int_equal(pd_recv(&D, AC1, p, n), PD_EV_SESSION);
	assert_int_equal(D.sid, 0x42);
	assert_int_equal(D.max_payload, 1500);
	assert_true(pd_next_timer(&D) == INT64_MAX);
	/* PADT for another session id or from another MAC: ignored */
	memset(&t, 0, sizeof(t));
	n = pppoe_disc_build(p, sizeof(p), PPPOE_PADT, 0x0043, &t);
	assert_int_equal(pd_recv(&D, AC1, p, n), PD_EV_NONE);
	n = pppoe_disc_build(p, sizeof(p), PPPOE_PADT, 0x0042, &t);
	assert_int_equal(pd_recv(&D, AC2, p, n), PD_EV_NONE);
	assert_int_equal(pd_recv(&D, AC1, p, n), PD_EV_PADT);
	assert_int_equal(D.state, PD_IDLE);
}

static void test_stop_sends_padt_for_the_session(void **s)
{
	(void)s;
	go_padr();
	struct pppoe_disc r;
	const char *why;
	pppoe_disc_parse(D.tx, D.tx_len, &r, &why);
	uint8_t p[1500];
	struct pppoe_tags t;
	memset(&t, 0, sizeof(t));
	t.has_service = true;
	t.host_uniq = r.t.host_uniq;
	size_t n = pppoe_disc_build(p, sizeof(p), PPPOE_PADS, 7, &t);
	assert_int_equal(pd_recv(&D, AC1, p, n), PD_EV_SESSION);
	D.tx_len = 0;
	pd_stop(&D);
	assert_true(D.tx_len > 0);
	assert_memory_equal(D.tx_dst, AC1, 6);
	assert_int_equal(pppoe_disc_parse(D.tx, D.tx_len, &r, &why), 0);
	assert_int_equal(r.code, PPPOE_PADT);
	assert_int_equal(r.sid, 7);
	assert_memory_equal(r.t.relay.b, "rly", 3); /* Relay-Session-Id echoed */
	/* no session: no PADT */
	D.tx_len = 0;
	pd_stop(&D);
	assert_int_equal(D.tx_len, 0);
}

static void test_pads_with_error_tag_back_to_padi(void **s)
{
	(void)s;
	go_padr();
	uint8_t p[1500];
	size_t n = offer(p, PPPOE_PADS, 0, "BRAS", "", false, PPPOE_TAG_AC_SYSTEM_ERROR, "full");
	assert_int_equal(pd_recv(&D, AC1, p, n), PD_EV_ERROR);
	assert_int_equal(D.state, PD_PADI_SENT);
	assert_non_null(strstr(D.note, "AC-System-Error: full"));
	/* the next PADI waits (backoff), it is not sent at once */
	assert_true(pd_next_timer(&D) > hgw_now_ms(&T.clock.clock));
}

static void test_pado_with_service_name_error_ignored(void **s)
{
	(void)s;
	pd_start(&D);
	uint8_t p[1500];
	size_t n = offer(p, PPPOE_PADO, 0, "BRAS", "", true, PPPOE_TAG_SERVICE_NAME_ERROR, "nope");
	pd_recv(&D, AC1, p, n);
	assert_int_equal(D.state, PD_PADI_SENT);
	assert_non_null(strstr(D.note, "nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_codec_round_trip, setup),
		cmocka_unit_test_setup(test_session_header, setup),
		cmocka_unit_test_setup(test_hostile_discovery_packets, setup),
		cmocka_unit_test_setup(test_padi_exponential_backoff, setup),
		cmocka_unit_test_setup(test_selects_ac_by_name_and_service, setup),
		cmocka_unit_test_setup(test_pado_not_ours_or_bad_is_ignored, setup),
		cmocka_unit_test_setup(test_padr_retries_then_padi, setup),
		cmocka_unit_test_setup(test_pads_gives_session_and_padt_ends_it, setup),
		cmocka_unit_test_setup(test_stop_sends_padt_for_the_session, setup),
		cmocka_unit_test_setup(test_pads_with_error_tag_back_to_padi, setup),
		cmocka_unit_test_setup(test_pado_with_service_name_error_ignored, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
