/* The AT engine with a fake port and a fake clock: framing, echo, final
 * result codes, URCs anywhere, split reads, timeouts, hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../at_engine.h"

struct port {
	char sent[4096];
	size_t sent_len;
	int fail_writes;
	char urcs[64][AT_LINE_MAX];
	int nurc;
	int ndone;
	struct at_response last;
	/* a command to send from inside done() */
	const char *chain;
	struct at_engine *e;
};

static int p_write(void *arg, const char *buf, size_t len)
{
	struct port *p = arg;
	if (p->fail_writes)
		return -1;
	if (p->sent_len + len < sizeof(p->sent)) {
		memcpy(p->sent + p->sent_len, buf, len);
		p->sent_len += len;
		p->sent[p->sent_len] = 0;
	}
	return 0;
}

static void p_urc(void *arg, const char *line)
{
	struct port *p = arg;
	if (p->nurc < 64)
		snprintf(p->urcs[p->nurc++], AT_LINE_MAX, "%s", line);
}

static void p_done(void *arg, const struct at_response *r)
{
	struct port *p = arg;
	p->ndone++;
	p->last = *r;
	if (p->chain) {
		const char *c = p->chain;
		p->chain = NULL;
		assert_int_equal(at_engine_send(p->e, c, "", 1000, false, p_done, p), 0);
	}
}

static struct hgw_fake_clock clk;
static struct port port;
static struct at_engine eng;

static int setup(void **s)
{
	(void)s;
	memset(&port, 0, sizeof(port));
	hgw_fake_clock_init(&clk, 1700000000);
	struct at_engine_ops ops = { p_write, p_urc, NULL, &port };
	at_engine_init(&eng, &clk.clock, &ops);
	port.e = &eng;
	return 0;
}

static void feed(const char *s)
{
	at_engine_feed(&eng, s, strlen(s));
}

/* one byte per read(): the worst split there is */
static void feed_bytewise(const char *s)
{
	for (; *s; s++)
		at_engine_feed(&eng, s, 1);
}

static void test_simple_ok_with_echo(void **s)
{
	(void)s;
	assert_int_equal(at_engine_send(&eng, "AT+CGMI", "+CGMI:", 1000, false, p_done, &port), 0);
	assert_string_equal(port.sent, "AT+CGMI\r");
	assert_true(at_engine_busy(&eng));
	/* one in flight: a second command is refused */
	assert_int_equal(at_engine_send(&eng, "AT", "", 1000, false, p_done, &port), -1);
	feed("AT+CGMI\r\r\nhuawei\r\n\r\nOK\r\n");
	assert_int_equal(port.ndone, 1);
	assert_int_equal(port.last.result, AT_OK);
	assert_int_equal(port.last.nlines, 1);
	assert_string_equal(port.last.line[0], "huawei");
	assert_false(at_engine_busy(&eng));
}

static void test_split_reads_and_urcs_mid_response(void **s)
{
	(void)s;
	at_engine_send(&eng, "AT+CGCONTRDP=1", "+CGCONTRDP:", 1000, false, p_done, &port);
	feed_bytewise("\r\n+CGCONTRDP: 1,5,\"a\"\r\n\r\n^RSSI: 20\r\n\r\n+CEREG: 1\r\n"
		      "\r\n+CGCONTRDP: 1,5,\"b\"\r\n\r\n+QIND: \"csq\",20,99\r\n\r\nOK\r\n");
	assert_int_equal(port.ndone, 1);
	assert_int_equal(port.last.nlines, 2);
	assert_string_equal(port.last.line[0], "+CGCONTRDP: 1,5,\"a\"");
	assert_string_equal(port.last.line[1], "+CGCONTRDP: 1,5,\"b\"");
	assert_int_equal(port.nurc, 3);
	assert_string_equal(port.urcs[0], "^RSSI: 20");
	assert_string_equal(port.urcs[1], "+CEREG: 1");
	assert_string_equal(port.urcs[2], "+QIND: \"csq\",20,99");
}

static void test_expected_prefix_wins_over_urc(void **s)
{
	(void)s;
	/* AT+CEREG? answers with a line that is otherwise a URC */
	at_engine_send(&eng, "AT+CEREG?", "+CEREG:", 1000, false, p_done, &port);
	feed("\r\n+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7\r\n\r\nOK\r\n");
	assert_int_equal(port.last.nlines, 1);
	assert_int_equal(port.nurc, 0);
	/* and while idle, the same line is a URC */
	feed("\r\n+CEREG: 1,\"1A2B\",\"01A2B3C4\",7\r\n");
	assert_int_equal(port.nurc, 1);
}

static void test_final_result_codes(void **s)
{
	(void)s;
	static const struct {
		const char *text;
		enum at_result res;
		int code;
		const char *err;
	} cases[] = {
		{ "OK", AT_OK, -1, "OK" },
		{ "ERROR", AT_ERROR, -1, "ERROR" },
		{ "+CME ERROR: 16", AT_CME_ERROR, 16, "16" },
		{ "+CME ERROR: incorrect password", AT_CME_ERROR, -1, "incorrect password" },
		{ "+CMS ERROR: 500", AT_CMS_ERROR, 500, "500" },
		{ "NO CARRIER", AT_NO_CARRIER, -1, "NO CARRIER" },
		{ "COMMAND NOT SUPPORT", AT_ERROR, -1, "COMMAND NOT SUPPORT" },
		{ "ok", AT_OK, -1, "ok" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at_engine_send(&eng, "AT+X", "", 1000, false, p_done, &port);
		char buf[128];
		snprintf(buf, sizeof(buf), "\r\n%s\r\n", cases[i].text);
		feed(buf);
		assert_int_equal(port.ndone, (int)i + 1);
		assert_int_equal(port.last.result, cases[i].res);
		assert_int_equal(port.last.err_code, cases[i].code);
		assert_string_equal(port.last.err_text, cases[i].err);
	}
	/* "OKAY" and "ERRORS" are not final result codes */
	enum at_result r;
	int code;
	assert_false(at_final_result("OKAY", &r, &code, NULL, 0));
	assert_false(at_final_result("ERRORS", &r, &code, NULL, 0));
}

static void test_timeout_with_fake_clock(void **s)
{
	(void)s;
	at_engine_send(&eng, "AT", "", 500, false, p_done, &port);
	assert_int_equal(at_engine_deadline(&eng), clk.mono_ms + 500);
	hgw_fake_clock_advance(&clk, 499);
	at_engine_tick(&eng);
	assert_int_equal(port.ndone, 0);
	hgw_fake_clock_advance(&clk, 1);
	at_engine_tick(&eng);
	assert_int_equal(port.ndone, 1);
	assert_int_equal(port.last.result, AT_TIMEOUT);
	assert_int_equal(at_engine_deadline(&eng), INT64_MAX);
	/* the late OK is stray, not the answer to the next command */
	feed("\r\nOK\r\n");
	assert_int_equal(eng.stats.stray, 1);
	assert_int_equal(port.ndone, 1);
}

static void test_oversized_line_is_discarded(void **s)
{
	(void)s;
	at_engine_send(&eng, "AT+CSQ", "+CSQ:", 1000, false, p_done, &port);
	char big[3000];
	memset(big, '9', sizeof(big));
	at_engine_feed(&eng, "+CSQ: ", 6);
	at_engine_feed(&eng, big, sizeof(big));
	feed("\r\n+CSQ: 20,99\r\nOK\r\n");
	assert_int_equal(eng.stats.oversized, 1);
	assert_int_equal(port.last.nlines, 1);
	assert_string_equal(port.last.line[0], "+CSQ: 20,99");
}

static void test_hostile_bytes(void **s)
{
	(void)s;
	at_engine_send(&eng, "AT+CGMI", "+CGMI:", 1000, false, p_done, &port);
	static const unsigned char junk[] = { 'h', 0, 'u', 0x1b, 0xff, 'a', 0x80, '\r', '\n',
					      'O', 'K', '\r' };
	at_engine_feed(&eng, junk, sizeof(junk));
	assert_int_equal(port.ndone, 1);
	/* control bytes dropped, high bytes made '?': every line is ASCII */
	assert_string_equal(port.last.line[0], "hu?a?");
}

static void test_response_line_cap(void **s)
{
	(void)s;
	at_engine_send(&eng, "AT+CGDCONT?", "+CGDCONT:", 1000, false, p_done, &port);
	for (int i = 0; i < 100; i++)
		feed("+CGDCONT: 1,\"IP\",\"x\"\r\n");
	feed("OK\r\n");
	assert_int_equal(port.last.nlines, AT_RESP_LINES);
	assert_true(port.last.truncated);
}

static void test_send_from_done_and_write_failure(void **s)
{
	(void)s;
	port.chain = "ATE0";
	at_engine_send(&eng, "AT", "", 1000, false, p_done, &port);
	/* the OK and the next command's answer in one read */
	port.sent_len = 0;
	feed("\r\nOK\r\n");
	assert_string_equal(port.sent, "ATE0\r");
	feed("ATE0\r\r\nOK\r\n");
	assert_int_equal(port.ndone, 2);
	assert_int_equal(port.last.result, AT_OK);
	port.fail_writes = 1;
	assert_int_equal(at_engine_send(&eng, "AT", "", 1000, false, p_done, &port), 0);
	assert_int_equal(port.last.result, AT_ABORTED);
	assert_false(at_engine_busy(&eng));
	/* too long a command is refused outright */
	char lng[AT_LINE_MAX + 10];
	memset(lng, 'A', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	assert_int_equal(at_engine_send(&eng, lng, "", 1000, false, p_done, &port), -1);
}

static void test_reset_aborts(void **s)
{
	(void)s;
	at_engine_send(&eng, "AT", "", 1000, false, p_done, &port);
	feed("\r\nhalf a li");
	at_engine_reset(&eng);
	assert_int_equal(port.last.result, AT_ABORTED);
	/* the partial line is gone */
	feed("ne\r\n");
	assert_int_equal(port.nurc, 0);
	assert_int_equal(eng.stats.stray, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_simple_ok_with_echo, setup),
		cmocka_unit_test_setup(test_split_reads_and_urcs_mid_response, setup),
		cmocka_unit_test_setup(test_expected_prefix_wins_over_urc, setup),
		cmocka_unit_test_setup(test_final_result_codes, setup),
		cmocka_unit_test_setup(test_timeout_with_fake_clock, setup),
		cmocka_unit_test_setup(test_oversized_line_is_discarded, setup),
		cmocka_unit_test_setup(test_hostile_bytes, setup),
		cmocka_unit_test_setup(test_response_line_cap, setup),
		cmocka_unit_test_setup(test_send_from_done_and_write_failure, setup),
		cmocka_unit_test_setup(test_reset_aborts, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
