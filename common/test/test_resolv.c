/* hgw_resolv_text: which WAN's DNS servers the LAN's forwarder gets. */
#include <stdlib.h>
#include <string.h>

#include "resolv.h"
#include "testutil.h"

static json_t *doc(const char *json)
{
	json_error_t e;
	json_t *d = json_loads(json, 0, &e);
	assert_non_null(d);
	return d;
}

static char *render(size_t n, const char *const names[], const char *const texts[])
{
	json_t *docs[8];
	for (size_t i = 0; i < n; i++)
		docs[i] = texts[i] ? doc(texts[i]) : NULL;
	char *out = hgw_resolv_text(names, docs, n);
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
	assert_non_null(out);
	return out;
}

static const char *body(const char *text)
{
	return strchr(text, '\n') + 1; /* past the header comment */
}

static void test_order_bond_then_dsl_then_lte(void **s)
{
	(void)s;
	/* Given in the worst order, with one server repeated across sources. */
	const char *names[] = { "lte.json", "pppoe.json", "dhcp6.hybrid0.json", "dhcp4.hybrid0.json" };
	const char *texts[] = {
		"{\"state\":\"connected\",\"dns\":[\"2001:db8::53\"],\"dns4\":[\"10.0.0.53\"]}",
		"{\"state\":\"up\",\"ipv4\":{\"dns\":[\"192.0.2.53\",\"192.0.2.1\"]}}",
		"{\"state\":\"bound\",\"dns\":[\"2001:db8:1::1\"]}",
		"{\"state\":\"renewing\",\"dns\":[\"192.0.2.1\"]}",
	};
	char *out = render(4, names, texts);
	assert_string_equal(body(out), "nameserver 192.0.2.1\n"
				       "nameserver 2001:db8:1::1\n"
				       "nameserver 192.0.2.53\n"
				       "nameserver 10.0.0.53\n"
				       "nameserver 2001:db8::53\n");
	free(out);
}

static void test_only_sources_that_carry_traffic(void **s)
{
	(void)s;
	const char *names[] = { "dhcp4.hybrid0.json", "pppoe.json", "lte.json", "netlinkd.json" };
	const char *texts[] = {
		"{\"state\":\"unbound\",\"dns\":[\"192.0.2.1\"]}",
		"{\"state\":\"lcp\",\"ipv4\":null}",
		"{\"state\":\"connected\",\"dns4\":[\"10.0.0.53\"]}",
		"{\"state\":\"applied\",\"dns\":[\"6.6.6.6\"]}", /* not a DNS source at all */
	};
	char *out = render(4, names, texts);
	assert_string_equal(body(out), "nameserver 10.0.0.53\n");
	free(out);
}

static void test_nothing_up_says_so(void **s)
{
	(void)s;
	const char *names[] = { "pppoe.json", "lte.json" };
	const char *texts[] = { "{\"state\":\"down\"}", NULL };
	char *out = render(2, names, texts);
	assert_string_equal(body(out), "# none: no WAN link is up\n");
	free(out);
}

static void test_hostile_shapes_are_skipped(void **s)
{
	(void)s;
	/* Readers check state files against their schema first; this is the
	 * second line: wrong types never turn into lines. */
	const char *names[] = { "pppoe.json", "dhcp4.x.json", "lte.json" };
	const char *texts[] = {
		"{\"state\":\"up\",\"ipv4\":{\"dns\":\"192.0.2.1\"}}",
		"{\"state\":7,\"dns\":[\"192.0.2.2\"]}",
		"{\"state\":\"connected\",\"dns4\":[1,null,{\"a\":1}]}",
	};
	char *out = render(3, names, texts);
	assert_string_equal(body(out), "# none: no WAN link is up\n");
	free(out);
}

static void test_schema_by_file_name(void **s)
{
	(void)s;
	assert_non_null(hgw_resolv_schema("dhcp4.hybrid0.json"));
	assert_non_null(hgw_resolv_schema("dhcp6.ppp0.json"));
	assert_non_null(hgw_resolv_schema("pppoe.json"));
	assert_non_null(hgw_resolv_schema("lte.json"));
	assert_null(hgw_resolv_schema("hybrid.json"));
	assert_null(hgw_resolv_schema("pppoe.json.bak"));
	assert_null(hgw_resolv_schema("dhcp4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_bond_then_dsl_then_lte),
		cmocka_unit_test(test_only_sources_that_carry_traffic),
		cmocka_unit_test(test_nothing_up_says_so),
		cmocka_unit_test(test_hostile_shapes_are_skipped),
		cmocka_unit_test(test_schema_by_file_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
