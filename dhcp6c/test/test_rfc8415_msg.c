/* DHCPv6 codec: real captures (fiber7, Telekom in-tunnel), round trips,
 * hostile packets. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../rfc8415_msg.h"
#include "pcaputil.h"
#include "pkt.h"
#include "testutil6.h"

#define CAP "../shared/captures/"
static const uint16_t ports6[] = { 546, 547, 0 };
static struct udp_pl pl[64];

static int load(const char *file)
{
	int n = pcap_udp_payloads(file, ports6, pl, 64);
	if (n < 0) {
		print_message("capture %s missing\n", file);
		skip();
	}
	return n;
}

static void addr_eq(const struct in6_addr *a, const char *s)
{
	char b[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, a, b, sizeof(b));
	assert_string_equal(b, s);
}

static void test_fiber7_2019(void **st)
{
	(void)st;
	int n = load(CAP "fiber7/dhcp6-fiber7-2019-12-02.pcap");
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		struct d6_msg m;
		const char *why = NULL;
		assert_int_equal(d6_parse(pl[i].data, pl[i].len, &m, &why), 0);
		assert_int_equal(m.type, i == 0 ? D6_ADVERTISE : D6_REPLY);
		assert_int_equal(m.xid, 0x49b48c);
		assert_true(m.has_client_id && m.has_server_id);
		assert_int_equal(m.client_id.len, 12);
		assert_int_equal(m.server_id.len, 14);
		assert_true(m.ia_na.present);
		assert_int_equal(m.ia_na.iaid, 0xb94c0c92);
		assert_int_equal(m.ia_na.t1, 1000);
		assert_int_equal(m.ia_na.t2, 2000);
		assert_int_equal(m.ia_na.n, 1);
		addr_eq(&m.ia_na.l[0].addr, "2a02:168:2000:5::1f");
		assert_int_equal(m.ia_na.l[0].preferred, 3000);
		assert_int_equal(m.ia_na.l[0].valid, 4000);
		assert_int_equal(m.ia_pd.iaid, 1);
		assert_int_equal(m.ia_pd.n, 1);
		addr_eq(&m.ia_pd.l[0].addr, "2a02:168:4bf3::");
		assert_int_equal(m.ia_pd.l[0].plen, 48);
		assert_int_equal(m.n_dns, 2);
		addr_eq(&m.dns[0], "2001:1620:2777:1::10");
		addr_eq(&m.dns[1], "2001:1620:2777:2::20");
		assert_int_equal(m.status, D6S_NONE);
	}
}

static void test_fiber7_with_status(void **st)
{
	(void)st;
	int n = load(CAP "fiber7/dhcp6-fiber7.pcap");
	assert_int_equal(n, 2);
	struct d6_msg m;
	assert_int_equal(d6_parse(pl[0].data, pl[0].len, &m, NULL), 0);
	assert_int_equal(m.type, D6_ADVERTISE);
	assert_int_equal(m.xid, 0x48e59e);
	assert_int_equal(m.ia_na.status, D6S_SUCCESS);
	assert_int_equal(m.ia_pd.status, D6S_SUCCESS);
	addr_eq(&m.ia_na.l[0].addr, "2a02:168:2000:5:add7:17aa:9163:8ef3");
	assert_int_equal(m.ia_na.l[0].valid, 86400);
	addr_eq(&m.ia_pd.l[0].addr, "2a02:168:4a00::");
	assert_int_equal(m.ia_pd.t1, 1200);
	assert_int_equal(m.preference, 0);
	assert_int_equal(m.n_dns, 2);
	assert_int_equal(d6_parse(pl[1].data, pl[1].len, &m, NULL), 0);
	assert_int_equal(m.type, D6_REPLY);
}

/* Telekom hybrid, LTE side: DHCPv6 inside the GRE bonding tunnel. */
static void test_speedport_lte_tunnel(void **st)
{
	(void)st;
	int n = load(CAP "speedport-ltefirst/rmnet0.pcap");
	assert_int_equal(n, 4);
	static const uint8_t cid[] = { 0x00, 0x01, 0x02, 0x00, 0x23, 0xbb, 0x45, 0x62,
				       0x06, 0x02, 0x1f, 0xff, 0xfe, 0x13, 0x7c, 0x56 };
	const int types[] = { D6_SOLICIT, D6_ADVERTISE, D6_REQUEST, D6_REPLY };
	for (int i = 0; i < 4; i++) {
		struct d6_msg m;
		assert_int_equal(d6_parse(pl[i].data, pl[i].len, &m, NULL), 0);
		assert_int_equal(m.type, types[i]);
		assert_int_equal(m.client_id.len, sizeof(cid));
		assert_memory_equal(m.client_id.b, cid, sizeof(cid));
		assert_true(m.ia_pd.present);
		assert_int_equal(m.ia_pd.iaid, 0x00c8b9ce);
		if (types[i] == D6_ADVERTISE || types[i] == D6_REPLY) {
			assert_int_equal(m.xid, types[i] == D6_ADVERTISE ? 0xa0d326 : 0x0e92ca);
			assert_int_equal(m.ia_pd.t1, 86400);
			assert_int_equal(m.ia_pd.t2, 138240);
			assert_int_equal(m.ia_pd.n, 1);
			addr_eq(&m.ia_pd.l[0].addr, "2003:6:536b:6f00::");
			assert_int_equal(m.ia_pd.l[0].plen, 56);
			assert_int_equal(m.ia_pd.l[0].preferred, 172800);
			assert_int_equal(m.ia_pd.l[0].valid, 259200);
			assert_int_equal(m.ia_pd.status, D6S_SUCCESS);
			assert_int_equal(m.server_id.len, 14);
		}
		if (types[i] == D6_ADVERTISE)
			assert_int_equal(m.preference, 255);
		if (types[i] == D6_SOLICIT)
			assert_int_equal(m.ia_pd.n, 0);
	}
}

/* DSL side: Rapid Commit Reply from a Juniper server (DUID-EN). */
static void test_speedport_dsl_rapid_commit(void **st)
{
	(void)st;
	int n = load(CAP "speedport-ltefirst/ppp256.pcap");
	assert_int_equal(n, 2);
	struct d6_msg m;
	assert_int_equal(d6_parse(pl[1].data, pl[1].len, &m, NULL), 0);
	assert_int_equal(m.type, D6_REPLY);
	assert_true(m.rapid_commit);
	assert_int_equal(m.server_id.len, 26);
	assert_int_equal(m.server_id.b[1], 2); /* DUID-EN */
	assert_int_equal(m.ia_pd.iaid, 0xe3);
	assert_int_equal(m.ia_pd.t1, 900);
	assert_int_equal(m.ia_pd.t2, 1440);
	addr_eq(&m.ia_pd.l[0].addr, "2003:c1:c3ce:3900::");
	assert_int_equal(m.ia_pd.l[0].valid, 14400);
	assert_int_equal(m.n_dns, 2);
	addr_eq(&m.dns[1], "2003:180:2:9000::53");
	assert_int_equal(d6_parse(pl[0].data, pl[0].len, &m, NULL), 0);
	assert_int_equal(m.type, D6_SOLICIT);
	assert_true(m.rapid_commit);
}

/* Every truncation of every captured message either parses or fails
 * cleanly (ASan/UBSan builds make "cleanly" strict). */
static void test_truncations(void **st)
{
	(void)st;
	const char *files[] = { CAP "fiber7/dhcp6-fiber7.pcap", CAP "speedport-ltefirst/rmnet0.pcap",
				CAP "speedport-ltefirst/ppp256.pcap" };
	int total = 0, failed = 0;
	for (size_t f = 0; f < 3; f++) {
		int n = load(files[f]);
		for (int i = 0; i < n; i++) {
			for (size_t l = 0; l < pl[i].len; l++) {
				uint8_t *copy = malloc(l ? l : 1); /* exact size: ASan sees overreads */
				memcpy(copy, pl[i].data, l);
				struct d6_msg m;
				const char *why = NULL;
				if (d6_parse(copy, l, &m, &why) < 0) {
					assert_non_null(why);
					failed++;
				}
				total++;
				free(copy);
			}
		}
	}
	assert_true(failed > total / 2); /* most cuts land inside an option */
}

static void test_hostile(void **st)
{
	(void)st;
	struct sbuf s;
	struct d6_msg m;
	const char *why;
	/* option length past the end */
	s_hdr(&s, D6_REPLY, 1);
	s_u16(&s, 23);
	s_u16(&s, 200);
	s_u32(&s, 0);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), -1);
	assert_string_equal(why, "option runs past the end");
	/* relay message type and type 0 */
	s_hdr(&s, 12, 1);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), -1);
	s_hdr(&s, 0, 1);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), -1);
	/* DUID longer than 130 */
	s_hdr(&s, D6_REPLY, 1);
	uint8_t big[200] = { 0, 1 };
	s_opt(&s, D6O_SERVERID, big, sizeof(big));
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), -1);
	/* T1 > T2: the IA is dropped, the message still parses */
	s_hdr(&s, D6_REPLY, 1);
	s_ia_pd(&s, 1, 500, 100, "2001:db8::", 56, 1000, 2000);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), 0);
	assert_false(m.ia_pd.present);
	/* preferred > valid: prefix dropped */
	s_hdr(&s, D6_REPLY, 1);
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 56, 3000, 2000);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), 0);
	assert_true(m.ia_pd.present);
	assert_int_equal(m.ia_pd.n, 0);
	/* prefix length 129 */
	s_hdr(&s, D6_REPLY, 1);
	s_ia_pd(&s, 1, 0, 0, "2001:db8::", 129, 1, 2);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), -1);
	/* IA shorter than its 12 fixed bytes */
	s_hdr(&s, D6_REPLY, 1);
	s_opt(&s, D6O_IA_PD, big, 8);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), -1);
	/* a sub-option overrunning its IA */
	s_hdr(&s, D6_REPLY, 1);
	s_u16(&s, D6O_IA_NA);
	s_u16(&s, 16);
	s_u32(&s, 1);
	s_u32(&s, 0);
	s_u32(&s, 0);
	s_u16(&s, D6O_IAADDR);
	s_u16(&s, 24);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), -1);
	/* domain names: compression pointer, control chars, over-long label */
	s_hdr(&s, D6_REPLY, 1);
	uint8_t dn[] = { 3, 'f', 'o', 'o', 0xc0, 0x0c };
	s_opt(&s, D6O_DOMAIN_LIST, dn, sizeof(dn));
	uint8_t af[] = { 2, 'a', '\n', 0 };
	s_opt(&s, D6O_AFTR_NAME, af, sizeof(af));
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), 0);
	assert_int_equal(m.n_domains, 0);
	assert_string_equal(m.aftr, "");
	/* more than the kept number of DNS servers and raw options: capped */
	s_hdr(&s, D6_REPLY, 1);
	uint8_t many[16 * 20] = { 0 };
	s_opt(&s, D6O_DNS_SERVERS, many, sizeof(many));
	for (int i = 0; i < 40; i++)
		s_opt(&s, 201, many, 4);
	assert_int_equal(d6_parse(s.b, s.n, &m, &why), 0);
	assert_int_equal(m.n_dns, D6_MAX_SERVERS);
	assert_int_equal(m.n_raw, D6_MAX_VENDOR);
	/* header only */
	assert_int_equal(d6_parse(s.b, 3, &m, &why), -1);
	assert_int_equal(d6_parse(s.b, 4, &m, &why), 0);
}

static void test_options_decoded(void **st)
{
	(void)st;
	struct sbuf s;
	struct d6_msg m;
	s_hdr(&s, D6_REPLY, 0xabcdef);
	struct hgw_wr w;
	uint8_t name[300];
	w = hgw_wr_init(name, sizeof(name));
	assert_true(d6_write_name(&w, "aftr.example.net"));
	s_opt(&s, D6O_AFTR_NAME, name, (uint16_t)hgw_wr_len(&w));
	w = hgw_wr_init(name, sizeof(name));
	d6_write_name(&w, "example.net");
	d6_write_name(&w, "lan");
	s_opt(&s, D6O_DOMAIN_LIST, name, (uint16_t)hgw_wr_len(&w));
	struct in6_addr a;
	inet_pton(AF_INET6, "2001:db8::123", &a);
	uint8_t ntp[20] = { 0, 1, 0, 16 };
	memcpy(ntp + 4, &a, 16);
	s_opt(&s, D6O_NTP_SERVER, ntp, sizeof(ntp));
	uint8_t v[] = { 0xde, 0xad };
	s_opt(&s, 202, v, 2);
	uint8_t rt[4] = { 0, 0, 0x0e, 0x10 };
	s_opt(&s, D6O_SOL_MAX_RT, rt, 4);
	assert_int_equal(d6_parse(s.b, s.n, &m, NULL), 0);
	assert_int_equal(m.xid, 0xabcdef);
	assert_string_equal(m.aftr, "aftr.example.net");
	assert_int_equal(m.n_domains, 2);
	assert_string_equal(m.domains[1], "lan");
	assert_int_equal(m.n_ntp, 1);
	addr_eq(&m.ntp[0], "2001:db8::123");
	assert_int_equal(m.n_raw, 1);
	assert_int_equal(m.raw[0].code, 202);
	assert_int_equal(m.raw[0].len, 2);
	assert_int_equal(m.sol_max_rt, 3600);
}

/* Build every client message and read it back. */
static void test_round_trip(void **st)
{
	(void)st;
	struct d6_duid cid = { 10, { 0, 3, 0, 1, 2, 0, 0, 0, 0, 1 } };
	struct d6_duid sid = { 4, { 0, 2, 9, 9 } };
	struct d6_ia pd = { .present = true, .n = 1 };
	inet_pton(AF_INET6, "2001:db8:100::", &pd.l[0].addr);
	pd.l[0].plen = 56;
	uint16_t oro[] = { 23, 24 };
	const uint8_t types[] = { D6_SOLICIT, D6_REQUEST, D6_RENEW, D6_REBIND, D6_RELEASE,
				  D6_INFORMATION_REQUEST };
	for (size_t i = 0; i < sizeof(types); i++) {
		struct d6_req r = { .type = types[i], .xid = 0x123456, .client_id = &cid,
				    .server_id = types[i] == D6_REQUEST || types[i] == D6_RENEW ||
							 types[i] == D6_RELEASE ? &sid : NULL,
				    .elapsed_cs = 77, .rapid_commit = types[i] == D6_SOLICIT,
				    .ia_pd = types[i] != D6_INFORMATION_REQUEST, .pd_iaid = 42,
				    .pd = &pd, .ia_na = types[i] == D6_SOLICIT, .na_iaid = 42,
				    .oro = oro, .n_oro = 2 };
		uint8_t buf[512];
		size_t n = d6_build(&r, buf, sizeof(buf));
		assert_true(n > 4);
		struct d6_msg m;
		assert_int_equal(d6_parse(buf, n, &m, NULL), 0);
		assert_int_equal(m.type, types[i]);
		assert_int_equal(m.xid, 0x123456);
		assert_int_equal(m.client_id.len, cid.len);
		assert_int_equal(m.has_server_id, r.server_id != NULL);
		assert_int_equal(m.rapid_commit, types[i] == D6_SOLICIT);
		assert_int_equal(m.ia_pd.present, r.ia_pd);
		if (r.ia_pd) {
			assert_int_equal(m.ia_pd.iaid, 42);
			assert_int_equal(m.ia_pd.n, 1);
			assert_int_equal(m.ia_pd.l[0].plen, 56);
		}
		assert_int_equal(m.ia_na.present, r.ia_na);
		/* too small a buffer: 0, never an overflow */
		assert_int_equal(d6_build(&r, buf, 20), 0);
	}
	/* prefix-length hint without a prefix */
	struct d6_req r = { .type = D6_SOLICIT, .client_id = &cid, .ia_pd = true, .pd_hint_len = 56 };
	uint8_t buf[256];
	size_t n = d6_build(&r, buf, sizeof(buf));
	struct d6_msg m;
	assert_int_equal(d6_parse(buf, n, &m, NULL), 0);
	/* lifetimes 0/0: the parser keeps it (preferred <= valid) */
	assert_int_equal(m.ia_pd.n, 1);
	assert_int_equal(m.ia_pd.l[0].plen, 56);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fiber7_2019),
		cmocka_unit_test(test_fiber7_with_status),
		cmocka_unit_test(test_speedport_lte_tunnel),
		cmocka_unit_test(test_speedport_dsl_rapid_commit),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_options_decoded),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
