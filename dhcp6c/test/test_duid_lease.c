/* DUIDs (made, persisted, reloaded), IAIDs, hex, lease files incl. hostile ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* dhcp4c takes whatever DUID dhcp6c keeps instead of replacing it. */
static void test_any_keeps_the_saved_kind(void **st)
{
	(void)st;
	struct d6_duid a, b;
	const uint8_t mac[6] = { 0, 1, 2, 3, 4, 5 };
	assert_int_equal(duid_load_or_create(dir, DUID_LL, 1, mac, 6, 0, &a), 0);
	assert_int_equal(duid_load_or_create(dir, DUID_ANY, 1, NULL, 0, 0, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.b, b.b, a.len);
	assert_int_equal(duid_load_or_create(dir, DUID_LL, 1, mac, 6, 0, &b), 0);
	assert_memory_equal(a.b, b.b, a.len); /* and dhcp6c still finds its own */
	char p[128];
	snprintf(p, sizeof(p), "%s/dhcp6c.duid", dir);
	unlink(p);
	assert_int_equal(duid_load_or_create(dir, DUID_ANY, 1, NULL, 0, 0, &b), 0);
	assert_int_equal(b.b[1], DUID_LLT); /* none saved: an LLT is made */
}

/* dhcp6c and dhcp4c start at the same moment on a fresh data dir: both
 * succeed and both get the one saved DUID, with no temporary files left. */
static void test_concurrent_create(void **st)
{
	(void)st;
	enum { KIDS = 6, ROUNDS = 40 };
	for (int round = 0; round < ROUNDS; round++) {
		char sub[128], cmd[160];
		snprintf(sub, sizeof(sub), "%s/r%d", dir, round);
		assert_int_equal(mkdir(sub, 0700), 0);
		int fds[KIDS];
		pid_t pids[KIDS];
		for (int k = 0; k < KIDS; k++) {
			int pfd[2];
			assert_int_equal(pipe(pfd), 0);
			pids[k] = fork();
			assert_true(pids[k] >= 0);
			if (pids[k] == 0) {
				struct d6_duid d = { 0 };
				int rc = duid_load_or_create(sub, k % 2 ? DUID_ANY : DUID_LLT, 1, NULL, 0,
							     0, &d);
				char out[2 * D6_DUID_MAX + 1] = "FAILED";
				if (rc == 0)
					hex_encode(d.b, d.len, out);
				_exit(write(pfd[1], out, strlen(out) + 1) > 0 ? 0 : 1);
			}
			close(pfd[1]);
			fds[k] = pfd[0];
		}
		char first[2 * D6_DUID_MAX + 2] = "";
		for (int k = 0; k < KIDS; k++) {
			char got[2 * D6_DUID_MAX + 2] = "";
			assert_true(read(fds[k], got, sizeof(got) - 1) > 0);
			close(fds[k]);
			int status;
			assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
			assert_string_not_equal(got, "FAILED");
			if (!k)
				memcpy(first, got, sizeof(first));
			assert_string_equal(got, first);
		}
		snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", sub);
		assert_int_equal(system(cmd), 0); /* dhcp6c.duid and nothing else */
	}
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
		cmocka_unit_test(test_any_keeps_the_saved_kind),
		cmocka_unit_test(test_concurrent_create),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_lease_file),
	};
	return cmocka_run_group_tests(tests, mkdir_tmp, rm_tmp);
}
