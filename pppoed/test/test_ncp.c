/* IPCP (RFC 1332/1877) and IPv6CP (RFC 5072) policies through the
 * automaton: addresses and DNS from Naks, rejects, identifier collisions. */
#include <string.h>

#include "../ipcp.h"
#include "ppptest.h"

static struct pt T;
static struct fsm F;
static struct fsm_proto P;
static struct ipcp I4;
static struct ipv6cp I6;

static void tlu(struct fsm *f) { ((struct pt *)f->owner)->tlu++; }
static void tlf(struct fsm *f) { ((struct pt *)f->owner)->tlf++; }
static void nop(struct fsm *f) { (void)f; }

static void start(const struct fsm_proto *base, void *st)
{
	pt_quiet();
	pt_init(&T);
	P = *base;
	P.tlu = tlu;
	P.tlf = tlf;
	P.tld = P.tls = nop;
	fsm_init(&F, &P, &T, st, &T.clock.clock, pt_send);
	fsm_open(&F);
	fsm_up(&F);
}

static struct pt_sent *last(void) { return &T.sent[T.n - 1]; }

static void peer(uint8_t code, uint8_t id, const char *hex)
{
	uint8_t d[256], p[300];
	size_t n = pt_hex(d, hex);
	fsm_input(&F, p, pt_pkt(p, code, id, d, n));
}

static void ack_last_req(void)
{
	uint8_t p[300];
	memcpy(p, last()->pkt, last()->len);
	p[0] = CP_CONF_ACK;
	fsm_input(&F, p, last()->len);
}

static void test_ipcp_address_and_dns_from_nak(void **s)
{
	(void)s;
	memset(&I4, 0, sizeof(I4));
	I4.ask_dns = true;
	start(&ipcp_proto, &I4);
	assert_int_equal(last()->len, 4 + 18);
	peer(CP_CONF_NAK, last()->pkt[1], "03 06 c0 00 02 07 81 06 c0 00 02 35 83 06 c0 00 02 36");
	assert_memory_equal(last()->pkt + 4, "\x03\x06\xc0\x00\x02\x07\x81\x06\xc0\x00\x02\x35", 12);
	ack_last_req();
	peer(CP_CONF_REQ, 1, "03 06 c0 00 02 01");
	assert_int_equal(last()->pkt[0], CP_CONF_ACK);
	assert_int_equal(F.state, FSM_OPENED);
	assert_int_equal(I4.addr, 0xc0000207);
	assert_int_equal(I4.peer, 0xc0000201);
	assert_int_equal(I4.dns[0], 0xc0000235);
	assert_int_equal(I4.dns[1], 0xc0000236);
}

static void test_ipcp_dns_rejected_stops_asking(void **s)
{
	(void)s;
	memset(&I4, 0, sizeof(I4));
	I4.ask_dns = true;
	start(&ipcp_proto, &I4);
	peer(CP_CONF_REJ, last()->pkt[1], "81 06 00 00 00 00 83 06 00 00 00 00");
	assert_int_equal(last()->len, 4 + 6);
	assert_int_equal(last()->pkt[4], IPCP_ADDR);
	/* rejecting what we never asked: discarded */
	int n = T.n;
	peer(CP_CONF_REJ, last()->pkt[1], "02 06 00 2d 0f 01");
	assert_int_equal(T.n, n);
}

static void test_ipcp_peer_without_address_and_vj_rejected(void **s)
{
	(void)s;
	memset(&I4, 0, sizeof(I4));
	start(&ipcp_proto, &I4);
	peer(CP_CONF_REQ, 1, "03 06 00 00 00 00 02 06 00 2d 0f 01");
	assert_int_equal(last()->pkt[0], CP_CONF_REJ);
	assert_int_equal(last()->len, 4 + 12);
}

static void test_ipcp_remembered_address_asked_first(void **s)
{
	(void)s;
	memset(&I4, 0, sizeof(I4));
	I4.hint = 0xc6336402;
	start(&ipcp_proto, &I4);
	assert_memory_equal(last()->pkt + 4, "\x03\x06\xc6\x33\x64\x02", 6);
}

static void test_ipv6cp_identifiers(void **s)
{
	(void)s;
	memset(&I6, 0, sizeof(I6));
	I6.rng = &T.rng.rng;
	I6.hint = 0x1111222233334444ULL;
	start(&ipv6cp_proto, &I6);
	assert_memory_equal(last()->pkt + 4, "\x01\x0a\x11\x11\x22\x22\x33\x33\x44\x44", 10);
	/* the peer uses our identifier: Nak with another */
	peer(CP_CONF_REQ, 1, "01 0a 11 11 22 22 33 33 44 44");
	assert_int_equal(last()->pkt[0], CP_CONF_NAK);
	assert_memory_not_equal(last()->pkt + 6, "\x11\x11\x22\x22\x33\x33\x44\x44", 8);
	/* zero: Nak too */
	peer(CP_CONF_REQ, 2, "01 0a 00 00 00 00 00 00 00 00");
	assert_int_equal(last()->pkt[0], CP_CONF_NAK);
	peer(CP_CONF_REQ, 3, "01 0a 02 00 00 00 00 00 00 01");
	assert_int_equal(last()->pkt[0], CP_CONF_ACK);
	assert_true(I6.peer_iid == 0x0200000000000001ULL);
	/* the peer suggests its own identifier for us: refuse, pick random */
	uint8_t id = 0;
	for (int i = T.n - 1; i >= 0; i--)
		if (T.sent[i].pkt[0] == CP_CONF_REQ) {
			id = T.sent[i].pkt[1];
			break;
		}
	peer(CP_CONF_NAK, id, "01 0a 02 00 00 00 00 00 00 01");
	assert_int_equal(last()->pkt[0], CP_CONF_REQ);
	assert_memory_not_equal(last()->pkt + 6, "\x02\x00\x00\x00\x00\x00\x00\x01", 8);
	ack_last_req();
	assert_int_equal(F.state, FSM_OPENED);
	assert_true(I6.iid != 0 && I6.iid != I6.peer_iid);
}

static void test_ipv6cp_bad_option_length_rejected(void **s)
{
	(void)s;
	memset(&I6, 0, sizeof(I6));
	I6.rng = &T.rng.rng;
	start(&ipv6cp_proto, &I6);
	peer(CP_CONF_REQ, 1, "01 06 00 00 00 01 02 04 00 2d");
	assert_int_equal(last()->pkt[0], CP_CONF_REJ);
	assert_int_equal(last()->len, 4 + 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipcp_address_and_dns_from_nak),
		cmocka_unit_test(test_ipcp_dns_rejected_stops_asking),
		cmocka_unit_test(test_ipcp_peer_without_address_and_vj_rejected),
		cmocka_unit_test(test_ipcp_remembered_address_asked_first),
		cmocka_unit_test(test_ipv6cp_identifiers),
		cmocka_unit_test(test_ipv6cp_bad_option_length_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
