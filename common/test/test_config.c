/* Schema checks and config loading: every error names its JSON path and
 * what was expected; defaults are filled in; secrets must be private. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "testutil.h"

static const char *const modes[] = { "kernel", "userspace", NULL };
static const struct hgw_field lan_item_fields[] = {
	{ "name", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "interface" },
	{ "mtu", HGW_T_INT, 0, 1280, 9000, NULL, "1500", "MTU" },
	{ "address", HGW_T_PREFIX4, 0, 0, 0, NULL, NULL, "IPv4 address" },
	{ "mac", HGW_T_MAC, 0, 0, 0, NULL, NULL, "match by MAC" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};
static const struct hgw_field lan_item = { "", HGW_T_OBJECT, 0, 0, 0, lan_item_fields, NULL, "" };
static const struct hgw_field int_item = { "", HGW_T_INT, 0, 0, 10, NULL, NULL, "" };
static const struct hgw_field timers_fields[] = {
	{ "interval", HGW_T_INT, 0, 1, 3600, NULL, "30", "seconds" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};
static const struct hgw_field schema[] = {
	{ "mode", HGW_T_ENUM, 0, 0, 0, modes, "\"kernel\"", "data plane" },
	{ "enabled", HGW_T_BOOL, 0, 0, 0, NULL, "true", "on" },
	{ "user", HGW_T_STRING, HGW_REQUIRED, 1, 64, NULL, NULL, "user name" },
	{ "password_file", HGW_T_PATH, HGW_SECRET, 0, 0, NULL, NULL, "secret" },
	{ "lan", HGW_T_ARRAY, 0, 0, 4, &lan_item, "[]", "LAN interfaces" },
	{ "ids", HGW_T_MAP, 0, 0, 0, &int_item, "{}", "subnet ids" },
	{ "server", HGW_T_IP, 0, 0, 0, NULL, NULL, "any family" },
	{ "server6", HGW_T_IP6, 0, 0, 0, NULL, NULL, "v6" },
	{ "prefix", HGW_T_PREFIX6, 0, 0, 0, NULL, NULL, "v6 prefix" },
	{ "timers", HGW_T_OBJECT, 0, 0, 0, timers_fields, "{}", "timers" },
	{ "raw", HGW_T_ANY, 0, 0, 0, NULL, NULL, "anything" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static json_t *load(const char *text, struct hgw_errors *e)
{
	memset(e, 0, sizeof(*e));
	return hgw_config_load_str(text, strlen(text), "pppoed", schema, e);
}

/* Asserts loading fails and some error line contains want. */
static void expect_error(const char *text, const char *want)
{
	struct hgw_errors e;
	json_t *c = load(text, &e);
	if (c)
		fail_msg("accepted: %s", text);
	for (int i = 0; i < e.count && i < HGW_SCHEMA_MAX_ERRORS; i++)
		if (strstr(e.msg[i], want))
			return;
	fail_msg("no error containing '%s' for %s (first: %s)", want, text, e.count ? e.msg[0] : "");
}

static void test_valid_with_defaults(void **s)
{
	(void)s;
	struct hgw_errors e;
	json_t *c = load("{\"pppoed\": {\"user\": \"u\", \"lan\": [{\"name\": \"eth1\"}],"
			 " \"ids\": {\"eth1\": 3}, \"server\": \"2001:db8::1\"}}",
			 &e);
	assert_non_null(c);
	assert_int_equal(e.count, 0);
	assert_string_equal(hgw_json_str(c, "mode"), "kernel");
	assert_true(hgw_json_bool(c, "enabled"));
	json_t *lan0 = json_array_get(json_object_get(c, "lan"), 0);
	assert_int_equal(hgw_json_int(lan0, "mtu"), 1500);
	/* Nested object default gets its own defaults. */
	assert_int_equal(hgw_json_int(json_object_get(c, "timers"), "interval"), 30);
	json_decref(c);
}

static void test_missing_section_is_all_defaults_but_required(void **s)
{
	(void)s;
	expect_error("{\"netlinkd\": {}}", "pppoed.user: required key missing");
}

static void test_errors_name_the_path(void **s)
{
	(void)s;
	expect_error("{\"pppoed\": {\"user\": \"u\", \"mtuu\": 1}}", "pppoed.mtuu: unknown key");
	expect_error("{\"pppoed\": {\"user\": 5}}", "pppoed.user: expected a string, got an integer");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": [{\"name\": \"eth1\"}, {\"name\": \"eth2\", "
		     "\"mtu\": 70000}]}}",
		     "pppoed.lan[1].mtu: expected an integer from 1280 to 9000, got 70000");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"mode\": \"fast\"}}",
		     "pppoed.mode: expected one of \"kernel\", \"userspace\", got \"fast\"");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"enabled\": \"yes\"}}",
		     "pppoed.enabled: expected true or false, got a string");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": {}}}", "pppoed.lan: expected an array");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": [{}, {}, {}, {}, {}]}}",
		     "pppoed.lan: expected 0 to 4 entries, got 5");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"ids\": {\"eth1\": 11}}}",
		     "pppoed.ids.eth1: expected an integer from 0 to 10");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"timers\": {\"interval\": 1.5}}}",
		     "pppoed.timers.interval: expected an integer, got a number with a fraction");
	expect_error("{\"pppoed\": {\"user\": \"\"}}", "expected a string of 1 to 64 characters, got 0");
}

static void test_address_types(void **s)
{
	(void)s;
	expect_error("{\"pppoed\": {\"user\": \"u\", \"server\": \"300.1.1.1\"}}",
		     "pppoed.server: expected an IPv4 or IPv6 address");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"server6\": \"192.0.2.1\"}}",
		     "pppoed.server6: expected an IPv6 address");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"prefix\": \"2001:db8::/129\"}}",
		     "expected an IPv6 prefix");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"prefix\": \"2001:db8::\"}}",
		     "expected an IPv6 prefix");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"prefix\": \"2001:db8::/ 56\"}}",
		     "expected an IPv6 prefix");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": [{\"name\": \"eth1\", \"address\": \"192.0.2.1\"}]}}",
		     "pppoed.lan[0].address: expected an IPv4 prefix");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": [{\"name\": \"eth1\", \"mac\": \"02:00:00:00:00\"}]}}",
		     "expected a MAC address");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": [{\"name\": \"eth1\", \"mac\": \"02:00:00:00:00:0g\"}]}}",
		     "expected a MAC address");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": [{\"name\": \"a/b\"}]}}",
		     "expected an interface name");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"lan\": [{\"name\": \"sixteen-chars-xx\"}]}}",
		     "expected an interface name");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"password_file\": \"relative\"}}",
		     "expected an absolute path");
	struct hgw_errors e;
	json_t *c = load("{\"pppoed\": {\"user\": \"u\", \"server\": \"192.0.2.1\", \"prefix\": "
			 "\"2001:db8:1::/48\", \"lan\": [{\"name\": \"eth1\", \"mac\": "
			 "\"02:AB:cd:00:00:01\", \"address\": \"192.0.2.1/24\"}]}}",
			 &e);
	assert_non_null(c);
	json_decref(c);
}

static void test_syntax_and_top_level(void **s)
{
	(void)s;
	expect_error("{\"pppoed\": {\"user\": \"u\",}}", "line 1");
	expect_error("[1, 2]", "(top): expected an object");
	expect_error("{\"pppoe\": {}, \"pppoed\": {\"user\": \"u\"}}", "pppoe: unknown section");
	expect_error("{\"pppoed\": {\"user\": \"u\", \"user\": \"v\"}}", "duplicate");
	expect_error("{\"pppoed\": []}", "pppoed: expected an object, got an array");
	expect_error("", "line");
	expect_error("{\"pppoed\": {\"user\": \"a\\u0000b\"}}", "NUL");
}

static void test_many_errors_counted(void **s)
{
	(void)s;
	struct hgw_errors e;
	char text[4096] = "{\"pppoed\": {\"user\": \"u\"";
	for (int i = 0; i < 30; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), ", \"bad%d\": 1", i);
	strcat(text, "}}");
	assert_null(load(text, &e));
	assert_int_equal(e.count, 30); /* all counted, first 16 kept */
}

static void test_secret_file_permissions(void **s)
{
	(void)s;
	char *dir = tu_mkdtemp();
	char text[512], buf[64];
	struct hgw_errors e = { 0 };
	tu_write_file(dir, "pw", "s3cret\n", 0600);
	snprintf(text, sizeof(text), "%s/pw", dir);
	assert_int_equal(hgw_secret_read(text, buf, sizeof(buf), &e), 6);
	assert_string_equal(buf, "s3cret");

	tu_write_file(dir, "open", "s3cret\n", 0644);
	snprintf(text, sizeof(text), "{\"pppoed\": {\"user\": \"u\", \"password_file\": \"%s/open\"}}", dir);
	expect_error(text, "lets every user read or change it");
	snprintf(text, sizeof(text), "{\"pppoed\": {\"user\": \"u\", \"password_file\": \"%s/none\"}}", dir);
	expect_error(text, "No such file");
	snprintf(text, sizeof(text), "{\"pppoed\": {\"user\": \"u\", \"password_file\": \"%s\"}}", dir);
	expect_error(text, "not a regular file");
	tu_write_file(dir, "two", "a\nb\n", 0600);
	snprintf(text, sizeof(text), "%s/two", dir);
	memset(&e, 0, sizeof(e));
	assert_int_equal(hgw_secret_read(text, buf, sizeof(buf), &e), -1);
	assert_non_null(strstr(e.msg[0], "one line"));
	tu_write_file(dir, "long", "0123456789012345678901234567890123456789012345678901234567890123456789", 0600);
	snprintf(text, sizeof(text), "%s/long", dir);
	assert_int_equal(hgw_secret_read(text, buf, sizeof(buf), &e), -1);
	tu_rmtree(dir);
	free(dir);
}

static void test_load_file(void **s)
{
	(void)s;
	char *dir = tu_mkdtemp();
	char path[512];
	struct hgw_errors e = { 0 };
	tu_write_file(dir, "hgw.json", "{\"pppoed\": {\"user\": \"u\"}}", 0644);
	snprintf(path, sizeof(path), "%s/hgw.json", dir);
	json_t *c = hgw_config_load(path, "pppoed", schema, &e);
	assert_non_null(c);
	json_decref(c);
	tu_write_file(dir, "bad.json", "{\"pppoed\": {\"user\": 1}}", 0644);
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	assert_null(hgw_config_load(path, "pppoed", schema, &e));
	assert_non_null(strstr(e.msg[0], "bad.json: pppoed.user"));
	memset(&e, 0, sizeof(e));
	assert_null(hgw_config_load("/nonexistent/hgw.json", "pppoed", schema, &e));
	assert_non_null(strstr(e.msg[0], "cannot open"));
	memset(&e, 0, sizeof(e));
	assert_null(hgw_config_load("/dev/zero", "pppoed", schema, &e));
	assert_non_null(strstr(e.msg[0], "larger than"));
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_with_defaults),
		cmocka_unit_test(test_missing_section_is_all_defaults_but_required),
		cmocka_unit_test(test_errors_name_the_path),
		cmocka_unit_test(test_address_types),
		cmocka_unit_test(test_syntax_and_top_level),
		cmocka_unit_test(test_many_errors_counted),
		cmocka_unit_test(test_secret_file_permissions),
		cmocka_unit_test(test_load_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
