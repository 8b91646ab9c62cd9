/* Session commands and AT-dialogue datagrams: what a client or a local
 * process can send, parsed strictly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../atpdu.h"
#include "../command.h"

static int parse(const char *t, struct command *c, char *err)
{
	return command_parse(t, strlen(t), c, err, 256);
}

static void test_commands(void **s)
{
	(void)s;
	struct command c;
	char err[256];
	assert_int_equal(parse("", &c, err), 0);
	assert_int_equal(c.mode, STREAM_ALL);
	assert_string_equal(c.filter, "");
	assert_int_equal(parse("  backlog  ", &c, err), 0);
	assert_int_equal(c.mode, STREAM_BACKLOG);
	assert_string_equal(c.filter, "");
	assert_int_equal(parse("live arp or icmp6", &c, err), 0);
	assert_int_equal(c.mode, STREAM_LIVE);
	assert_string_equal(c.filter, "arp or icmp6");
	assert_int_equal(parse("udp port 67", &c, err), 0);
	assert_int_equal(c.mode, STREAM_ALL);
	assert_string_equal(c.filter, "udp port 67");
	assert_int_equal(parse("all\tpppoed", &c, err), 0);
	assert_string_equal(c.filter, "pppoed");
	/* a word that merely starts like a keyword is a filter */
	assert_int_equal(parse("livestock", &c, err), 0);
	assert_int_equal(c.mode, STREAM_ALL);
	assert_string_equal(c.filter, "livestock");
	assert_int_equal(parse("help", &c, err), 0);
	assert_true(c.help);
}

static void test_bad_commands(void **s)
{
	(void)s;
	struct command c;
	char err[256];
	assert_int_equal(parse("help me", &c, err), -1);
	assert_int_equal(parse("arp\x1b[2J", &c, err), -1);
	assert_non_null(strstr(err, "control character"));
	char *big = malloc(COMMAND_MAX + 2);
	memset(big, 'a', COMMAND_MAX + 1);
	big[COMMAND_MAX + 1] = '\0';
	assert_int_equal(parse(big, &c, err), -1);
	big[COMMAND_MAX] = '\0';
	assert_int_equal(parse(big, &c, err), 0); /* exactly the limit is fine */
	free(big);
	char withnul[] = "arp\0rm -rf /";
	assert_int_equal(command_parse(withnul, sizeof(withnul) - 1, &c, err, sizeof(err)), -1);
}

static void test_at_lines(void **s)
{
	(void)s;
	uint8_t b[1024];
	int out = -1;
	size_t n = atpdu_build((const uint8_t *)"> AT+CGDCONT?", 13, b, sizeof(b), &out);
	assert_int_equal(out, 1);
	/* tag 12 "at" padded to 4, end tag, then the command and CR */
	const uint8_t hdr[] = { 0, 12, 0, 4, 'a', 't', 0, 0, 0, 0, 0, 0 };
	assert_int_equal(n, sizeof(hdr) + 11 + 1);
	assert_memory_equal(b, hdr, sizeof(hdr));
	assert_memory_equal(b + sizeof(hdr), "AT+CGDCONT?\r", 12);
	n = atpdu_build((const uint8_t *)"<OK\r\n", 5, b, sizeof(b), &out);
	assert_int_equal(out, 0);
	assert_memory_equal(b + sizeof(hdr), "\r\nOK\r\n", 6);
	assert_int_equal(n, sizeof(hdr) + 6);
}

static void test_bad_at_datagrams(void **s)
{
	(void)s;
	uint8_t b[2048];
	int out;
	assert_int_equal(atpdu_build((const uint8_t *)"", 0, b, sizeof(b), &out), 0);
	assert_int_equal(atpdu_build((const uint8_t *)">", 1, b, sizeof(b), &out), 0);
	assert_int_equal(atpdu_build((const uint8_t *)"! modem reset", 13, b, sizeof(b), &out), 0);
	assert_int_equal(atpdu_build((const uint8_t *)"> AT\x1b", 5, b, sizeof(b), &out), 0);
	assert_int_equal(atpdu_build((const uint8_t *)"> A\0T", 5, b, sizeof(b), &out), 0);
	uint8_t big[ATPDU_MAX_LINE + 3];
	memset(big, 'A', sizeof(big));
	big[0] = '>';
	assert_int_equal(atpdu_build(big, sizeof(big), b, sizeof(b), &out), 0);
	/* the output buffer too small: nothing, not a partial packet */
	assert_int_equal(atpdu_build((const uint8_t *)"> AT", 4, b, 10, &out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_bad_commands),
		cmocka_unit_test(test_at_lines),
		cmocka_unit_test(test_bad_at_datagrams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
