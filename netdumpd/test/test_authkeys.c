/* authorized_keys parsing: good keys load, everything else is refused
 * with a reason and never crashes or half-loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../authkeys.h"

#define ALICE "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFyBLMQYlmQYQ8sEJXwuLTZW2X+Lpo90sRkrVmgMXGxa"
#define BOB "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM7mFDD/4BFrq1v3IWQKJijyYQHzDDjt2J0u3deJ8qkP"
#define CAROL "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDiZUFzUwzEJ0bav0Bt8zYk88V8Y3IWyJinE9w4WqMnOV+1emcvISWCVZLJ3do4OBrK++df1lwY7mYo17QzRpBA="

static int warnings;
static int last_line;
static void warn(int line, const char *why, void *arg)
{
	(void)why;
	(void)arg;
	warnings++;
	last_line = line;
}

static ssh_key key(const char *line)
{
	char b64[512];
	const char *sp = strchr(line, ' ');
	snprintf(b64, sizeof(b64), "%s", sp + 1);
	char type[64];
	snprintf(type, sizeof(type), "%.*s", (int)(sp - line), line);
	ssh_key k = NULL;
	assert_int_equal(ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &k), SSH_OK);
	return k;
}

static void test_good_file(void **s)
{
	(void)s;
	const char *text = "# admins\n" ALICE " alice@laptop\r\n\n   " CAROL "\n";
	struct authkeys a;
	warnings = 0;
	assert_int_equal(authkeys_parse(&a, text, strlen(text), warn, NULL), 2);
	assert_int_equal(warnings, 0);
	ssh_key alice = key(ALICE), bob = key(BOB), carol = key(CAROL);
	assert_true(authkeys_match(&a, alice));
	assert_true(authkeys_match(&a, carol));
	assert_false(authkeys_match(&a, bob));
	ssh_key_free(alice);
	ssh_key_free(bob);
	ssh_key_free(carol);
	authkeys_free(&a);
}

static void test_refused_lines(void **s)
{
	(void)s;
	const char *text = "from=\"192.0.2.0/24\" " ALICE "\n" /* options: refused */
			   "ssh-ed25519\n"                    /* no key */
			   "ssh-ed25519 AAAA!!!notbase64\n"   /* garbage */
			   "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIFyBLMQYlmQYQ8sEJXwuLTZW2X+Lpo90sRkrVmgMXGxa\n"
			   "banana split\n" BOB "\n";
	struct authkeys a;
	warnings = 0;
	assert_int_equal(authkeys_parse(&a, text, strlen(text), warn, NULL), 1);
	assert_int_equal(a.bad, 5);
	assert_int_equal(warnings, 5);
	ssh_key alice = key(ALICE);
	assert_false(authkeys_match(&a, alice)); /* the restricted key is not let in unrestricted */
	ssh_key_free(alice);
	authkeys_free(&a);
}

static void test_hostile_input(void **s)
{
	(void)s;
	struct authkeys a;
	/* NUL bytes, an endless line, no newline at the end, empty input */
	char nul[] = "ssh-ed25519 AAAA\0AAAA\n" BOB;
	warnings = 0;
	assert_int_equal(authkeys_parse(&a, nul, sizeof(nul) - 1, warn, NULL), 1);
	assert_int_equal(last_line, 1);
	authkeys_free(&a);
	size_t n = 100000;
	char *big = malloc(n);
	memset(big, 'A', n);
	assert_int_equal(authkeys_parse(&a, big, n, warn, NULL), 0);
	assert_int_equal(a.bad, 1);
	free(big);
	assert_int_equal(authkeys_parse(&a, "", 0, warn, NULL), 0);
	assert_int_equal(authkeys_parse(&a, "\n\n\n", 3, NULL, NULL), 0);
	/* more keys than the table holds: the extra ones are refused */
	size_t cap = (AUTHKEYS_MAX + 5) * (sizeof(BOB) + 1) + 1;
	char *many = malloc(cap);
	size_t len = 0;
	for (int i = 0; i < AUTHKEYS_MAX + 5; i++)
		len += (size_t)snprintf(many + len, cap - len, "%s\n", BOB);
	assert_int_equal(authkeys_parse(&a, many, len, NULL, NULL), AUTHKEYS_MAX);
	assert_int_equal(a.bad, 5);
	authkeys_free(&a);
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_refused_lines),
		cmocka_unit_test(test_hostile_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
