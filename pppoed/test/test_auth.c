/* MD5 (RFC 1321 vectors), CHAP-MD5 (RFC 1994) and PAP (RFC 1334) as the
 * authenticatee, including hostile packets. */
#include <stdio.h>
#include <string.h>

#include "../auth.h"
#include "../lcp.h"
#include "md5.h"
#include "ppptest.h"

static void hex16(const uint8_t d[16], char out[33])
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void md5_of(const void *p, size_t n, char out[33])
{
	struct hgw_md5 m;
	uint8_t d[16];
	hgw_md5_init(&m);
	hgw_md5_update(&m, p, n);
	hgw_md5_final(&m, d);
	hex16(d, out);
}

static void test_md5_rfc1321_vectors(void **s)
{
	(void)s;
	char h[33];
	md5_of("", 0, h);
	assert_string_equal(h, "d41d8cd98f00b204e9800998ecf8427e");
	md5_of("abc", 3, h);
	assert_string_equal(h, "900150983cd24fb0d6963f7d28e17f72");
	md5_of("message digest", 14, h);
	assert_string_equal(h, "f96b697d7cb7938d525a2f31aaf161d0");
	const char *n80 = "12345678901234567890123456789012345678901234567890123456789012345678901234567890";
	md5_of(n80, 80, h);
	assert_string_equal(h, "57edf4a22be3c955ac49da2e2107b67a");
	/* padding edges: 55, 56, 64 bytes */
	char a[1000];
	memset(a, 'a', sizeof(a));
	md5_of(a, 55, h);
	assert_string_equal(h, "ef1772b6dff9a122358552954ad0df65");
	md5_of(a, 56, h);
	assert_string_equal(h, "3b0c8ac703f828b04c6c197006d17218");
	md5_of(a, 64, h);
	assert_string_equal(h, "014842d480b571495a4a0363793f7367");
	/* fed in odd pieces */
	struct hgw_md5 m;
	uint8_t d[16];
	hgw_md5_init(&m);
	for (size_t off = 0; off < 1000; off += 7)
		hgw_md5_update(&m, a + off, off + 7 <= 1000 ? 7 : 1000 - off);
	hgw_md5_final(&m, d);
	hex16(d, h);
	assert_string_equal(h, "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

static struct pt T;
static struct auth A;

static int setup(void **s)
{
	(void)s;
	pt_quiet();
	pt_init(&T);
	memset(&A, 0, sizeof(A));
	A.user = "alice";
	A.secret = "s3cret";
	A.clock = &T.clock.clock;
	A.owner = &T;
	A.send = pt_send;
	A.restart_ms = 3000;
	A.max_tries = 3;
	return 0;
}

static void in(const char *hex)
{
	uint8_t p[600];
	size_t n = pt_hex(p, hex);
	auth_input(&A, p, n);
}

static void test_chap_response_and_success(void **s)
{
	(void)s;
	auth_start(&A, PPP_CHAP);
	assert_int_equal(T.n, 0); /* the authenticator speaks first */
	assert_int_equal(A.result, AUTH_PENDING);
	/* Challenge id 0x2a, 16 bytes 00..0f, name "AC" */
	in("01 2a 00 17 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 41 43");
	assert_int_equal(T.n, 1);
	struct pt_sent *r = &T.sent[0];
	assert_int_equal(r->proto, PPP_CHAP);
	assert_int_equal(r->pkt[0], 2);
	assert_int_equal(r->pkt[1], 0x2a);
	assert_int_equal(r->len, 4 + 1 + 16 + 5);
	assert_int_equal(r->pkt[3], r->len);
	assert_int_equal(r->pkt[4], 16);
	char h[33];
	hex16(r->pkt + 5, h);
	/* MD5(0x2a || "s3cret" || challenge), computed independently */
	assert_string_equal(h, "b0d90921e9950abd1a7e76dc7a01bc64");
	assert_memory_equal(r->pkt + 21, "alice", 5);
	in("03 2a 00 0a 57 65 6c 63 6f 6d");
	assert_int_equal(A.result, AUTH_OK);
	assert_string_equal(A.message, "Welcom");
}

static void test_chap_failure_keeps_message(void **s)
{
	(void)s;
	auth_start(&A, PPP_CHAP);
	in("01 01 00 09 04 aa bb cc dd");
	in("04 01 00 0d 42 61 64 20 70 61 73 73 0a");
	assert_int_equal(A.result, AUTH_FAILED);
	assert_string_equal(A.message, "Bad pass?"); /* newline neutralised */
}

static void test_chap_unsolicited_success_ignored(void **s)
{
	(void)s;
	auth_start(&A, PPP_CHAP);
	in("03 01 00 04");
	assert_int_equal(A.result, AUTH_PENDING);
}

static void test_chap_hostile(void **s)
{
	(void)s;
	auth_start(&A, PPP_CHAP);
	static const char *const bad[] = {
		"01",                     /* short header */
		"01 01 00 02",            /* Length < 4 */
		"01 01 00 20 04 aa",      /* Length past the packet */
		"01 01 00 06 10 aa",      /* value size past the end */
		"01 01 00 05 00",         /* empty challenge */
		"09 01 00 04",            /* unknown code */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		in(bad[i]);
	assert_int_equal(T.n, 0);
	assert_int_equal(A.result, AUTH_PENDING);
}

static void test_pap_request_retransmit_and_ack(void **s)
{
	(void)s;
	auth_start(&A, PPP_PAP);
	assert_int_equal(T.n, 1);
	struct pt_sent *r = &T.sent[0];
	assert_int_equal(r->proto, PPP_PAP);
	assert_int_equal(r->len, 4 + 1 + 5 + 1 + 6);
	assert_memory_equal(r->pkt + 4, "\x05" "alice" "\x06" "s3cret", 13);
	uint8_t id1 = r->pkt[1];
	hgw_fake_clock_advance(&T.clock, 3000);
	auth_timer(&A);
	assert_int_equal(T.n, 2);
	uint8_t id2 = T.sent[1].pkt[1];
	assert_int_not_equal(id1, id2);
	/* an Ack for the old identifier is not an answer to this one */
	char hex[64];
	snprintf(hex, sizeof(hex), "02 %02x 00 05 00", id1);
	in(hex);
	assert_int_equal(A.result, AUTH_PENDING);
	snprintf(hex, sizeof(hex), "02 %02x 00 07 02 6f 6b", id2);
	in(hex);
	assert_int_equal(A.result, AUTH_OK);
	assert_string_equal(A.message, "ok");
}

static void test_pap_nak_and_give_up(void **s)
{
	(void)s;
	auth_start(&A, PPP_PAP);
	char hex[64];
	snprintf(hex, sizeof(hex), "03 %02x 00 08 03 6e 6f 21", T.sent[0].pkt[1]);
	in(hex);
	assert_int_equal(A.result, AUTH_FAILED);
	assert_string_equal(A.message, "no!");
	/* no answer at all: give up after max_tries */
	setup(NULL);
	auth_start(&A, PPP_PAP);
	for (int i = 0; i < 5; i++) {
		hgw_fake_clock_advance(&T.clock, 3000);
		auth_timer(&A);
	}
	assert_int_equal(T.n, 3);
	assert_int_equal(A.result, AUTH_FAILED);
	assert_non_null(strstr(A.message, "no answer"));
}

static void test_pap_message_length_lies(void **s)
{
	(void)s;
	auth_start(&A, PPP_PAP);
	char hex[64];
	snprintf(hex, sizeof(hex), "02 %02x 00 06 ff 41", T.sent[0].pkt[1]);
	in(hex); /* msg-length 255 but 1 byte: take what is there */
	assert_int_equal(A.result, AUTH_OK);
	assert_string_equal(A.message, "A");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_rfc1321_vectors),
		cmocka_unit_test_setup(test_chap_response_and_success, setup),
		cmocka_unit_test_setup(test_chap_failure_keeps_message, setup),
		cmocka_unit_test_setup(test_chap_unsolicited_success_ignored, setup),
		cmocka_unit_test_setup(test_chap_hostile, setup),
		cmocka_unit_test_setup(test_pap_request_retransmit_and_ack, setup),
		cmocka_unit_test_setup(test_pap_nak_and_give_up, setup),
		cmocka_unit_test_setup(test_pap_message_length_lies, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
