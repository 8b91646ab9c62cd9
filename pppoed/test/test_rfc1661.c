/* The RFC 1661 automaton, driven through LCP with scripted peers: normal
 * opening, crossed requests, Naks that converge, Rejects, timeouts, a peer
 * that never answers, terminate both ways, looped-back magic numbers,
 * unknown codes and hostile packets. */
#include <string.h>

#include "../lcp.h"
#include "../ppp_opts.h"
#include "ppptest.h"

struct fx {
	struct pt t;
	struct fsm_proto p;
	struct lcp l;
	struct fsm f;
	uint16_t rejected_proto;
};

static struct fx X;

static void tlu(struct fsm *f) { ((struct pt *)f->owner)->tlu++; }
static void tld(struct fsm *f) { ((struct pt *)f->owner)->tld++; }
static void tls(struct fsm *f) { ((struct pt *)f->owner)->tls++; }
static void tlf(struct fsm *f) { ((struct pt *)f->owner)->tlf++; }
static void prej(void *owner, uint16_t proto) { (void)owner; X.rejected_proto = proto; }

static int setup(void **s)
{
	(void)s;
	pt_quiet();
	memset(&X, 0, sizeof(X));
	pt_init(&X.t);
	X.p = lcp_proto;
	X.p.tlu = tlu;
	X.p.tld = tld;
	X.p.tls = tls;
	X.p.tlf = tlf;
	lcp_init(&X.l, 1492, &X.t.rng.rng);
	X.l.proto_rej = prej;
	fsm_init(&X.f, &X.p, &X.t, &X.l, &X.t.clock.clock, pt_send);
	return 0;
}

static struct pt_sent *last(void) { return X.t.n ? &X.t.sent[X.t.n - 1] : NULL; }

static void input(const uint8_t *p, size_t n) { fsm_input(&X.f, p, n); }

static void peer(uint8_t code, uint8_t id, const char *hex)
{
	uint8_t data[512], pkt[600];
	size_t n = hex ? pt_hex(data, hex) : 0;
	input(pkt, pt_pkt(pkt, code, id, data, n));
}

/* The peer acks exactly what we last requested. */
static void peer_acks_last_request(void)
{
	struct pt_sent *r = NULL;
	for (int i = X.t.n - 1; i >= 0; i--)
		if (X.t.sent[i].pkt[0] == CP_CONF_REQ) {
			r = &X.t.sent[i];
			break;
		}
	assert_non_null(r);
	uint8_t pkt[600];
	memcpy(pkt, r->pkt, r->len);
	pkt[0] = CP_CONF_ACK;
	input(pkt, r->len);
}

static void open_link(void)
{
	fsm_open(&X.f);
	assert_int_equal(X.f.state, FSM_STARTING);
	assert_int_equal(X.t.tls, 1);
	fsm_up(&X.f);
	assert_int_equal(X.f.state, FSM_REQ_SENT);
	assert_int_equal(last()->pkt[0], CP_CONF_REQ);
	/* MRU 1492 and a magic number */
	assert_int_equal(last()->len, 4 + 4 + 6);
	assert_memory_equal(last()->pkt + 4, "\x01\x04\x05\xd4\x05\x06", 6);
	peer(CP_CONF_REQ, 7, "01 04 05 d4 03 05 c2 23 05 05 06 11 22 33 44");
	assert_int_equal(X.f.state, FSM_ACK_SENT);
	assert_int_equal(last()->pkt[0], CP_CONF_ACK);
	assert_int_equal(last()->pkt[1], 7);
	peer_acks_last_request();
	assert_int_equal(X.f.state, FSM_OPENED);
	assert_int_equal(X.t.tlu, 1);
}

static void test_open_normal(void **s)
{
	(void)s;
	open_link();
	assert_int_equal(X.l.peer_mru, 1492);
	assert_int_equal(X.l.auth, PPP_CHAP);
	assert_int_equal(X.l.peer_magic, 0x11223344);
	assert_true(X.f.timer_at == INT64_MAX); /* no restart timer in Opened */
}

static void test_peer_acks_first_then_requests(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	peer_acks_last_request();
	assert_int_equal(X.f.state, FSM_ACK_RCVD);
	peer(CP_CONF_REQ, 1, "05 06 01 02 03 04");
	assert_int_equal(X.f.state, FSM_OPENED);
	assert_int_equal(X.t.tlu, 1);
	assert_int_equal(X.l.auth, 0); /* no authentication asked for */
}

static void test_nak_mru_converges(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	uint8_t id = last()->pkt[1];
	peer(CP_CONF_NAK, id, "01 04 05 78"); /* 1400 */
	assert_int_equal(X.f.state, FSM_REQ_SENT);
	assert_int_equal(last()->pkt[0], CP_CONF_REQ);
	assert_memory_equal(last()->pkt + 4, "\x01\x04\x05\x78", 4);
	assert_int_not_equal(last()->pkt[1], id); /* new identifier */
	peer_acks_last_request();
	peer(CP_CONF_REQ, 2, "");
	assert_int_equal(X.f.state, FSM_OPENED);
	assert_int_equal(X.l.want_mru, 1400);
}

static void test_nak_mru_we_cannot_carry_is_not_taken(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	peer(CP_CONF_NAK, last()->pkt[1], "01 04 05 dc"); /* 1500 > link */
	assert_memory_equal(last()->pkt + 4, "\x01\x04\x05\xd4", 4);
}

static void test_reject_removes_option(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	peer(CP_CONF_REJ, last()->pkt[1], "01 04 05 d4");
	assert_int_equal(last()->pkt[0], CP_CONF_REQ);
	assert_int_equal(last()->len, 4 + 6); /* magic only */
	assert_int_equal(last()->pkt[4], LCP_MAGIC);
}

static void test_reject_of_option_not_sent_is_discarded(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	int n = X.t.n;
	peer(CP_CONF_REJ, last()->pkt[1], "07 02");
	assert_int_equal(X.t.n, n);
	assert_int_equal(X.f.state, FSM_REQ_SENT);
}

static void test_we_nak_big_mru_and_reject_unknown_options(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	peer(CP_CONF_REQ, 3, "01 04 05 dc 05 06 01 02 03 04");
	assert_int_equal(last()->pkt[0], CP_CONF_NAK);
	assert_memory_equal(last()->pkt + 4, "\x01\x04\x05\xd4", 4);
	/* PFC, ACFC and an unknown option: all rejected, Naks withheld */
	peer(CP_CONF_REQ, 4, "01 04 05 dc 07 02 08 02 42 03 00");
	assert_int_equal(last()->pkt[0], CP_CONF_REJ);
	assert_int_equal(last()->pkt[1], 4);
	assert_int_equal(last()->len, 4 + 7);
	assert_memory_equal(last()->pkt + 4, "\x07\x02\x08\x02\x42\x03\x00", 7);
	assert_int_equal(X.f.state, FSM_REQ_SENT);
}

static void test_auth_policy_table(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	/* CHAP with SHA1 (alg 6): Nak with CHAP-MD5 */
	peer(CP_CONF_REQ, 1, "03 05 c2 23 06");
	assert_int_equal(last()->pkt[0], CP_CONF_NAK);
	assert_memory_equal(last()->pkt + 4, "\x03\x05\xc2\x23\x05", 5);
	/* EAP: Nak with CHAP-MD5 too */
	peer(CP_CONF_REQ, 2, "03 04 c2 27");
	assert_memory_equal(last()->pkt + 4, "\x03\x05\xc2\x23\x05", 5);
	/* PAP only allowed: PAP is the counter-proposal */
	X.l.allow_chap = false;
	peer(CP_CONF_REQ, 3, "03 05 c2 23 05");
	assert_int_equal(last()->pkt[0], CP_CONF_NAK);
	assert_memory_equal(last()->pkt + 4, "\x03\x04\xc0\x23", 4);
	peer(CP_CONF_REQ, 4, "03 04 c0 23");
	assert_int_equal(last()->pkt[0], CP_CONF_ACK);
	/* nothing allowed: reject */
	X.l.allow_pap = false;
	peer(CP_CONF_REQ, 5, "03 04 c0 23");
	assert_int_equal(last()->pkt[0], CP_CONF_REJ);
}

static void test_max_failure_turns_naks_into_rejects(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	for (int i = 0; i < 5; i++) {
		peer(CP_CONF_REQ, (uint8_t)(10 + i), "01 04 05 dc");
		assert_int_equal(last()->pkt[0], CP_CONF_NAK);
	}
	peer(CP_CONF_REQ, 20, "01 04 05 dc");
	assert_int_equal(last()->pkt[0], CP_CONF_REJ);
}

static void test_peer_never_answers(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	int reqs = 1;
	for (int i = 0; i < 20 && X.f.state == FSM_REQ_SENT; i++) {
		assert_true(X.f.timer_at != INT64_MAX);
		hgw_fake_clock_advance(&X.t.clock, 3000);
		fsm_timer(&X.f);
		if (X.f.state == FSM_REQ_SENT)
			reqs++;
	}
	/* Max-Configure (10) requests, then TO-: tlf, Stopped (RFC 1661 4.1) */
	assert_int_equal(reqs, 10);
	assert_int_equal(X.t.n, 10);
	assert_int_equal(X.f.state, FSM_STOPPED);
	assert_int_equal(X.t.tlf, 1);
	assert_true(X.f.timer_at == INT64_MAX);
}

static void test_timer_not_due_does_nothing(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	hgw_fake_clock_advance(&X.t.clock, 2999);
	fsm_timer(&X.f);
	assert_int_equal(X.t.n, 1);
}

static void test_close_sends_terminate_until_ack(void **s)
{
	(void)s;
	open_link();
	fsm_close(&X.f, "bye");
	assert_int_equal(X.f.state, FSM_CLOSING);
	assert_int_equal(X.t.tld, 1);
	assert_int_equal(last()->pkt[0], CP_TERM_REQ);
	assert_memory_equal(last()->pkt + 4, "bye", 3);
	peer(CP_TERM_ACK, last()->pkt[1], NULL);
	assert_int_equal(X.f.state, FSM_CLOSED);
	assert_int_equal(X.t.tlf, 1);
}

static void test_close_without_answer_gives_up_after_max_terminate(void **s)
{
	(void)s;
	open_link();
	int n0 = X.t.n;
	fsm_close(&X.f, "");
	for (int i = 0; i < 5 && X.f.state == FSM_CLOSING; i++) {
		hgw_fake_clock_advance(&X.t.clock, 3000);
		fsm_timer(&X.f);
	}
	assert_int_equal(X.t.n - n0, 2); /* Max-Terminate */
	assert_int_equal(X.f.state, FSM_CLOSED);
	assert_int_equal(X.t.tlf, 1);
}

static void test_peer_terminates(void **s)
{
	(void)s;
	open_link();
	peer(CP_TERM_REQ, 9, "73 65 65 20 79 61");
	assert_int_equal(last()->pkt[0], CP_TERM_ACK);
	assert_int_equal(last()->pkt[1], 9);
	assert_int_equal(X.f.state, FSM_STOPPING);
	assert_int_equal(X.t.tld, 1);
	assert_string_equal(X.f.why, "see ya");
	/* zrc: one restart period, then TO- */
	hgw_fake_clock_advance(&X.t.clock, 3000);
	fsm_timer(&X.f);
	assert_int_equal(X.f.state, FSM_STOPPED);
	assert_int_equal(X.t.tlf, 1);
}

static void test_renegotiation_in_opened(void **s)
{
	(void)s;
	open_link();
	peer(CP_CONF_REQ, 30, "01 04 05 dc");
	/* tld, scr, scn: back to Req-Sent with our request and the Nak */
	assert_int_equal(X.t.tld, 1);
	assert_int_equal(X.f.state, FSM_REQ_SENT);
	assert_int_equal(X.t.sent[X.t.n - 2].pkt[0], CP_CONF_REQ);
	assert_int_equal(last()->pkt[0], CP_CONF_NAK);
}

static void test_stale_and_duplicate_acks_are_discarded(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	uint8_t id = last()->pkt[1];
	uint8_t pkt[64];
	memcpy(pkt, last()->pkt, last()->len);
	size_t n = last()->len;
	pkt[0] = CP_CONF_ACK;
	pkt[1] = (uint8_t)(id + 5);
	input(pkt, n);
	assert_int_equal(X.f.state, FSM_REQ_SENT);
	/* Ack with the right id but other contents: invalid */
	pkt[1] = id;
	pkt[n - 1] ^= 1;
	input(pkt, n);
	assert_int_equal(X.f.state, FSM_REQ_SENT);
	pkt[n - 1] ^= 1;
	input(pkt, n);
	assert_int_equal(X.f.state, FSM_ACK_RCVD);
	input(pkt, n); /* duplicate */
	assert_int_equal(X.f.state, FSM_ACK_RCVD);
}

static void test_looped_back_link_detected(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	/* A looped link returns our own request each time. */
	for (int i = 0; i < LCP_MAX_LOOPS; i++) {
		struct pt_sent *r = NULL;
		for (int k = X.t.n - 1; k >= 0; k--)
			if (X.t.sent[k].pkt[0] == CP_CONF_REQ) {
				r = &X.t.sent[k];
				break;
			}
		uint8_t pkt[64];
		memcpy(pkt, r->pkt, r->len);
		input(pkt, r->len);
		assert_int_equal(last()->pkt[0], CP_CONF_NAK);
		/* suggests another magic (not ours, not zero) */
		uint32_t sug = (uint32_t)last()->pkt[6] << 24 | (uint32_t)last()->pkt[7] << 16 |
			       (uint32_t)last()->pkt[8] << 8 | last()->pkt[9];
		assert_true(sug != 0 && sug != X.l.magic);
		/* and the loop sends our Nak back as well: we get a new magic */
		uint32_t before = X.l.magic;
		uint8_t nak[64];
		memcpy(nak, last()->pkt, last()->len);
		nak[1] = X.f.req_id;
		input(nak, last()->len);
		assert_true(X.l.magic != before);
	}
	assert_true(X.l.looped);
}

static void test_zero_magic_is_naked(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	peer(CP_CONF_REQ, 1, "05 06 00 00 00 00");
	assert_int_equal(last()->pkt[0], CP_CONF_NAK);
	assert_int_equal(last()->pkt[4], LCP_MAGIC);
	assert_false(X.l.looped);
}

static void test_echo_request_answered_only_when_opened(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	int n = X.t.n;
	peer(CP_ECHO_REQ, 5, "11 22 33 44 de ad");
	assert_int_equal(X.t.n, n); /* RXR outside Opened: nothing */
	peer_acks_last_request();
	peer(CP_CONF_REQ, 1, "05 06 11 22 33 44");
	assert_int_equal(X.f.state, FSM_OPENED);
	peer(CP_ECHO_REQ, 6, "11 22 33 44 de ad");
	assert_int_equal(last()->pkt[0], CP_ECHO_REP);
	assert_int_equal(last()->pkt[1], 6);
	uint32_t m = (uint32_t)last()->pkt[4] << 24 | (uint32_t)last()->pkt[5] << 16 |
		     (uint32_t)last()->pkt[6] << 8 | last()->pkt[7];
	assert_int_equal(m, X.l.magic);
	assert_memory_equal(last()->pkt + 8, "\xde\xad", 2);
	/* an Echo-Request carrying our own magic: a loop, no reply */
	n = X.t.n;
	uint8_t own[6] = { (uint8_t)(m >> 24), (uint8_t)(m >> 16), (uint8_t)(m >> 8), (uint8_t)m, 0, 0 };
	uint8_t pkt[32];
	input(pkt, pt_pkt(pkt, CP_ECHO_REQ, 7, own, 6));
	assert_int_equal(X.t.n, n);
	assert_int_equal(X.l.loops, 1);
}

static void test_keepalive_counts_missing_replies(void **s)
{
	(void)s;
	X.l.echo_interval_ms = 1000;
	X.l.echo_max_fail = 3;
	open_link();
	int fails = 0, reqs = 0;
	for (int i = 0; i < 10; i++) {
		hgw_fake_clock_advance(&X.t.clock, 1000);
		int n = X.t.n;
		if (lcp_echo_timer(&X.f) < 0) {
			fails = i;
			break;
		}
		if (X.t.n > n) {
			assert_int_equal(last()->pkt[0], CP_ECHO_REQ);
			reqs++;
		}
	}
	assert_int_equal(reqs, 3);
	assert_true(fails > 0);
	/* a reply resets the count */
	X.l.echo_outstanding = 2;
	uint8_t m[4] = { 1, 2, 3, 4 };
	uint8_t pkt[16];
	input(pkt, pt_pkt(pkt, CP_ECHO_REP, X.l.echo_id, m, 4));
	assert_int_equal(X.l.echo_outstanding, 0);
}

static void test_unknown_code_is_code_rejected(void **s)
{
	(void)s;
	open_link();
	peer(0x63, 9, "01 02");
	assert_int_equal(last()->pkt[0], CP_CODE_REJ);
	assert_int_equal(last()->len, 4 + 6);
	assert_memory_equal(last()->pkt + 4, "\x63\x09\x00\x06\x01\x02", 6);
	assert_int_equal(X.f.state, FSM_OPENED);
}

static void test_code_reject_of_config_code_is_fatal(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	peer(CP_CODE_REJ, 1, "01 01 00 04");
	assert_int_equal(X.f.state, FSM_STOPPED);
	assert_int_equal(X.t.tlf, 1);
}

static void test_code_reject_of_echo_is_harmless(void **s)
{
	(void)s;
	open_link();
	peer(CP_CODE_REJ, 1, "09 01 00 08 00 00 00 00");
	assert_int_equal(X.f.state, FSM_OPENED);
}

static void test_protocol_reject(void **s)
{
	(void)s;
	open_link();
	peer(CP_PROTO_REJ, 1, "80 57 01 01 00 04");
	assert_int_equal(X.rejected_proto, 0x8057);
	assert_int_equal(X.f.state, FSM_OPENED);
	peer(CP_PROTO_REJ, 2, "c0 21");
	assert_int_equal(X.f.state, FSM_STOPPING); /* tld, irc, str */
	assert_int_equal(last()->pkt[0], CP_TERM_REQ);
}

static void test_hostile_packets_change_nothing(void **s)
{
	(void)s;
	fsm_open(&X.f);
	fsm_up(&X.f);
	int n = X.t.n;
	static const char *const bad[] = {
		"01",                         /* shorter than the header */
		"01 01 00",                   /* still shorter */
		"01 01 00 03",                /* Length below 4 */
		"01 01 00 ff 01 04",          /* Length past the packet */
		"01 01 00 06 01 00",          /* option length 0 */
		"01 01 00 06 01 01",          /* option length 1 */
		"01 01 00 07 01 04 05",       /* option past the end */
		"02 01 00 08 01 06 00 00",    /* Ack for a stale id, bad option */
		"03 01 00 05 01",             /* truncated Nak option */
		"08 01 00 05 c0",             /* truncated Protocol-Reject */
		"09 01 00 06 00 00",          /* truncated Echo */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t pkt[64];
		size_t len = pt_hex(pkt, bad[i]);
		input(pkt, len);
		assert_int_equal(X.f.state, FSM_REQ_SENT);
	}
	assert_int_equal(X.t.n, n);
}

static void test_names_match_the_rfc(void **s)
{
	(void)s;
	assert_string_equal(fsm_state_name(FSM_REQ_SENT), "Req-Sent");
	assert_string_equal(fsm_state_name(FSM_ACK_RCVD), "Ack-Rcvd");
	assert_string_equal(fsm_event_name(EV_RCR_MINUS), "RCR-");
	assert_string_equal(fsm_event_name(EV_RXJ_PLUS), "RXJ+");
	assert_string_equal(fsm_event_name(EV_TO_MINUS), "TO-");
}

static void test_down_and_up_again(void **s)
{
	(void)s;
	open_link();
	fsm_down(&X.f);
	assert_int_equal(X.f.state, FSM_STARTING);
	assert_int_equal(X.t.tld, 1);
	fsm_up(&X.f);
	assert_int_equal(X.f.state, FSM_REQ_SENT);
	/* a fresh negotiation starts from the link MRU again */
	assert_memory_equal(last()->pkt + 4, "\x01\x04\x05\xd4", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup)
		T(test_open_normal),
		T(test_peer_acks_first_then_requests),
		T(test_nak_mru_converges),
		T(test_nak_mru_we_cannot_carry_is_not_taken),
		T(test_reject_removes_option),
		T(test_reject_of_option_not_sent_is_discarded),
		T(test_we_nak_big_mru_and_reject_unknown_options),
		T(test_auth_policy_table),
		T(test_max_failure_turns_naks_into_rejects),
		T(test_peer_never_answers),
		T(test_timer_not_due_does_nothing),
		T(test_close_sends_terminate_until_ack),
		T(test_close_without_answer_gives_up_after_max_terminate),
		T(test_peer_terminates),
		T(test_renegotiation_in_opened),
		T(test_stale_and_duplicate_acks_are_discarded),
		T(test_looped_back_link_detected),
		T(test_zero_magic_is_naked),
		T(test_echo_request_answered_only_when_opened),
		T(test_keepalive_counts_missing_replies),
		T(test_unknown_code_is_code_rejected),
		T(test_code_reject_of_config_code_is_fatal),
		T(test_code_reject_of_echo_is_harmless),
		T(test_protocol_reject),
		T(test_hostile_packets_change_nothing),
		T(test_names_match_the_rfc),
		T(test_down_and_up_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
