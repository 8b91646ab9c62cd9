/* netdumpd.json as built by status.c passes its published schema
 * (common/state_netdumpd.c), in every shape it takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../status.h"
#include "log.h"
#include "state.h"

extern const struct hgw_field hgw_schema_netdumpd[];

static json_t *check(json_t *doc)
{
	char *text = json_dumps(doc, JSON_SORT_KEYS);
	struct hgw_errors e = { 0 };
	json_t *back = hgw_state_parse(text, strlen(text), hgw_schema_netdumpd, "netdumpd.json", &e);
	for (int i = 0; i < e.count; i++)
		print_error("%s\n", e.msg[i]);
	assert_non_null(back);
	free(text);
	return back;
}

static void test_empty_and_busy(void **s)
{
	(void)s;
	struct ring r;
	assert_int_equal(ring_init(&r, 256000, 33554432), 0);
	struct status_in in = { .ring = &r };
	json_t *doc = status_doc(&in);
	json_decref(check(doc));
	json_decref(doc);

	uint8_t p[100] = { 0 };
	for (int i = 0; i < 1000; i++)
		ring_push(&r, (uint64_t)i, 0, 0, p, 100, 100);
	struct status_iface ifs[] = {
		{ "eth0", "EN10MB", 900, 3, 1 },
		{ "tun0", "RAW", 100, 0, 0 },
		{ "at", "WIRESHARK_UPPER_PDU", 4, 0, -1 },
	};
	json_t *clients = json_array();
	json_array_append_new(clients, status_client("192.0.2.2:40000", "", NULL));
	struct stream st;
	char err[256];
	int dlts[] = { 1 };
	assert_int_equal(stream_init(&st, STREAM_BACKLOG, "arp", &r, dlts, 1, err), 0);
	st.sent = 5, st.lost = 2, st.gaps = 1;
	json_array_append_new(clients, status_client("[2001:db8::2]:40001", "hgw", &st));
	struct stream st2;
	assert_int_equal(stream_init(&st2, STREAM_ALL, NULL, &r, dlts, 1, err), 0);
	json_array_append_new(clients, status_client("127.0.0.1:1", "root", &st2));
	in = (struct status_in){ .ifaces = ifs, .nifaces = 3, .ring = &r, .kernel_drops = 3,
				 .clients_connected = 3, .clients = clients, .auth_failures = 7 };
	doc = status_doc(&in);
	json_t *back = check(doc);
	json_t *ring = json_object_get(back, "ring");
	assert_int_equal(json_integer_value(json_object_get(ring, "packets")), 1000);
	assert_int_equal(json_integer_value(json_object_get(ring, "max_packets")), 256000);
	json_t *c1 = json_array_get(json_object_get(back, "clients"), 1);
	assert_string_equal(json_string_value(json_object_get(c1, "mode")), "backlog");
	assert_string_equal(json_string_value(json_object_get(c1, "filter")), "arp");
	json_t *at = json_array_get(json_object_get(back, "interfaces"), 2);
	/* the AT socket has no kernel filter; the schema default fills it in */
	assert_true(json_is_boolean(json_object_get(at, "kernel_filter")));
	json_decref(back);
	json_decref(doc);
	stream_free(&st);
	stream_free(&st2);
	ring_free(&r);
}

static void test_schema_rejects_garbage(void **s)
{
	(void)s;
	const char *bad[] = {
		"{\"version\":1,\"writer\":\"netdumpd\"}",
		"{\"version\":1,\"writer\":\"netdumpd\",\"interfaces\":{},\"ring\":{}}",
		"{\"version\":1,\"writer\":\"netdumpd\",\"interfaces\":[],\"ring\":{\"packets\":-1,"
		"\"bytes\":0,\"max_packets\":1,\"max_bytes\":1}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hgw_errors e = { 0 };
		assert_null(hgw_state_parse(bad[i], strlen(bad[i]), hgw_schema_netdumpd, "x", &e));
		assert_true(e.count > 0);
	}
}

int main(void)
{
	hgw_log_init("test", HGW_LOG_ERR - 1, false);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_busy),
		cmocka_unit_test(test_schema_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
