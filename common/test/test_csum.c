/* Internet checksum against known packets. */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "testutil.h"

static void test_rfc1071_example(void **s)
{
	(void)s;
	/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(hgw_csum_fold(hgw_csum_add(0, b, sizeof(b))), (uint16_t)~0xddf2);
}

static void test_ipv4_header(void **s)
{
	(void)s;
	/* A real IPv4 header (the classic Wikipedia example), checksum b861. */
	uint8_t h[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	assert_int_equal(hgw_csum(h, sizeof(h)), 0xb861);
	h[10] = 0xb8;
	h[11] = 0x61;
	assert_int_equal(hgw_csum(h, sizeof(h)), 0); /* verifying gives zero */
}

static void test_odd_length_and_split(void **s)
{
	(void)s;
	uint8_t b[301];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7 + 3);
	uint16_t whole = hgw_csum(b, sizeof(b));
	uint32_t part = hgw_csum_add(0, b, 100); /* even split points only */
	part = hgw_csum_add(part, b + 100, 201);
	assert_int_equal(hgw_csum_fold(part), whole);
	/* No overflow on long all-ones input (64 KiB of 0xff). */
	static uint8_t ones[65536];
	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(hgw_csum(ones, sizeof(ones)), 0);
}

static void test_udp6_pseudo_header(void **s)
{
	(void)s;
	/* DHCPv6 Solicit-like UDP datagram from fe80::1 to ff02::1:2, checked
	 * by folding the result back in: a correct checksum verifies to 0. */
	struct in6_addr src, dst;
	inet_pton(AF_INET6, "fe80::1", &src);
	inet_pton(AF_INET6, "ff02::1:2", &dst);
	uint8_t udp[12] = { 0x02, 0x22, 0x02, 0x23, 0x00, 0x0c, 0, 0, 0x01, 0x12, 0x34, 0x56 };
	uint32_t sum = hgw_csum_pseudo6(&src, &dst, 17, sizeof(udp));
	uint16_t c = hgw_csum_fold(hgw_csum_add(sum, udp, sizeof(udp)));
	udp[6] = c >> 8;
	udp[7] = c & 0xff;
	sum = hgw_csum_pseudo6(&src, &dst, 17, sizeof(udp));
	assert_int_equal(hgw_csum_fold(hgw_csum_add(sum, udp, sizeof(udp))), 0);
	/* Reference value computed independently (Python, struct/sum). */
	assert_int_equal(c, 0xc8a1);
}

static void test_udp4_pseudo_header(void **s)
{
	(void)s;
	struct in_addr src, dst;
	inet_pton(AF_INET, "0.0.0.0", &src);
	inet_pton(AF_INET, "255.255.255.255", &dst);
	uint8_t udp[10] = { 0x00, 0x44, 0x00, 0x43, 0x00, 0x0a, 0, 0, 0x01, 0x01 };
	uint16_t c = hgw_csum_fold(hgw_csum_add(hgw_csum_pseudo4(&src, &dst, 17, 10), udp, 10));
	assert_int_equal(c, 0xfe52); /* independently computed */
	udp[6] = c >> 8;
	udp[7] = c & 0xff;
	assert_int_equal(hgw_csum_fold(hgw_csum_add(hgw_csum_pseudo4(&src, &dst, 17, 10), udp, 10)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_ipv4_header),
		cmocka_unit_test(test_odd_length_and_split),
		cmocka_unit_test(test_udp6_pseudo_header),
		cmocka_unit_test(test_udp4_pseudo_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
