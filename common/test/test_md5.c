/* MD5 and HMAC-MD5 against the RFCs' own test vectors. */
#include <stdio.h>
#include <string.h>

#include "md5.h"
#include "testutil.h"

static void hex(const uint8_t d[16], char out[33])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_rfc1321_suite(void **s)
{
	(void)s;
	static const char *const v[][2] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		  "57edf4a22be3c955ac49da2e2107b67a" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t d[16];
		char h[33];
		hgw_md5(v[i][0], strlen(v[i][0]), d);
		hex(d, h);
		assert_string_equal(h, v[i][1]);
		/* The same fed in uneven pieces through the streaming API. */
		struct hgw_md5 m;
		hgw_md5_init(&m);
		for (size_t off = 0; off < strlen(v[i][0]); off += 7) {
			size_t n = strlen(v[i][0]) - off < 7 ? strlen(v[i][0]) - off : 7;
			hgw_md5_update(&m, v[i][0] + off, n);
		}
		hgw_md5_final(&m, d);
		hex(d, h);
		assert_string_equal(h, v[i][1]);
	}
}

static void test_rfc2104_hmac(void **s)
{
	(void)s;
	uint8_t k[16], d[16];
	char h[33];
	memset(k, 0x0b, sizeof(k));
	hgw_hmac_md5(k, 16, "Hi There", 8, d);
	hex(d, h);
	assert_string_equal(h, "9294727a3638bb1c13f48ef8158bfc9d");
	hgw_hmac_md5((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, d);
	hex(d, h);
	assert_string_equal(h, "750c783e6ab0b503eaa86e310a5db738");
	/* Keys longer than a block are hashed first (RFC 2202 test 6). */
	uint8_t big[80];
	memset(big, 0xaa, sizeof(big));
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	hgw_hmac_md5(big, sizeof(big), msg, strlen(msg), d);
	hex(d, h);
	assert_string_equal(h, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1321_suite),
		cmocka_unit_test(test_rfc2104_hmac),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
