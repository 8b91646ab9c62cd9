/* The HAAP name lookup codec. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../dns_aaaa.h"

/* An answer as a resolver sends it: question, a CNAME, then the AAAA,
 * with compressed names. */
static size_t answer(uint8_t *b, uint16_t id, uint16_t rcode)
{
	uint8_t q[64];
	size_t qn = dns_aaaa_query(q, sizeof(q), id, "haap.t-online.de");
	memcpy(b, q, qn);
	b[2] = 0x81;
	b[3] = 0x80 | rcode;
	b[7] = rcode ? 0 : 2; /* ANCOUNT */
	size_t n = qn;
	if (rcode)
		return n;
	static const uint8_t cname[] = { 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 7,
					 4, 'h', 'a', 'a', 'p', 0xc0, 17 };
	memcpy(b + n, cname, sizeof(cname));
	n += sizeof(cname);
	static const uint8_t aaaa[] = { 0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16,
					0x20, 0x03, 0, 6, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	memcpy(b + n, aaaa, sizeof(aaaa));
	return n + sizeof(aaaa);
}

static void test_query_and_answer(void **st)
{
	(void)st;
	uint8_t q[64];
	size_t n = dns_aaaa_query(q, sizeof(q), 0x1234, "haap.t-online.de");
	static const uint8_t want[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
					4, 'h', 'a', 'a', 'p', 8, 't', '-', 'o', 'n', 'l', 'i', 'n', 'e',
					2, 'd', 'e', 0, 0, 28, 0, 1 };
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(q, want, n);
	uint8_t a[256];
	size_t an = answer(a, 0x1234, 0);
	struct in6_addr out, exp;
	inet_pton(AF_INET6, "2003:6:5000::1", &exp);
	assert_int_equal(dns_aaaa_answer(a, an, 0x1234, "haap.t-online.de", &out), 1);
	assert_memory_equal(&out, &exp, 16);
	/* case-insensitive question match */
	assert_int_equal(dns_aaaa_answer(a, an, 0x1234, "HAAP.t-online.DE", &out), 1);
}

static void test_refusals(void **st)
{
	(void)st;
	uint8_t a[256];
	struct in6_addr out;
	size_t an = answer(a, 7, 0);
	assert_int_equal(dns_aaaa_answer(a, an, 8, "haap.t-online.de", &out), -1); /* id */
	assert_int_equal(dns_aaaa_answer(a, an, 7, "evil.example", &out), -1);     /* question */
	for (size_t cut = 0; cut < an; cut++)
		assert_true(dns_aaaa_answer(a, cut, 7, "haap.t-online.de", &out) <= 0);
	an = answer(a, 7, 3); /* NXDOMAIN */
	assert_int_equal(dns_aaaa_answer(a, an, 7, "haap.t-online.de", &out), 0);
	uint8_t q[64];
	assert_int_equal(dns_aaaa_query(q, sizeof(q), 1, ""), 0);
	assert_int_equal(dns_aaaa_query(q, sizeof(q), 1, "a..b"), 0);
	assert_int_equal(dns_aaaa_query(q, 10, 1, "haap.t-online.de"), 0);
	/* a compression loop in an answer name does not hang */
	an = answer(a, 9, 0);
	a[34 + 0] = 0xc0;
	a[34 + 1] = 34;
	assert_true(dns_aaaa_answer(a, an, 9, "haap.t-online.de", &out) <= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_and_answer),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
