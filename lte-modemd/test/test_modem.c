/* The modem state machine driven through recorded dialogues: a scripted
 * fake port checks every command the machine sends and answers with what a
 * real modem printed (echo, split reads, URCs), a fake clock runs the
 * timers.  Every state is also rendered as lte.json and checked against
 * hgw_schema_lte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lte_json.h"
#include "../modem.h"
#include "log.h"
#include "schema.h"
#include "state_schemas.h"

struct say {
	const char *cmd;   /* what the machine must send */
	const char *reply; /* what the modem answers; NULL = silence */
};

#define OK "\r\nOK\r\n"

struct fake {
	const struct say *script;
	size_t n, pos;
	char pending[8192];
	size_t plen;
	size_t split; /* bytes per read */
	char extra[16][AT_LINE_MAX]; /* commands past the script */
	int nextra;
	char all[64 * 1024];          /* every command sent, '|' separated */
};

static struct fake fk;
static struct hgw_fake_clock clk;
static struct hgw_fake_rng rng;
static struct lte_modem m;

static int f_write(void *arg, const char *buf, size_t len)
{
	struct fake *f = arg;
	char cmd[AT_LINE_MAX];
	assert_true(len > 0 && len < sizeof(cmd) && buf[len - 1] == '\r');
	memcpy(cmd, buf, len - 1);
	cmd[len - 1] = 0;
	strncat(f->all, cmd, sizeof(f->all) - strlen(f->all) - 2);
	strcat(f->all, "|");
	if (f->pos >= f->n) {
		if (f->nextra < 16)
			snprintf(f->extra[f->nextra++], AT_LINE_MAX, "%s", cmd);
		return 0;
	}
	const struct say *s = &f->script[f->pos++];
	if (strcmp(cmd, s->cmd) != 0)
		fail_msg("step %zu: expected \"%s\", the machine sent \"%s\"", f->pos - 1, s->cmd, cmd);
	if (s->reply) {
		size_t rl = strlen(s->reply);
		assert_true(f->plen + rl < sizeof(f->pending));
		memcpy(f->pending + f->plen, s->reply, rl);
		f->plen += rl;
	}
	return 0;
}

static void expect(const struct say *script, size_t n)
{
	fk.script = script;
	fk.n = n;
	fk.pos = 0;
	fk.nextra = 0;
}

/* Feeds answers (split as configured) and runs timers until the script is
 * used up and nothing is pending, or the machine has nothing to do. */
static void run(void)
{
	for (int guard = 0; guard < 10000; guard++) {
		if (fk.plen) {
			char buf[8192];
			size_t n = fk.plen;
			memcpy(buf, fk.pending, n);
			fk.plen = 0;
			for (size_t off = 0; off < n; off += fk.split) {
				size_t k = n - off < fk.split ? n - off : fk.split;
				lte_modem_input(&m, buf + off, k);
			}
			continue;
		}
		if (fk.pos >= fk.n)
			return;
		int64_t dl = lte_modem_next_deadline(&m);
		if (dl == INT64_MAX)
			return;
		if (dl > clk.mono_ms)
			hgw_fake_clock_advance(&clk, dl - clk.mono_ms);
		lte_modem_tick(&m);
	}
	fail_msg("dialogue did not settle");
}

static void feed(const char *s)
{
	lte_modem_input(&m, s, strlen(s));
	run();
}

static void quiet_log(int level, const char *line, void *arg)
{
	(void)level;
	(void)arg;
	if (getenv("LTE_TEST_LOG"))
		fprintf(stderr, "%s\n", line);
}

static struct lte_config base_cfg(void)
{
	struct lte_config c = {
		.profile = LTE_PROFILE_AUTO, .pdp = LTE_PDP_IPV6, .cid = 1, .apn = "hybrid.telekom",
		.cmd_timeout_ms = 1000, .attach_timeout_ms = 5000, .poll_ms = 2000,
		.search_timeout_ms = 60000, .retry_min_ms = 1000, .retry_max_ms = 8000,
		.reset_after = 0, .timeouts_before_reopen = 3, .log_lines = 32,
	};
	return c;
}

static void start(const struct lte_config *c, size_t split)
{
	memset(&fk, 0, sizeof(fk));
	fk.split = split;
	hgw_fake_clock_init(&clk, 1700000000);
	hgw_fake_rng_init(&rng, 42);
	hgw_log_set_sink(quiet_log, NULL);
	hgw_log_set_clock(&clk.clock);
	hgw_log_reset_limits();
	struct lte_modem_ops ops = { f_write, NULL, &fk };
	lte_modem_init(&m, c, &clk.clock, &rng.rng, &ops);
}

static const char *state(void)
{
	return lte_state_name(lte_modem_status(&m)->state);
}

/* lte.json for the current status must pass the schema readers use. */
static json_t *check_json(void)
{
	struct lte_json_ctx jc = { "wwan0", "/dev/ttyUSB0", 1 };
	json_t *doc = lte_json_build(&m, &jc);
	struct hgw_errors e = { 0 };
	json_t *copy = json_deep_copy(doc);
	if (hgw_schema_check(copy, hgw_schema_lte, "lte.json", &e))
		fail_msg("lte.json fails its schema: %s", e.msg[0]);
	json_decref(copy);
	return doc;
}

static const struct say hw_init[] = {
	/* a freshly plugged stick: echo on */
	{ "AT", "AT\r\r\nOK\r\n" },
	{ "ATE0", "ATE0\r\r\nOK\r\n" },
	{ "AT+CMEE=2", OK },
	{ "AT+CGMI", "\r\nhuawei\r\n" OK },
	{ "AT+CGMM", "\r\nE3372\r\n" OK },
	{ "AT+CGMR", "\r\n^BOOT:12345,0,0,0,72\r\n\r\n22.315.01.00.00\r\n" OK },
	{ "AT+CGSN", "\r\n866000012345678\r\n" OK },
	{ "AT+CPIN?", "\r\n+CPIN: READY\r\n" OK },
	{ "AT+CEREG=2", OK },
	{ "AT+CGEREP=2,1", OK },
	{ "AT+COPS=3,0", OK },
	{ "AT+CGDCONT=1,\"IPV6\",\"hybrid.telekom\"", OK },
};

static const struct say hw_attach[] = {
	{ "AT+CEREG?", "\r\n+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7\r\n" OK },
	{ "AT+COPS?", "\r\n+COPS: 0,0,\"Telekom.de\",7\r\n" OK },
	{ "AT^HCSQ?", "\r\n^HCSQ: \"LTE\",63,58,131,21\r\n" OK },
	{ "AT^SYSINFOEX", "\r\n^RSSI: 28\r\n\r\n^SYSINFOEX: 2,3,0,1,,6,\"LTE\",101,\"LTE\"\r\n" OK },
	{ "AT^NDISDUP=1,1,\"hybrid.telekom\"", OK "\r\n^NDISSTAT: 1,,,\"IPV6\"\r\n" },
	{ "AT+CGCONTRDP=1",
	  "\r\n+CGCONTRDP: 1,5,\"hybrid.telekom.mnc001.mcc262.gprs\","
	  "\"32.1.13.184.0.1.0.2.0.0.0.0.0.0.0.1.255.255.255.255.255.255.255.255.0.0.0.0.0.0.0.0\","
	  "\"254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1\",\"32.1.13.184.0.83.0.0.0.0.0.0.0.0.0.1\","
	  "\"32.1.13.184.0.83.0.0.0.0.0.0.0.0.0.2\",\"0.0.0.0\",\"0.0.0.0\",0,0,1428\r\n" OK },
	{ "AT+CGPADDR=1", "\r\n+CGPADDR: 1,\"32.1.13.184.0.1.0.2.0.0.0.0.0.0.0.1\"\r\n" OK },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
static struct say script[128];

/* Concatenates dialogues into script[]; returns the count. */
static size_t cat(const struct say *a, size_t na, const struct say *b, size_t nb)
{
	assert_true(na + nb <= N(script));
	memmove(script, a, na * sizeof(*a));
	memcpy(script + na, b, nb * sizeof(*b));
	return na + nb;
}

static void huawei_to_connected(size_t split)
{
	struct lte_config c = base_cfg();
	start(&c, split);
	expect(script, cat(hw_init, N(hw_init), hw_attach, N(hw_attach)));
	lte_modem_opened(&m);
	assert_string_equal(state(), "init");
	run();
	assert_int_equal(fk.pos, fk.n);
	assert_int_equal(fk.nextra, 0);
}

static void test_huawei_cold_start(void **s)
{
	(void)s;
	huawei_to_connected(1); /* one byte per read */
	assert_string_equal(state(), "connected");
	const struct lte_status *st = lte_modem_status(&m);
	assert_int_equal(st->profile, LTE_PROFILE_HUAWEI);
	assert_string_equal(st->manufacturer, "huawei");
	/* the ^BOOT URC in the middle did not become the firmware version */
	assert_string_equal(st->firmware, "22.315.01.00.00");
	json_t *doc = check_json();
	assert_string_equal(json_string_value(json_object_get(doc, "ipv6")), "2001:db8:1:2::1/64");
	assert_string_equal(json_string_value(json_object_get(doc, "gateway6")), "fe80::1");
	json_t *dns = json_object_get(doc, "dns");
	assert_int_equal(json_array_size(dns), 2);
	assert_string_equal(json_string_value(json_array_get(dns, 0)), "2001:db8:53::1");
	assert_int_equal(json_integer_value(json_object_get(doc, "mtu")), 1428);
	assert_null(json_string_value(json_object_get(doc, "ipv4")));
	assert_string_equal(json_string_value(json_object_get(doc, "operator")), "Telekom.de");
	assert_string_equal(json_string_value(json_object_get(doc, "access_technology")), "LTE");
	json_t *sig = json_object_get(doc, "signal");
	assert_int_equal(json_integer_value(json_object_get(sig, "rsrp_dbm")), -82);
	assert_int_equal(json_integer_value(json_object_get(sig, "rssi_dbm")), -57);
	assert_true(json_real_value(json_object_get(sig, "sinr_db")) > 6.1);
	assert_int_equal(json_integer_value(json_object_get(doc, "connected_since")),
			 hgw_wall_s(&clk.clock));
	json_decref(doc);

	/* the periodic check: registration, signal, bearer */
	static const struct say check[] = {
		{ "AT+CEREG?", "\r\n+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7\r\n" OK },
		{ "AT+COPS?", "\r\n+COPS: 0,0,\"Telekom.de\",7\r\n" OK },
		{ "AT^HCSQ?", "\r\n^HCSQ: \"LTE\",63,58,131,21\r\n" OK },
		{ "AT^SYSINFOEX", "\r\n^SYSINFOEX: 2,3,0,1,,6,\"LTE\",101,\"LTE\"\r\n" OK },
		{ "AT^NDISSTATQRY?", "\r\n^NDISSTATQRY: 1,,,\"IPV6\"\r\n" OK },
	};
	int64_t t0 = clk.mono_ms;
	expect(check, 5);
	run();
	assert_int_equal(fk.pos, 5);
	assert_int_equal(clk.mono_ms - t0, 2000);
	assert_string_equal(state(), "connected");
}

static void test_bearer_drop_reattach_with_backoff(void **s)
{
	(void)s;
	huawei_to_connected(7);
	expect(NULL, 0);
	int64_t t0 = clk.mono_ms;
	feed("\r\n^NDISSTAT: 0,36,,\"IPV6\"\r\n");
	assert_string_equal(state(), "registered");
	const struct lte_status *st = lte_modem_status(&m);
	assert_int_equal(st->bearer_losses, 1);
	assert_int_equal(st->addr6.family, 0);
	assert_non_null(strstr(st->last_error, "error 36"));
	json_t *doc = check_json();
	assert_true(json_is_null(json_object_get(doc, "ipv6")));
	json_decref(doc);
	/* first retry after retry_min_ms +-20 % jitter */
	int64_t wait = lte_modem_next_deadline(&m) - t0;
	assert_true(wait >= 800 && wait <= 1200);
	expect(hw_attach, sizeof(hw_attach) / sizeof(hw_attach[0]));
	run();
	assert_int_equal(fk.pos, fk.n);
	assert_string_equal(state(), "connected");
	assert_int_equal(lte_modem_status(&m)->attaches, 2);
	/* registration lost: the bearer goes with it */
	feed("\r\n+CEREG: 2\r\n");
	assert_string_equal(state(), "searching");
	assert_int_equal(lte_modem_status(&m)->bearer_losses, 2);
}

static const struct say g_pin[] = {
	{ "AT", OK },
	{ "ATE0", OK },
	{ "AT+CMEE=2", OK },
	{ "AT+CGMI", "\r\n+CGMI: Quectel\r\n" OK },
	{ "AT+CGMM", "\r\nEC25\r\n" OK },
	{ "AT+CGMR", "\r\nRevision: EC25EFAR06A06M4G\r\n" OK },
	{ "AT+CGSN", "\r\n866000012345678\r\n" OK },
	{ "AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n" OK },
};

static void test_3gpp_pin_attach_and_cgev(void **s)
{
	(void)s;
	struct lte_config c = base_cfg();
	snprintf(c.pin, sizeof(c.pin), "2468");
	start(&c, 3);
	static const struct say rest[] = {
		{ "AT+CPIN=\"2468\"", OK },
		{ "AT+CPIN?", "\r\n+CPIN: READY\r\n" OK },
		{ "AT+CEREG=2", OK },
		{ "AT+CGEREP=2,1", OK },
		{ "AT+COPS=3,0", OK },
		{ "AT+CGDCONT=1,\"IPV6\",\"hybrid.telekom\"", OK },
		{ "AT+CGAUTH=1,0", OK },
		/* not yet registered, then a URC */
		{ "AT+CEREG?", "\r\n+CEREG: 2,2\r\n" OK },
		{ "AT+COPS?", "\r\n+COPS: 0\r\n" OK },
		{ "AT+CSQ", "\r\n+CSQ: 99,99\r\n" OK "\r\n+CEREG: 1,\"1A2B\",\"01A2B3C4\",7\r\n" },
		{ "AT+CGACT=1,1", OK },
		{ "AT+CGCONTRDP=1", "\r\n+CGCONTRDP: 1,5,\"hybrid.telekom\",\"2001:DB8:1:2::1 "
				    "FFFF:FFFF:FFFF:FFFF::\",\"FE80::1\",\"2001:DB8:53::1\"\r\n" OK },
		{ "AT+CGPADDR=1", "\r\n+CGPADDR: 1,\"2001:DB8:1:2::1\"\r\n" OK },
	};
	struct say all[64];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(g_pin) / sizeof(g_pin[0]); i++)
		all[n++] = g_pin[i];
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		all[n++] = rest[i];
	expect(all, n);
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, n);
	assert_string_equal(state(), "connected");
	const struct lte_status *st = lte_modem_status(&m);
	assert_int_equal(st->profile, LTE_PROFILE_3GPP);
	assert_string_equal(st->manufacturer, "Quectel");
	assert_int_equal(st->addr6.plen, 64);
	/* the PIN is in no log line */
	for (unsigned i = 0; i < lte_modem_log_count(&m); i++)
		assert_null(strstr(lte_modem_log_line(&m, i), "2468"));
	json_decref(check_json());
	feed("\r\n+CGEV: NW PDN DEACT 1\r\n");
	assert_string_equal(state(), "registered");
	assert_int_equal(lte_modem_status(&m)->bearer_losses, 1);
}

static void test_wrong_pin_never_retried(void **s)
{
	(void)s;
	struct lte_config c = base_cfg();
	snprintf(c.pin, sizeof(c.pin), "1111");
	start(&c, 64);
	struct say all[16];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(g_pin) / sizeof(g_pin[0]); i++)
		all[n++] = g_pin[i];
	all[n++] = (struct say){ "AT+CPIN=\"1111\"", "\r\n+CME ERROR: incorrect password\r\n" };
	expect(all, n);
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, n);
	assert_string_equal(state(), "failed");
	assert_non_null(strstr(lte_modem_status(&m)->last_error, "wrong PIN"));
	assert_int_equal(lte_modem_next_deadline(&m), INT64_MAX);
	json_decref(check_json());
	/* the device goes and comes back: still no second PIN */
	lte_modem_closed(&m, "gone");
	assert_string_equal(state(), "absent");
	expect(g_pin, sizeof(g_pin) / sizeof(g_pin[0]));
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, fk.n);
	assert_int_equal(fk.nextra, 0);
	assert_string_equal(state(), "failed");
	assert_null(strstr(fk.all, "AT+CPIN=\"1111\"|AT+CPIN=\"1111\""));
	const char *first = strstr(fk.all, "AT+CPIN=\"");
	assert_non_null(first);
	assert_null(strstr(first + 1, "AT+CPIN=\""));
}

static void test_unanswered_pin_not_resent(void **s)
{
	(void)s;
	struct lte_config c = base_cfg();
	snprintf(c.pin, sizeof(c.pin), "2468");
	start(&c, 64);
	size_t n = cat(g_pin, N(g_pin), g_pin, 0);
	script[n++] = (struct say){ "AT+CPIN=\"2468\"", NULL }; /* no answer */
	for (size_t i = 0; i < N(g_pin); i++)
		script[n++] = g_pin[i];
	expect(script, n);
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, n);
	assert_int_equal(fk.nextra, 0);
	assert_string_equal(state(), "failed");
	assert_non_null(strstr(lte_modem_status(&m)->last_error, "still asks for the PIN"));
}

static void test_silent_modem_wants_reopen(void **s)
{
	(void)s;
	struct lte_config c = base_cfg();
	c.timeouts_before_reopen = 2;
	start(&c, 64);
	static const struct say silence[] = { { "AT", NULL }, { "AT", NULL } };
	expect(silence, 2);
	int64_t t0 = clk.mono_ms;
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, 2);
	assert_false(lte_modem_want_reopen(&m));
	/* the second AT's timeout */
	hgw_fake_clock_advance(&clk, lte_modem_next_deadline(&m) - clk.mono_ms);
	lte_modem_tick(&m);
	assert_true(lte_modem_want_reopen(&m));
	assert_non_null(strstr(lte_modem_status(&m)->last_error, "not answering"));
	/* 1 s timeout, ~1 s backoff, 1 s timeout */
	assert_true(clk.mono_ms - t0 >= 2800 && clk.mono_ms - t0 <= 3300);
}

static void test_repeated_failures_cycle_the_radio(void **s)
{
	(void)s;
	struct lte_config c = base_cfg();
	c.profile = LTE_PROFILE_HUAWEI;
	c.reset_after = 2;
	start(&c, 64);
	struct say fails[32];
	size_t n = 0;
	for (size_t i = 0; i < N(hw_init); i++)
		fails[n++] = hw_init[i];
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 4; i++)
			fails[n++] = hw_attach[i];
		/* accepted, then the network refuses: ^NDISSTAT with a cause */
		fails[n++] = (struct say){ "AT^NDISDUP=1,1,\"hybrid.telekom\"",
					   OK "\r\n^NDISSTAT: 0,33,,\"IPV6\"\r\n" };
	}
	fails[n++] = (struct say){ "AT+CFUN=0", OK };
	fails[n++] = (struct say){ "AT+CFUN=1", OK };
	fails[n++] = (struct say){ "AT", OK };
	expect(fails, n);
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, n);
	assert_int_equal(lte_modem_status(&m)->resets, 1);
	assert_string_equal(state(), "init");
}

static void test_link_local_only_context(void **s)
{
	(void)s;
	/* a modem that knows only the interface identifier: connected, no
	 * global address, the link-local one published for netlinkd */
	struct lte_config c = base_cfg();
	c.profile = LTE_PROFILE_3GPP;
	start(&c, 64);
	static const struct say tail[] = {
		{ "AT+CEREG=2", OK },
		{ "AT+CGEREP=2,1", OK },
		{ "AT+COPS=3,0", OK },
		{ "AT+CGDCONT=1,\"IPV6\",\"hybrid.telekom\"", OK },
		{ "AT+CGAUTH=1,0", "\r\nERROR\r\n" }, /* optional */
		{ "AT+CEREG?", "\r\n+CEREG: 2,5,\"1A2B\",\"01A2B3C4\",7\r\n" OK },
		{ "AT+COPS?", "\r\n+COPS: 0,0,\"Telekom.de\",7\r\n" OK },
		{ "AT+CSQ", "\r\n+CSQ: 20,99\r\n" OK },
		{ "AT+CGACT=1,1", OK },
		{ "AT+CGCONTRDP=1", "\r\n+CME ERROR: operation not supported\r\n" },
		{ "AT+CGPADDR=1", "\r\n+CGPADDR: 1,\"254.128.0.0.0.0.0.0.2.0.0.0.0.0.0.7\"\r\n" OK },
	};
	size_t n = cat(g_pin, N(g_pin) - 1, tail, 0);
	script[n++] = (struct say){ "AT+CPIN?", "\r\n+CPIN: READY\r\n" OK };
	for (size_t i = 0; i < N(tail); i++)
		script[n++] = tail[i];
	expect(script, n);
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, n);
	assert_string_equal(state(), "connected");
	json_t *doc = check_json();
	assert_true(json_is_null(json_object_get(doc, "ipv6")));
	assert_string_equal(json_string_value(json_object_get(doc, "ipv6_link_local")), "fe80::200:0:0:7");
	assert_string_equal(json_string_value(json_object_get(doc, "registration")), "roaming");
	json_decref(doc);
}

static void test_ndis_bearer_found_by_polling(void **s)
{
	(void)s;
	/* the ^NDISSTAT URC never comes (or was lost): ^NDISSTATQRY? finds
	 * the bearer, one second apart */
	struct lte_config c = base_cfg();
	start(&c, 64);
	size_t n = cat(hw_init, N(hw_init), hw_attach, 4);
	script[n++] = (struct say){ "AT^NDISDUP=1,1,\"hybrid.telekom\"", OK };
	script[n++] = (struct say){ "AT^NDISSTATQRY?", "\r\n^NDISSTATQRY: 0,,,\"IPV6\"\r\n" OK };
	script[n++] = (struct say){ "AT^NDISSTATQRY?", "\r\n^NDISSTATQRY: 1,,,\"IPV6\"\r\n" OK };
	script[n++] = hw_attach[5];
	script[n++] = hw_attach[6];
	expect(script, n);
	int64_t t0 = clk.mono_ms;
	lte_modem_opened(&m);
	run();
	assert_int_equal(fk.pos, n);
	assert_string_equal(state(), "connected");
	assert_int_equal(clk.mono_ms - t0, 2000);
}

static void test_stale_answer_after_flow_change(void **s)
{
	(void)s;
	/* a URC changes the flow while a poll is in flight: the poll's answer
	 * must not be taken for the next command's */
	huawei_to_connected(64);
	static const struct say check[] = {
		{ "AT+CEREG?", NULL },
	};
	expect(check, 1);
	run(); /* the poll is sent, no answer yet */
	assert_int_equal(fk.pos, 1);
	lte_modem_input(&m, "\r\n^NDISSTAT: 0,36,,\"IPV6\"\r\n", 27);
	assert_string_equal(state(), "registered");
	/* now the old answer arrives */
	expect(hw_attach, sizeof(hw_attach) / sizeof(hw_attach[0]));
	feed("\r\n+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7\r\n\r\nOK\r\n");
	assert_int_equal(fk.pos, fk.n);
	assert_string_equal(state(), "connected");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_huawei_cold_start),
		cmocka_unit_test(test_bearer_drop_reattach_with_backoff),
		cmocka_unit_test(test_3gpp_pin_attach_and_cgev),
		cmocka_unit_test(test_wrong_pin_never_retried),
		cmocka_unit_test(test_unanswered_pin_not_resent),
		cmocka_unit_test(test_silent_modem_wants_reopen),
		cmocka_unit_test(test_repeated_failures_cycle_the_radio),
		cmocka_unit_test(test_link_local_only_context),
		cmocka_unit_test(test_ndis_bearer_found_by_polling),
		cmocka_unit_test(test_stale_answer_after_flow_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
