/* DUIDs (made, persisted, reloaded), IAIDs, hex, lease files incl. hostile ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../duid.h"
#include "../lease.h"
#include "log.h"

static char dir[64];

static int mkdir_tmp(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/hgw-duid-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int rm_tmp(void **st)
{
	(void)st;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_make(void **st)
{
	(void)st;
	struct hgw_fake_rng rng;
	hgw_fake_rng_init(&rng, 3);
	const uint8_t mac[6] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct d6_duid d;
	duid_make(&d, DUID_LLT, 1, mac, 6, 946684800 + 0x01020304, 0, &rng.rng);
	const uint8_t llt[] = { 0, 1, 0, 1, 1, 2, 3, 4, 0, 0x11, 0x22, 0x33, 0x44, 0x55 };
	assert_int_equal(d.len, sizeof(llt));
	assert_memory_equal(d.b, llt, sizeof(llt));
	duid_make(&d, DUID_LL, 1, mac, 6, 0, 0, &rng.rng);
	assert_int_equal(d.len, 10);
	assert_int_equal(d.b[1], 3);
	duid_make(&d, DUID_EN, 0, NULL, 0, 0, 2011, &rng.rng);
	assert_int_equal(d.len, 14);
	assert_int_equal(d.b[5], 0xdb);
	duid_make(&d, DUID_UUID, 0, NULL, 0, 0, 0, &rng.rng);
	assert_int_equal(d.len, 18);
	assert_int_equal(d.b[2 + 6] >> 4, 4); /* version 4 */
	/* LL on a link without a MAC: a random locally administered one */
	duid_make(&d, DUID_LL, 0, NULL, 0, 0, 0, &rng.rng);
	assert_int_equal(d.len, 10);
	assert_int_equal(d.b[4] & 3, 2);
	assert_int_equal(duid_type_parse("uuid"), DUID_UUID);
	assert_int_equal(duid_type_parse("mac"), 0);
	assert_int_equal(iaid_for("tun-hybrid"), iaid_for("tun-hybrid"));
	assert_true(iaid_for("eth0") != iaid_for("eth1"));
}

static void test_persist(void **st)
{
	(void)st;
	struct d6_duid a, b;
	const uint8_t mac[6] = { 0, 1, 2, 3, 4, 5 };
	assert_int_equal(duid_load_or_create(dir, DUID_LL, 1, mac, 6, 0, &a), 0);
	assert_int_equal(duid_load_or_create(dir, DUID_LL, 1, NULL, 0, 0, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.b, b.b, a.len); /* stable across restarts */
	assert_int_equal(duid_load_or_create(dir, DUID_UUID, 1, NULL, 0, 0, &b), 0);
	assert_int_equal(b.b[1], DUID_UUID);  /* type changed: a new one */
	/* a garbage file is replaced */
	char p[128];
	snprintf(p, sizeof(p), "%s/dhcp6c.duid", dir);
	FILE *f = fopen(p, "w");
	fputs("not hex at all", f);
	fclose(f);
	assert_int_equal(duid_load_or_create(dir, DUID_LLT, 1, mac, 6, 0, &b), 0);
	assert_int_equal(b.b[1], DUID_LLT);
}

static void test_hex(void **st)
{
	(void)st;
	uint8_t out[4];
	char s[9];
	hex_encode((const uint8_t *)"\x01\xab\xff\x00", 4, s);
	assert_string_equal(s, "01abff00");
	assert_int_equal(hex_decode("01:AB:ff:00", out, 4), 4);
	assert_int_equal(out[1], 0xab);
	assert_int_equal(hex_decode("0", out, 4), -1);
	assert_int_equal(hex_decode("0g", out, 4), -1);
	assert_int_equal(hex_decode("0102030405", out, 4), -1); /* overflow */
}

static void test_lease_file(void **st)
{
	(void)st;
	uint8_t pkt[300], back[300];
	for (int i = 0; i < 300; i++)
		pkt[i] = (uint8_t)i;
	assert_int_equal(lease_save(dir, "dhcp6.x.lease", "dhcp6c", pkt, 300, 1700000000), 0);
	int64_t ob = 0;
	assert_int_equal(lease_load(dir, "dhcp6.x.lease", back, sizeof(back), &ob), 300);
	assert_memory_equal(pkt, back, 300);
	assert_int_equal(ob, 1700000000);
	assert_int_equal(lease_load(dir, "absent.lease", back, sizeof(back), &ob), 0);
	/* too small a buffer, hostile contents */
	assert_int_equal(lease_load(dir, "dhcp6.x.lease", back, 10, &ob), -1);
	const char *bad[] = { "{", "[]", "{\"packet\": 5, \"obtained\": 1}",
			      "{\"packet\": \"zz\", \"obtained\": 1}", "{\"packet\": \"0102\"}" };
	char p[128];
	snprintf(p, sizeof(p), "%s/bad.lease", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(p, "w");
		fputs(bad[i], f);
		fclose(f);
		assert_int_equal(lease_load(dir, "bad.lease", back, sizeof(back), &ob), -1);
	}
	/* oversized file */
	FILE *f = fopen(p, "w");
	for (int i = 0; i < 10000; i++)
		fputc(' ', f);
	fclose(f);
	assert_int_equal(lease_load(dir, "bad.lease", back, sizeof(back), &ob), -1);
	assert_int_equal(lease_remove(dir, "dhcp6.x.lease"), 0);
	assert_int_equal(lease_load(dir, "dhcp6.x.lease", back, sizeof(back), &ob), 0);
}

int main(void)
{
	hgw_log_init("test", HGW_LOG_ERR, false);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_persist),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_lease_file),
	};
	return cmocka_run_group_tests(tests, mkdir_tmp, rm_tmp);
}
