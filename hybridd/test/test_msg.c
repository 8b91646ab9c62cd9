/* RFC 8157 codec against the real Speedport <-> HAAP captures: every
 * control message parses, re-encodes byte for byte, and carries the values
 * tshark shows; our builder reproduces the Speedport's own messages; hostile
 * variants are refused without reading out of bounds. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../rfc8157_msg.h"
#include "caps.h"

static struct cap_pkt lte[400], dsl[400];
static int nlte, ndsl;

static int setup(void **st)
{
	(void)st;
	nlte = cap_load(CAP_LTE, lte, 400);
	ndsl = cap_load(CAP_DSL, dsl, 400);
	return nlte > 0 && ndsl > 0 ? 0 : -1;
}

static const uint8_t *gre_of(const struct cap_pkt *p, size_t *len)
{
	*len = p->f.len;
	return p->f.gre;
}

static void parse_frame(const struct cap_pkt *all, int n, unsigned frame, struct rfc8157_msg *m)
{
	const struct cap_pkt *p = cap_frame(all, n, frame);
	assert_non_null(p);
	size_t len;
	const uint8_t *g = gre_of(p, &len);
	const char *why = NULL;
	assert_int_equal(rfc8157_parse(g, len, RFC8157_PROTO_TELEKOM, RFC8157_PROTO_RFC, m, &why), 0);
}

static void ip6_eq(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;
	assert_int_equal(inet_pton(AF_INET6, s, &b), 1);
	assert_memory_equal(a, &b, 16);
}

/* Every control message in both captures: parse, count, re-encode. */
static void test_all_messages_roundtrip(void **st)
{
	(void)st;
	int counts[16] = { 0 }, total = 0;
	const struct cap_pkt *sets[2] = { lte, dsl };
	int ns[2] = { nlte, ndsl };
	for (int s = 0; s < 2; s++) {
		for (int i = 0; i < ns[s]; i++) {
			size_t len;
			const uint8_t *g = gre_of(&sets[s][i], &len);
			if (!rfc8157_is_control(g, len, RFC8157_PROTO_TELEKOM))
				continue;
			struct rfc8157_msg m;
			const char *why = NULL;
			int r = rfc8157_parse(g, len, RFC8157_PROTO_TELEKOM, RFC8157_PROTO_TELEKOM, &m, &why);
			if (r)
				fail_msg("frame %u: %s", sets[s][i].frame, why);
			assert_int_equal(m.unknown, 0);
			/* every Telekom message ends in the 255 terminator */
			assert_int_equal(m.attrs[m.nattrs - 1].type, A_FIN);
			assert_int_equal(m.ttype, s == 0 ? RFC8157_TT_LTE_TELEKOM : RFC8157_TT_DSL_TELEKOM);
			uint8_t out[2048];
			size_t n = rfc8157_encode(&m, out, sizeof(out));
			assert_int_equal(n, len);
			assert_memory_equal(out, g, len);
			counts[m.type]++;
			total++;
		}
	}
	/* tshark -Y grebonding counts the same: 1 request and 1 accept per
	 * tunnel, Hellos both ways, Notifies */
	assert_int_equal(counts[RFC8157_SETUP_REQUEST], 2);
	assert_int_equal(counts[RFC8157_SETUP_ACCEPT], 2);
	assert_true(counts[RFC8157_HELLO] > 40);
	assert_true(counts[RFC8157_NOTIFY] >= 14);
	print_message("# %d control messages decoded and re-encoded byte-identically\n", total);
}

static void test_lte_request_accept(void **st)
{
	(void)st;
	struct rfc8157_msg m;
	parse_frame(lte, nlte, 22, &m);
	assert_int_equal(m.type, RFC8157_SETUP_REQUEST);
	assert_int_equal(m.key, 0);
	assert_string_equal(m.cin, "Speedport_Hybrid_050124_02_00_012");
	assert_false(rfc8157_has(&m, A_SESSION_ID));
	ip6_eq(&lte[0].f.dst.v6, "2003:6:5000::1"); /* frame 22 is the first GRE frame */

	parse_frame(lte, nlte, 23, &m);
	assert_int_equal(m.type, RFC8157_SETUP_ACCEPT);
	assert_int_equal(m.key, 0x55992a36);
	ip6_eq(&m.h6, "2003:6:5200:100::6");
	assert_int_equal(m.session_id, 34840);
	assert_int_equal(m.bonding_key, 0x55992a36);
	assert_int_equal(m.rtt_threshold, 0);
	assert_int_equal(m.bypass_interval, 10);
	assert_int_equal(m.active_hello, 10);
	assert_int_equal(m.hello_retry, 10);
	assert_int_equal(m.idle_timeout, 86400);
	assert_int_equal(m.rtt_violation, 3);
	assert_int_equal(m.rtt_compliance, 3);
	assert_int_equal(m.idle_hello, 1000);
	assert_int_equal(m.no_traffic, 180);
	assert_true(rfc8157_has(&m, A_TELEKOM_65));
	assert_int_equal(m.telekom65, 0);
}

static void test_filter_list(void **st)
{
	(void)st;
	struct rfc8157_msg m;
	parse_frame(lte, nlte, 40, &m);
	assert_int_equal(m.type, RFC8157_NOTIFY);
	assert_int_equal(m.filter_list_len, 508);
	struct rfc8157_filter_list fl;
	const char *why = NULL;
	assert_int_equal(rfc8157_filter_parse(m.filter_list, m.filter_list_len, &fl, &why), 0);
	assert_int_equal(fl.commit, 1539823369);
	assert_int_equal(fl.packet_sum, 1);
	assert_int_equal(fl.packet_id, 1);
	assert_int_equal(fl.nitems, 14);
	assert_int_equal(fl.items[0].type, F_DSCP);
	assert_string_equal(fl.items[0].desc, "VOICE_RTP");
	assert_string_equal(fl.items[0].value, "46");
	assert_int_equal(fl.items[0].enabled, 1);
	int found_stun = 0, found_aak = 0;
	for (unsigned i = 0; i < fl.nitems; i++) {
		if (fl.items[i].type == F_FQDN && !strcmp(fl.items[i].value, "stun.t-online.de"))
			found_stun = 1;
		if (!strcmp(fl.items[i].value, "46.29.100.40/32:44300"))
			found_aak = fl.items[i].type == F_DST_IP_PORT;
	}
	assert_true(found_stun);
	assert_true(found_aak);

	/* the Speedport's ACK: commit + code 0 */
	parse_frame(lte, nlte, 41, &m);
	assert_true(rfc8157_has(&m, A_FILTER_ACK));
	assert_int_equal(m.filter_ack_commit, 1539823369);
	assert_int_equal(m.filter_ack_code, 0);
}

static void test_hello_and_notify(void **st)
{
	(void)st;
	struct rfc8157_msg m;
	parse_frame(lte, nlte, 82, &m);
	assert_int_equal(m.type, RFC8157_HELLO);
	assert_int_equal(m.ts_sec, 3632);
	assert_int_equal(m.ts_ms, 646);
	ip6_eq(&m.prefix_haap.addr, "2003:6:536b:6f00::");
	assert_int_equal(m.prefix_haap.len, 56);
	struct rfc8157_msg e;
	parse_frame(lte, nlte, 83, &e); /* the echo carries the same timestamp */
	assert_int_equal(e.ts_sec, 3632);
	assert_int_equal(e.ts_ms, 646);

	parse_frame(lte, nlte, 24, &m);
	assert_true(rfc8157_has(&m, A_SWITCH_IDLE));
	parse_frame(lte, nlte, 25, &m);
	assert_true(rfc8157_has(&m, A_PREFIX_TO_HOST));
	assert_int_equal(m.prefix_host.len, 0); /* ::/0 first */
}

static void test_dsl_request_accept(void **st)
{
	(void)st;
	struct rfc8157_msg m;
	parse_frame(dsl, ndsl, 14, &m);
	assert_int_equal(m.type, RFC8157_SETUP_REQUEST);
	assert_int_equal(m.ttype, RFC8157_TT_DSL_TELEKOM);
	assert_int_equal(m.key, 0x55992a36);
	assert_int_equal(m.session_id, 34840);
	assert_int_equal(m.dsl_sync_rate, 73533);
	assert_int_equal(m.dsl_line_type, 3);
	assert_string_equal(m.bras, "MUNJ15");

	parse_frame(dsl, ndsl, 15, &m);
	assert_int_equal(m.type, RFC8157_SETUP_ACCEPT);
	assert_int_equal(m.dsl_up_bw, 28787);
	assert_int_equal(m.dsl_down_bw, 69122);
	assert_int_equal(m.max_reorder, 50);
	assert_int_equal(m.up_burst, 29);
	assert_int_equal(m.rtt_violation, 3);

	parse_frame(dsl, ndsl, 19, &m);
	assert_int_equal(m.bypass_rate, 691);
}

/* Our builder produces the Speedport's bytes for the same content. */
static void test_builder_matches_speedport(void **st)
{
	(void)st;
	uint8_t buf[256];
	size_t len, n;
	const uint8_t *g;

	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	rfc8157_begin(&w, RFC8157_PROTO_TELEKOM, 0, RFC8157_SETUP_REQUEST, RFC8157_TT_LTE_TELEKOM);
	rfc8157_attr_padstr(&w, A_CIN, "Speedport_Hybrid_050124_02_00_012", RFC8157_CIN_LEN);
	n = rfc8157_end(&w, true);
	g = gre_of(cap_frame(lte, nlte, 22), &len);
	assert_int_equal(n, len);
	assert_memory_equal(buf, g, len);

	w = hgw_wr_init(buf, sizeof(buf));
	rfc8157_begin(&w, RFC8157_PROTO_TELEKOM, 0x55992a36, RFC8157_SETUP_REQUEST,
		      RFC8157_TT_DSL_TELEKOM);
	rfc8157_attr_u32(&w, A_SESSION_ID, 34840);
	rfc8157_attr_u32(&w, A_DSL_SYNC_RATE, 73533);
	rfc8157_attr_u32(&w, A_DSL_LINE_TYPE, 3);
	rfc8157_attr_padstr(&w, A_BRAS_NAME, "MUNJ15", RFC8157_BRAS_LEN);
	n = rfc8157_end(&w, true);
	g = gre_of(cap_frame(dsl, ndsl, 14), &len);
	assert_int_equal(n, len);
	assert_memory_equal(buf, g, len);

	/* the ACK with code 0 */
	w = hgw_wr_init(buf, sizeof(buf));
	rfc8157_begin(&w, RFC8157_PROTO_TELEKOM, 0x55992a36, RFC8157_NOTIFY, 0);
	uint8_t ack[5] = { 0x5b, 0xc7, 0xd7, 0x09, 0 };
	rfc8157_attr(&w, A_FILTER_ACK, ack, 5);
	n = rfc8157_end(&w, true);
	g = gre_of(cap_frame(lte, nlte, 41), &len);
	assert_int_equal(n, len);
	assert_memory_equal(buf, g, len);

	/* too small a buffer: 0, no overrun */
	w = hgw_wr_init(buf, 20);
	rfc8157_begin(&w, RFC8157_PROTO_TELEKOM, 0, RFC8157_SETUP_REQUEST, 0);
	rfc8157_attr_padstr(&w, A_CIN, "x", RFC8157_CIN_LEN);
	assert_int_equal(rfc8157_end(&w, true), 0);
}

/* Every truncation of every real message is refused or parses within
 * bounds (ASan in `make check` would catch a read past the end). */
static void test_truncations(void **st)
{
	(void)st;
	int refused = 0;
	for (int i = 0; i < nlte; i++) {
		size_t len;
		const uint8_t *g = gre_of(&lte[i], &len);
		if (!rfc8157_is_control(g, len, RFC8157_PROTO_TELEKOM))
			continue;
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t tmp[2048];
			memcpy(tmp, g, cut);
			struct rfc8157_msg m;
			if (rfc8157_parse(tmp, cut, RFC8157_PROTO_TELEKOM, RFC8157_PROTO_TELEKOM, &m,
					  NULL) < 0)
				refused++;
			else
				/* a cut exactly between attributes is a valid, shorter
				 * message: never the terminator, since it was cut off */
				assert_true(m.nattrs == 0 || m.attrs[m.nattrs - 1].type != A_FIN);
		}
	}
	assert_true(refused > 1000);
}

static void test_hostile(void **st)
{
	(void)st;
	struct rfc8157_msg m;
	const char *why = NULL;
	/* attribute length past the end */
	uint8_t a[] = { 0x20, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0x10, 0x03, 0x00, 0x28, 'x' };
	assert_int_equal(rfc8157_parse(a, sizeof(a), 0x0101, 0x0101, &m, &why), -1);
	assert_string_equal(why, "attribute runs past the end");
	/* sequence bit set: not a control message */
	uint8_t b[] = { 0x30, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0xff, 0, 0 };
	assert_int_equal(rfc8157_parse(b, sizeof(b), 0x0101, 0x0101, &m, &why), -1);
	/* wrong protocol */
	uint8_t c[] = { 0x20, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0x10, 0xff, 0, 0 };
	assert_int_equal(rfc8157_parse(c, sizeof(c), 0x0101, 0xb7ea, &m, &why), -1);
	/* a known fixed-size attribute with the wrong length */
	uint8_t d[] = { 0x20, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0x20, 0x04, 0x00, 0x02, 1, 2 };
	assert_int_equal(rfc8157_parse(d, sizeof(d), 0x0101, 0x0101, &m, &why), -1);
	assert_string_equal(why, "known attribute with a wrong length");
	/* unknown attribute: kept, counted, re-encoded */
	uint8_t e[] = { 0x20, 0x00, 0xb7, 0xea, 0, 0, 0, 7, 0x60, 0x63, 0x00, 0x03, 1, 2, 3, 0xff, 0, 0 };
	assert_int_equal(rfc8157_parse(e, sizeof(e), 0x0101, 0xb7ea, &m, &why), 0);
	assert_int_equal(m.unknown, 1);
	assert_int_equal(m.nattrs, 2);
	assert_int_equal(m.attrs[0].type, 99);
	uint8_t out[64];
	assert_int_equal(rfc8157_encode(&m, out, sizeof(out)), sizeof(e));
	assert_memory_equal(out, e, sizeof(e));
	/* too many attributes */
	uint8_t f[8 + 1 + 3 * 100];
	memcpy(f, e, 9);
	for (int i = 0; i < 100; i++) {
		f[9 + 3 * i] = 11;
		f[10 + 3 * i] = 0;
		f[11 + 3 * i] = 0;
	}
	assert_int_equal(rfc8157_parse(f, sizeof(f), 0x0101, 0xb7ea, &m, &why), -1);
	/* filter list: item length past the end, bad packet id */
	uint8_t fl1[] = { 0, 0, 0, 1, 0, 1, 0, 1, 0, 2, 0, 0x20, 0, 1, 0, 2, 'a' };
	struct rfc8157_filter_list list;
	assert_int_equal(rfc8157_filter_parse(fl1, sizeof(fl1), &list, &why), -1);
	uint8_t fl2[] = { 0, 0, 0, 1, 0, 1, 0, 2 };
	assert_int_equal(rfc8157_filter_parse(fl2, sizeof(fl2), &list, &why), -1);
	/* description length past the item */
	uint8_t fl3[] = { 0, 0, 0, 1, 0, 1, 0, 1, 0, 2, 0, 5, 0, 1, 0, 9, 'a' };
	assert_int_equal(rfc8157_filter_parse(fl3, sizeof(fl3), &list, &why), -1);
	/* names */
	assert_string_equal(rfc8157_error_text(8), "a bonding session with the same user ID already exists");
	assert_string_equal(rfc8157_error_text(999), "unknown error code");
	assert_string_equal(rfc8157_type_name(10), "Link Detection");
}

/* The frame walker: IPv4 outer header on Ethernet, raw IPv6 with a
 * destination-options header (ip6gre's encapsulation limit), junk. */
static void test_frames(void **st)
{
	(void)st;
	uint8_t gre[] = { 0x20, 0, 1, 1, 0, 0, 0, 0, 0x10, 0xff, 0, 0 };
	uint8_t f4[14 + 20 + sizeof(gre)] = { 0 };
	f4[12] = 0x08;
	uint8_t *ip = f4 + 14;
	ip[0] = 0x45;
	ip[3] = 20 + sizeof(gre);
	ip[9] = 47;
	memcpy(ip + 12, "\xc0\x00\x02\x01\xc6\x33\x64\x01", 8);
	memcpy(ip + 20, gre, sizeof(gre));
	struct gre_frame f;
	assert_int_equal(frame_gre(1, f4, sizeof(f4), &f), 0);
	assert_int_equal(f.family, AF_INET);
	assert_int_equal(f.len, sizeof(gre));
	assert_memory_equal(f.gre, gre, sizeof(gre));
	struct rfc8157_msg m;
	assert_int_equal(rfc8157_parse(f.gre, f.len, 0x0101, 0x0101, &m, NULL), 0);
	/* truncated IPv4 total length: the GRE is cut, never read past */
	ip[3] = 20 + 4;
	assert_int_equal(frame_gre(1, f4, sizeof(f4), &f), 0);
	assert_int_equal(f.len, 4);

	uint8_t f6[40 + 8 + sizeof(gre)] = { 0 };
	f6[0] = 0x60;
	f6[5] = 8 + sizeof(gre);
	f6[6] = 60; /* destination options */
	f6[40] = 47;
	f6[41] = 0;
	memcpy(f6 + 48, gre, sizeof(gre));
	assert_int_equal(frame_gre(12, f6, sizeof(f6), &f), 0);
	assert_int_equal(f.family, AF_INET6);
	assert_memory_equal(f.gre, gre, sizeof(gre));
	/* not GRE, unknown link type, empty */
	f6[40] = 17;
	assert_int_equal(frame_gre(12, f6, sizeof(f6), &f), -1);
	assert_int_equal(frame_gre(999, f6, sizeof(f6), &f), -1);
	assert_int_equal(frame_gre(12, f6, 0, &f), -1);
	assert_int_equal(frame_gre(1, f4, 10, &f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_messages_roundtrip),
		cmocka_unit_test(test_lte_request_accept),
		cmocka_unit_test(test_filter_list),
		cmocka_unit_test(test_hello_and_notify),
		cmocka_unit_test(test_dsl_request_accept),
		cmocka_unit_test(test_builder_matches_speedport),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_frames),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
