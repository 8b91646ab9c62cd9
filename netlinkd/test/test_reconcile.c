/* Reconcile against the dummy kernel: idempotence (the second run sends
 * nothing), ownership (foreign objects survive everything, cleanup included),
 * failures reported with the kernel's words, restart adoption. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../backend.h"
#include "../reconcile.h"
#include "nltest.h"
#include "state_schemas.h"

#define NOW 1800000000LL

static const char *CFG = "{\"netlinkd\": {\"lan\": ["
			 " {\"name\": \"lan0\", \"addresses\": [\"192.168.1.1/24\", \"fe80::1/64\"]},"
			 " {\"name\": \"lan1\", \"mtu\": 1400}]}}";

struct rig {
	struct nl_config cfg;
	struct nl_backend *be;
	struct nl_reconcile *r;
	json_t *pppoe, *hybrid, *d4, *d6;
	struct nl_inputs in;
};

static void d6_set(struct rig *g, const char *prefix, long pref, long valid)
{
	char b[600];
	snprintf(b, sizeof(b),
		 "{\"version\":1,\"writer\":\"dhcp6c\",\"interface\":\"tun0\",\"state\":\"bound\","
		 "\"prefixes\":[{\"prefix\":\"%s\",\"preferred_until\":%lld,\"valid_until\":%lld}]}",
		 prefix, NOW + pref, NOW + valid);
	json_decref(g->d6);
	g->d6 = nt_doc(b, hgw_schema_dhcp6);
}

static void rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	nt_config(CFG, &g->cfg);
	g->be = nl_backend_dummy();
	for (const char *const *n = (const char *const[]){ "lo", "lan0", "lan1", "ppp0", "tun0", NULL };
	     *n; n++)
		nl_dummy_add_link(g->be, *n, 1500, strcmp(*n, "lo") == 0);
	g->r = nl_reconcile_new(g->be, &g->cfg);
	g->pppoe = nt_doc("{\"version\":1,\"writer\":\"pppoed\",\"state\":\"up\",\"interface\":\"ppp0\","
			  "\"mtu\":1492,\"ipv4\":{\"address\":\"198.51.100.2\",\"peer\":\"198.51.100.1\"}}",
			  hgw_schema_pppoe);
	g->hybrid = nt_doc("{\"version\":1,\"writer\":\"hybridd\",\"tunnels\":{\"lte\":{\"state\":\"up\"},\"dsl\":{\"state\":\"up\"}},\"state\":\"bonded\","
			   "\"interface\":\"tun0\"}",
			   hgw_schema_hybrid);
	g->d4 = nt_doc("{\"version\":1,\"writer\":\"dhcp4c\",\"interface\":\"tun0\",\"state\":\"bound\","
		       "\"address\":\"203.0.113.5/32\"}",
		       hgw_schema_dhcp4);
	d6_set(g, "2001:db8:200::/56", 3600, 7200);
	g->in.now = NOW;
}

static int rig_run(struct rig *g)
{
	g->in.pppoe = g->pppoe;
	g->in.hybrid = g->hybrid;
	g->in.dhcp4[NL_WAN_TUNNEL] = g->d4;
	g->in.dhcp6[NL_WAN_TUNNEL] = g->d6;
	return nl_reconcile_run(g->r, &g->in, false);
}

static void rig_free(struct rig *g)
{
	nl_reconcile_free(g->r);
	g->be->free(g->be);
	json_decref(g->pppoe);
	json_decref(g->hybrid);
	json_decref(g->d4);
	json_decref(g->d6);
}

static unsigned long writes(const struct rig *g)
{
	return g->be->netlink_writes + g->be->sysctl_writes;
}

static void test_apply_twice_sends_nothing(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	assert_int_equal(rig_run(&g), 0);
	assert_true(g.r->applied > 20);
	unsigned long w1 = writes(&g);
	assert_int_equal(w1, (unsigned long)g.r->applied);
	/* Second run, same inputs, ten seconds later (lifetimes ticked). */
	g.in.now += 10;
	assert_int_equal(rig_run(&g), 0);
	assert_int_equal(g.r->ops.n, 0);
	assert_int_equal(writes(&g), w1);
	/* Kernel state matches: the report says every object is applied. */
	json_t *rep = nl_reconcile_report(g.r);
	assert_int_equal(json_integer_value(json_object_get(rep, "failed")), 0);
	assert_int_equal(json_array_size(json_object_get(rep, "errors")), 0);
	struct hgw_errors e = { 0 };
	assert_int_equal(hgw_schema_check(rep, hgw_schema_netlinkd, "netlinkd.json", &e), 0);
	json_decref(rep);
	struct nl_kstate *k = nl_dummy_state(g.be);
	for (int i = 0; i < k->n_links; i++)
		if (strcmp(k->links[i].ifname, "lan1") == 0)
			assert_int_equal(k->links[i].mtu, 1400);
	assert_string_equal(nl_dummy_sysctl(g.be, "net/ipv6/conf/tun0/addr_gen_mode"), "1");
	rig_free(&g);
}

static void test_one_change_one_difference(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	rig_run(&g);
	/* PPP drops: exactly its address, 4 routes (v4 default in table 202
	 * and main... v4 only here: 2), 1 rule go; nothing else is touched. */
	json_object_set_new(g.pppoe, "state", json_string("discovery"));
	rig_run(&g);
	int del_addr = 0, del_route = 0, del_rule = 0, fw = 0, other = 0;
	for (int i = 0; i < g.r->ops.n; i++) {
		switch (g.r->ops.op[i].type) {
		case NL_OP_ADDR_DEL: del_addr++; break;
		case NL_OP_ROUTE_DEL: del_route++; break;
		case NL_OP_RULE_DEL: del_rule++; break;
		case NL_OP_FW_REPLACE: fw++; break; /* no masquerade on ppp0 */
		default: other++; break;
		}
	}
	assert_int_equal(del_addr, 1);
	assert_int_equal(del_route, 2);
	assert_int_equal(del_rule, 1);
	assert_int_equal(fw, 1);
	assert_int_equal(other, 0);
	rig_free(&g);
}

static void test_prefix_change_deprecates_in_kernel(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	rig_run(&g);
	d6_set(&g, "2001:db8:400::/56", 3600, 7200);
	g.in.now += 60;
	rig_run(&g);
	struct nl_kstate *k = nl_dummy_state(g.be);
	int old = 0, new = 0;
	char b[64];
	for (int i = 0; i < k->n_addrs; i++) {
		const struct nl_addr *a = &k->addrs[i];
		if (strcmp(a->ifname, "lan0") || a->family != AF_INET6 || a->plen != 64)
			continue;
		nl_fmt_addr(AF_INET6, a->local, b, sizeof(b));
		if (strcmp(b, "2001:db8:200::1") == 0) {
			old++;
			assert_int_equal(a->preferred, 0);
			assert_int_equal(a->valid, 7200 - 60);
		} else if (strcmp(b, "2001:db8:400::1") == 0) {
			new++;
			assert_int_equal(a->preferred, 3600 - 60);
		}
	}
	assert_int_equal(old, 1);
	assert_int_equal(new, 1);
	/* Applying again changes nothing. */
	unsigned long w = writes(&g);
	g.in.now += 5;
	rig_run(&g);
	assert_int_equal(writes(&g), w);
	rig_free(&g);
}

static void test_foreign_objects_survive(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	struct nl_kstate *k = nl_dummy_state(g.be);
	/* A user's route in a WAN table, with the same key as one of ours in
	 * main, an address, and a rule inside netlinkd's priority range. */
	struct nl_route ur = { .family = AF_INET, .dst_len = 24, .type = RTN_UNICAST, .table = 201,
			       .metric = 5, .proto = RTPROT_BOOT };
	inet_pton(AF_INET, "10.9.9.0", ur.dst);
	strcpy(ur.oif, "lan0");
	k->routes[k->n_routes++] = ur;
	struct nl_route ud = { .family = AF_INET, .type = RTN_UNICAST, .table = RT_TABLE_MAIN,
			       .metric = 100, .proto = RTPROT_STATIC };
	strcpy(ud.oif, "lan1");
	k->routes[k->n_routes++] = ud;
	struct nl_addr ua = { .family = AF_INET, .plen = 24, .preferred = NL_LFT_FOREVER,
			      .valid = NL_LFT_FOREVER };
	strcpy(ua.ifname, "lan0");
	inet_pton(AF_INET, "10.7.7.1", ua.local);
	k->addrs[k->n_addrs++] = ua;
	struct nl_rule uru = { .family = AF_INET, .prio = 10150, .table = 77, .proto = 0 };
	k->rules[k->n_rules++] = uru;

	rig_run(&g);
	/* Our default in main collides with the user's key: left alone and
	 * reported as present, not replaced. */
	bool found_user_default = false;
	for (int i = 0; i < k->n_routes; i++)
		if (k->routes[i].table == RT_TABLE_MAIN && k->routes[i].dst_len == 0 &&
		    k->routes[i].family == AF_INET && k->routes[i].metric == 100)
			found_user_default = strcmp(k->routes[i].oif, "lan1") == 0 &&
					     k->routes[i].proto == RTPROT_STATIC;
	assert_true(found_user_default);

	/* Cleanup removes everything of ours and nothing else. */
	nl_reconcile_run(g.r, NULL, true);
	assert_int_equal(k->n_addrs, 1);
	assert_int_equal(k->n_routes, 2);
	assert_int_equal(k->n_rules, 1);
	assert_int_equal(k->addrs[0].proto, 0);
	rig_free(&g);
}

static void test_restart_adopts(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	rig_run(&g);
	unsigned long w = writes(&g);
	/* A new reconciler (netlinkd restarted) over the same kernel. */
	nl_reconcile_free(g.r);
	g.r = nl_reconcile_new(g.be, &g.cfg);
	rig_run(&g);
	assert_int_equal(writes(&g), w);
	/* ...and one with a stale object of ours (input gone while down). */
	nl_reconcile_free(g.r);
	g.r = nl_reconcile_new(g.be, &g.cfg);
	json_decref(g.d4);
	g.d4 = NULL;
	rig_run(&g);
	bool gone = true;
	struct nl_kstate *k = nl_dummy_state(g.be);
	for (int i = 0; i < k->n_addrs; i++)
		if (strcmp(k->addrs[i].ifname, "tun0") == 0 && k->addrs[i].family == AF_INET)
			gone = false;
	assert_true(gone);
	rig_free(&g);
}

static void test_restart_keeps_deprecation(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	rig_run(&g);
	/* netlinkd restarts; meanwhile the prefix changed. */
	nl_reconcile_free(g.r);
	g.r = nl_reconcile_new(g.be, &g.cfg);
	d6_set(&g, "2001:db8:400::/56", 3600, 7200);
	g.in.now += 30;
	rig_run(&g);
	const struct nl_kstate *k = nl_dummy_state(g.be);
	char b[64];
	int old = 0;
	for (int i = 0; i < k->n_addrs; i++)
		if (strcmp(k->addrs[i].ifname, "lan0") == 0 && k->addrs[i].family == AF_INET6 &&
		    strcmp(nl_fmt_addr(AF_INET6, k->addrs[i].local, b, sizeof(b)), "2001:db8:200::1") == 0) {
			old++;
			assert_int_equal(k->addrs[i].preferred, 0);
		}
	assert_int_equal(old, 1);
	/* The lease lost after all: withdrawn. */
	json_object_set_new(g.d6, "state", json_string("released"));
	rig_run(&g);
	for (int i = 0; i < k->n_addrs; i++)
		assert_false(k->addrs[i].family == AF_INET6 && k->addrs[i].valid != NL_LFT_FOREVER);
	rig_free(&g);
}

static void test_missing_interface_reported(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	json_object_set_new(g.pppoe, "interface", json_string("ppp9"));
	rig_run(&g);
	json_t *rep = nl_reconcile_report(g.r);
	assert_true(json_integer_value(json_object_get(rep, "failed")) > 0);
	size_t i;
	json_t *a;
	int seen = 0;
	json_array_foreach(json_object_get(rep, "addresses"), i, a) {
		if (strcmp(json_string_value(json_object_get(a, "interface")), "ppp9") == 0) {
			assert_string_equal(json_string_value(json_object_get(a, "status")), "failed");
			assert_string_equal(json_string_value(json_object_get(a, "error")),
					    "interface ppp9 does not exist");
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	json_decref(rep);
	/* Nothing was sent for it, again and again. */
	unsigned long w = writes(&g);
	rig_run(&g);
	assert_int_equal(writes(&g), w);
	rig_free(&g);
}

static void test_kernel_error_text(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	json_decref(g.hybrid);
	g.hybrid = nt_doc("{\"version\":1,\"writer\":\"hybridd\",\"tunnels\":{\"lte\":{\"state\":\"up\"},\"dsl\":{\"state\":\"up\"}},\"state\":\"lte\",\"interface\":\"gre1\","
			  "\"mode\":\"kernel\",\"kernel_tunnels\":[{\"name\":\"gre1\","
			  "\"local\":\"2001:db8:100::2\",\"remote\":\"2001:db8:ffff::1\","
			  "\"ikey\":1,\"okey\":1}]}",
			  hgw_schema_hybrid);
	nl_dummy_fail(g.be, NL_OP_TUNNEL_ADD, EOPNOTSUPP, "Unknown device type");
	assert_true(rig_run(&g) > 0);
	json_t *rep = nl_reconcile_report(g.r);
	json_t *t = json_array_get(json_object_get(rep, "tunnels"), 0);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "failed");
	const char *err = json_string_value(json_object_get(t, "error"));
	assert_non_null(strstr(err, "Unknown device type"));
	assert_non_null(strstr(err, "no ip6gre support"));
	json_decref(rep);
	/* Once the kernel can, the tunnel is created and marked as ours. */
	nl_dummy_fail(g.be, NL_OP_TUNNEL_ADD, 0, NULL);
	assert_int_equal(rig_run(&g), 0);
	assert_int_equal(rig_run(&g), 0);
	unsigned long w = writes(&g);
	rig_run(&g);
	assert_int_equal(writes(&g), w);
	/* A new session brings a new key: the device is recreated. */
	json_t *kt = json_array_get(json_object_get(g.hybrid, "kernel_tunnels"), 0);
	json_object_set_new(kt, "okey", json_integer(7));
	rig_run(&g);
	int del = 0, add = 0;
	for (int i = 0; i < g.r->ops.n; i++) {
		del += g.r->ops.op[i].type == NL_OP_TUNNEL_DEL;
		add += g.r->ops.op[i].type == NL_OP_TUNNEL_ADD;
	}
	assert_int_equal(del, 1);
	assert_int_equal(add, 1);
	/* Gone from hybrid.json: deleted (it is ours). */
	json_object_set_new(g.hybrid, "kernel_tunnels", json_array());
	rig_run(&g);
	struct nl_kstate *k = nl_dummy_state(g.be);
	for (int i = 0; i < k->n_links; i++)
		assert_string_not_equal(k->links[i].ifname, "gre1");
	rig_free(&g);
}

static void test_rename_by_mac(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	nt_config("{\"netlinkd\": {\"links\": [{\"name\": \"dsl0\", \"mac\": \"02:00:00:00:00:07\","
		  "\"mtu\": 1508}]}}",
		  &g.r->cfg);
	nl_dummy_add_link(g.be, "eth3", 1500, false);
	struct nl_kstate *k = nl_dummy_state(g.be);
	struct nl_klink *l = &k->links[k->n_links - 1];
	memcpy(l->mac, "\x02\0\0\0\0\x07", 6);
	l->has_mac = true;
	assert_int_equal(rig_run(&g), 0);
	assert_string_equal(l->ifname, "dsl0");
	assert_int_equal(l->mtu, 1508);
	assert_true(l->up);
	unsigned long w = writes(&g);
	rig_run(&g);
	assert_int_equal(writes(&g), w);
	rig_free(&g);
}

static void test_delete_failure_reported(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	rig_run(&g);
	json_object_set_new(g.pppoe, "state", json_string("down"));
	nl_dummy_fail(g.be, NL_OP_RULE_DEL, EPERM, "");
	assert_true(rig_run(&g) > 0);
	json_t *rep = nl_reconcile_report(g.r);
	const char *e = json_string_value(json_array_get(json_object_get(rep, "errors"), 0));
	assert_non_null(e);
	assert_non_null(strstr(e, "delete rule"));
	assert_non_null(strstr(e, "Operation not permitted"));
	json_decref(rep);
	rig_free(&g);
}

static int count_eps(struct nl_backend *be, uint32_t flags)
{
	struct nl_kstate *k = nl_dummy_state(be);
	int n = 0;
	for (int i = 0; i < k->n_eps; i++)
		n += k->eps[i].flags == flags;
	return n;
}

static void test_mptcp_modes(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	/* DSL on, tunnel backup; a foreign endpoint (id 1) is there already. */
	nt_config("{\"netlinkd\": {\"wan\": {\"dsl\": {\"mptcp\": \"on\"},"
		  " \"tunnel\": {\"mptcp\": \"backup\"}}, \"mptcp_subflows\": 4}}",
		  &g.r->cfg);
	struct nl_kstate *k = nl_dummy_state(g.be);
	k->eps[k->n_eps++] = (struct nl_endpoint){ .id = 1, .family = AF_INET, .addr = { 10, 0, 0, 1 },
						   .flags = 1 };
	assert_int_equal(rig_run(&g), 0);
	assert_int_equal(count_eps(g.be, 2), 1);     /* DSL 198.51.100.2: subflow */
	assert_int_equal(count_eps(g.be, 2 | 4), 1); /* tunnel 203.0.113.5: backup */
	assert_int_equal(k->mptcp_subflows, 4);
	for (int i = 0; i < k->n_eps; i++)
		if (k->eps[i].flags != 1)
			assert_true(k->eps[i].id >= 100 && k->eps[i].id < 116);
	/* Idempotent, ids kept. */
	uint8_t ids[8];
	for (int i = 0; i < k->n_eps; i++)
		ids[i] = k->eps[i].id;
	unsigned long w = writes(&g);
	rig_run(&g);
	assert_int_equal(writes(&g), w);
	for (int i = 0; i < k->n_eps; i++)
		assert_int_equal(k->eps[i].id, ids[i]);
	/* PPP down: its endpoint goes, the foreign one stays. */
	json_object_set_new(g.pppoe, "state", json_string("down"));
	rig_run(&g);
	assert_int_equal(count_eps(g.be, 2), 0);
	assert_int_equal(count_eps(g.be, 1), 1);
	/* Cleanup leaves the foreign endpoint alone. */
	nl_reconcile_run(g.r, NULL, true);
	assert_int_equal(k->n_eps, 1);
	assert_int_equal(k->eps[0].id, 1);
	rig_free(&g);
}

static void test_mptcp_handover(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	nt_config("{\"netlinkd\": {\"wan\": {\"dsl\": {\"mptcp\": \"handover\"},"
		  " \"tunnel\": {\"mptcp\": \"on\"}}}}",
		  &g.r->cfg);
	rig_run(&g);
	assert_int_equal(count_eps(g.be, 2), 1); /* tunnel only: DSL is not alone */
	json_object_set_new(g.hybrid, "state", json_string("down"));
	rig_run(&g);
	/* Every other WAN down: the DSL handover endpoint appears. */
	struct nl_kstate *k = nl_dummy_state(g.be);
	assert_int_equal(k->n_eps, 1);
	char b[64];
	assert_string_equal(nl_fmt_addr(AF_INET, k->eps[0].addr, b, sizeof(b)), "198.51.100.2");
	rig_free(&g);
}

static void test_mptcp_kernel_limit(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	nt_config("{\"netlinkd\": {\"wan\": {\"dsl\": {\"mptcp\": \"on\"},"
		  " \"tunnel\": {\"mptcp\": \"on\"}}}}",
		  &g.r->cfg);
	/* Seven foreign endpoints: room for one more. */
	struct nl_kstate *k = nl_dummy_state(g.be);
	for (int i = 0; i < 7; i++)
		k->eps[k->n_eps++] = (struct nl_endpoint){ .id = (uint8_t)(i + 1), .family = AF_INET,
							   .addr = { 10, 0, 0, (uint8_t)i }, .flags = 1 };
	assert_true(rig_run(&g) > 0);
	json_t *rep = nl_reconcile_report(g.r);
	json_t *eps = json_object_get(json_object_get(rep, "mptcp"), "endpoints");
	assert_int_equal(json_array_size(eps), 2);
	int failed = 0;
	size_t i;
	json_t *e;
	json_array_foreach(eps, i, e) {
		const char *err = json_string_value(json_object_get(e, "error"));
		if (err) {
			failed++;
			assert_non_null(strstr(err, "at most 8 MPTCP endpoints"));
		}
	}
	assert_int_equal(failed, 1);
	json_decref(rep);
	rig_free(&g);
}

static void test_mptcp_missing_in_kernel(void **s)
{
	(void)s;
	struct rig g;
	rig_init(&g);
	nt_config("{\"netlinkd\": {\"wan\": {\"dsl\": {\"mptcp\": \"on\"}}}}", &g.r->cfg);
	nl_dummy_state(g.be)->mptcp_ok = false;
	assert_true(rig_run(&g) > 0);
	json_t *rep = nl_reconcile_report(g.r);
	const char *err = json_string_value(json_object_get(json_object_get(rep, "mptcp"), "error"));
	assert_non_null(err);
	assert_non_null(strstr(err, "mptcp_pm"));
	json_decref(rep);
	rig_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_twice_sends_nothing),
		cmocka_unit_test(test_one_change_one_difference),
		cmocka_unit_test(test_prefix_change_deprecates_in_kernel),
		cmocka_unit_test(test_foreign_objects_survive),
		cmocka_unit_test(test_restart_adopts),
		cmocka_unit_test(test_restart_keeps_deprecation),
		cmocka_unit_test(test_missing_interface_reported),
		cmocka_unit_test(test_kernel_error_text),
		cmocka_unit_test(test_rename_by_mac),
		cmocka_unit_test(test_delete_failure_reported),
		cmocka_unit_test(test_mptcp_modes),
		cmocka_unit_test(test_mptcp_handover),
		cmocka_unit_test(test_mptcp_kernel_limit),
		cmocka_unit_test(test_mptcp_missing_in_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
