/* Logging: levels, one line per event, rate limit of identical messages. */
#include <string.h>

#include "clock.h"
#include "log.h"
#include "testutil.h"

static struct hgw_fake_clock fc;

static int setup(void **s)
{
	(void)s;
	tu_log_capture();
	hgw_fake_clock_init(&fc, 1700000000);
	hgw_log_set_clock(&fc.clock);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	tu_log_release();
	return 0;
}

static void test_levels_filter(void **s)
{
	(void)s;
	hgw_log_set_level(HGW_LOG_WARN);
	log_debug("hidden debug");
	log_info("hidden info");
	log_warn("shown warn %d", 1);
	log_err("shown error");
	assert_int_equal(tu_log_count(), 2);
	assert_string_equal(tu_log_line(0), "test warn: shown warn 1");
	assert_string_equal(tu_log_line(1), "test error: shown error");
}

static void test_newlines_flattened(void **s)
{
	(void)s;
	log_info("two\nlines\r");
	assert_int_equal(tu_log_count(), 1);
	assert_null(strchr(tu_log_line(0), '\n'));
}

static void test_identical_messages_rate_limited(void **s)
{
	(void)s;
	for (int i = 0; i < 50; i++) {
		log_warn("PADI timeout on eth0");
		hgw_fake_clock_advance(&fc, 100); /* 50 in 5 s */
	}
	assert_int_equal(tu_log_count(), 1);
	hgw_fake_clock_advance(&fc, HGW_LOG_REPEAT_MS);
	log_warn("PADI timeout on eth0");
	assert_int_equal(tu_log_count(), 2);
	assert_non_null(strstr(tu_log_line(1), "49 repeats suppressed"));
	/* A different message is not held back. */
	log_warn("PADI timeout on eth1");
	assert_int_equal(tu_log_count(), 3);
}

static void test_interleaved_messages_each_limited(void **s)
{
	(void)s;
	for (int i = 0; i < 20; i++) {
		log_warn("lte down");
		log_warn("dsl down");
	}
	assert_int_equal(tu_log_count(), 2);
	/* Same text at another level is another message. */
	log_err("lte down");
	assert_int_equal(tu_log_count(), 3);
}

static void test_reset_limits(void **s)
{
	(void)s;
	log_info("x");
	log_info("x");
	hgw_log_reset_limits();
	log_info("x");
	assert_int_equal(tu_log_count(), 2);
}

static void test_level_parse(void **s)
{
	(void)s;
	assert_int_equal(hgw_log_level_parse("debug"), HGW_LOG_DEBUG);
	assert_int_equal(hgw_log_level_parse("warn"), HGW_LOG_WARN);
	assert_int_equal(hgw_log_level_parse("warning"), HGW_LOG_WARN);
	assert_int_equal(hgw_log_level_parse("err"), HGW_LOG_ERR);
	assert_int_equal(hgw_log_level_parse("loud"), -1);
}

static void test_long_message_truncated_not_overflowed(void **s)
{
	(void)s;
	char big[5000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	log_info("%s", big);
	assert_int_equal(tu_log_count(), 1);
	assert_true(strlen(tu_log_line(0)) < 1200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_levels_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newlines_flattened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identical_messages_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interleaved_messages_each_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_message_truncated_not_overflowed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
