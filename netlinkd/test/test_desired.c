/* The desired-state function with fake inputs: a full Telekom-hybrid
 * situation, one input changed at a time, prefix delegation edge cases. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nltest.h"
#include "state_schemas.h"

#define NOW 1800000000LL

static const char *CFG =
	"{\"netlinkd\": {\"lan\": ["
	" {\"name\": \"lan0\", \"addresses\": [\"192.168.1.1/24\", \"fe80::1/64\", \"fd00:1::1/64\"]},"
	" {\"name\": \"lan1\", \"addresses\": [\"192.168.2.1/24\"], \"subnet_id\": 5, \"mtu\": 1400},"
	" {\"name\": \"lan2\"}]}}";

struct world {
	struct nl_config cfg;
	json_t *lte, *pppoe, *hybrid, *d4, *d6;
	struct nl_inputs in;
	struct nl_pd_hist hist;
	struct nl_desired d;
};

static char *fmt_d6(char *buf, size_t len, const char *state, const char *prefix, long pref,
		    long valid)
{
	snprintf(buf, len,
		 "{\"version\":1,\"writer\":\"dhcp6c\",\"interface\":\"tun0\",\"state\":\"%s\","
		 "\"prefixes\":[{\"prefix\":\"%s\",\"preferred_until\":%lld,\"valid_until\":%lld}],"
		 "\"addresses\":[{\"address\":\"2001:db8:300::5\",\"preferred_until\":%lld,"
		 "\"valid_until\":%lld}]}",
		 state, prefix, NOW + pref, NOW + valid, NOW + pref, NOW + valid);
	return buf;
}

static void world_full(struct world *w)
{
	memset(w, 0, sizeof(*w));
	nt_config(CFG, &w->cfg);
	w->lte = nt_doc("{\"version\":1,\"writer\":\"lte-modemd\",\"state\":\"connected\","
			"\"interface\":\"wwan0\",\"ipv6\":\"2001:db8:100::2/64\","
			"\"gateway6\":\"2001:db8:100::1\",\"mtu\":1500}",
			hgw_schema_lte);
	w->pppoe = nt_doc("{\"version\":1,\"writer\":\"pppoed\",\"state\":\"up\",\"interface\":\"ppp0\","
			  "\"mtu\":1492,\"ipv4\":{\"address\":\"198.51.100.2\",\"peer\":\"198.51.100.1\"},"
			  "\"ipv6\":{\"local\":\"fe80::2\",\"peer\":\"fe80::1\"}}",
			  hgw_schema_pppoe);
	w->hybrid = nt_doc("{\"version\":1,\"writer\":\"hybridd\",\"tunnels\":{\"lte\":{\"state\":\"up\"},\"dsl\":{\"state\":\"up\"}},\"state\":\"bonded\","
			   "\"interface\":\"tun0\"}",
			   hgw_schema_hybrid);
	w->d4 = nt_doc("{\"version\":1,\"writer\":\"dhcp4c\",\"interface\":\"tun0\",\"state\":\"bound\","
		       "\"address\":\"203.0.113.5/32\",\"mtu\":1400}",
		       hgw_schema_dhcp4);
	char b[600];
	w->d6 = nt_doc(fmt_d6(b, sizeof(b), "bound", "2001:db8:200::/56", 3600, 7200), hgw_schema_dhcp6);
	w->in.now = NOW;
}

static void world_run(struct world *w)
{
	w->in.lte = w->lte;
	w->in.pppoe = w->pppoe;
	w->in.hybrid = w->hybrid;
	w->in.dhcp4[NL_WAN_TUNNEL] = w->d4;
	w->in.dhcp6[NL_WAN_TUNNEL] = w->d6;
	nl_desired_compute(&w->cfg, &w->in, &w->hist, &w->d);
}

static void world_free(struct world *w)
{
	json_decref(w->lte);
	json_decref(w->pppoe);
	json_decref(w->hybrid);
	json_decref(w->d4);
	json_decref(w->d6);
}

static void test_full_hybrid(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	world_run(&w);
	struct nl_desired *d = &w.d;
	assert_int_equal(d->n_problems, 0);
	assert_string_equal(d->wan_if[NL_WAN_TUNNEL], "tun0");
	assert_string_equal(d->wan_if[NL_WAN_DSL], "ppp0");
	assert_string_equal(d->wan_if[NL_WAN_LTE], "wwan0");

	/* LAN statics, the PD /64s by subnet id: lan0 -> 0, lan1 -> 5 (fixed),
	 * lan2 -> 1 (next free). */
	assert_non_null(nt_find_addr(d, "lan0", "192.168.1.1/24"));
	assert_non_null(nt_find_addr(d, "lan0", "fe80::1/64"));
	assert_non_null(nt_find_addr(d, "lan0", "fd00:1::1/64"));
	const struct nl_addr *a = nt_find_addr(d, "lan0", "2001:db8:200::1/64");
	assert_non_null(a);
	assert_int_equal(a->preferred, 3600);
	assert_int_equal(a->valid, 7200);
	assert_non_null(nt_find_addr(d, "lan1", "2001:db8:200:5::1/64"));
	assert_non_null(nt_find_addr(d, "lan2", "2001:db8:200:1::1/64"));

	/* WAN addresses: PPP /32 with peer, link-local pair, tunnel lease,
	 * IA_NA, LTE bearer. */
	a = nt_find_addr(d, "ppp0", "198.51.100.2/32");
	assert_non_null(a);
	assert_true(a->has_peer);
	char b[64];
	assert_string_equal(nl_fmt_addr(AF_INET, a->peer, b, sizeof(b)), "198.51.100.1");
	assert_non_null(nt_find_addr(d, "ppp0", "fe80::2/128"));
	assert_non_null(nt_find_addr(d, "tun0", "203.0.113.5/32"));
	assert_non_null(nt_find_addr(d, "tun0", "2001:db8:300::5/128"));
	assert_non_null(nt_find_addr(d, "wwan0", "2001:db8:100::2/64"));
	/* The tunnel's link-local (addr_gen_mode 1 makes none; DHCPv6 needs one). */
	assert_non_null(nt_find_addr(d, "tun0", "fe80::2/64"));
	assert_null(nt_find_rule(d, "fe80::2/128", 201));

	/* Default routes in main by metric: tunnel 100, DSL 200, LTE 300. */
	const struct nl_route *r = nt_find_route(d, "default4", RT_TABLE_MAIN);
	assert_non_null(r);
	assert_string_equal(r->oif, "tun0");
	assert_int_equal(r->metric, 100);
	int n4 = 0, n6 = 0;
	for (int i = 0; i < d->n_routes; i++) {
		const struct nl_route *x = &d->routes[i];
		if (x->table != RT_TABLE_MAIN || x->dst_len != 0)
			continue;
		if (x->family == AF_INET) {
			n4++;
			if (strcmp(x->oif, "ppp0") == 0) {
				assert_int_equal(x->metric, 200);
				assert_false(x->has_gw); /* point-to-point */
			}
		} else {
			n6++;
			if (strcmp(x->oif, "wwan0") == 0) {
				assert_int_equal(x->metric, 300);
				assert_true(x->has_gw);
			}
		}
	}
	assert_int_equal(n4, 2); /* tunnel, DSL (LTE is IPv6-only here) */
	assert_int_equal(n6, 3);
	/* Per-WAN tables. */
	assert_non_null(nt_find_route(d, "default4", 201));
	assert_non_null(nt_find_route(d, "default6", 201));
	assert_non_null(nt_find_route(d, "default4", 202));
	r = nt_find_route(d, "default6", 203);
	assert_non_null(r);
	assert_string_equal(r->oif, "wwan0");
	/* The unreachable cover for the delegated prefix. */
	r = nt_find_route(d, "2001:db8:200::/56", RT_TABLE_MAIN);
	assert_non_null(r);
	assert_int_equal(r->type, RTN_UNREACHABLE);

	/* Source rules so hybridd's LTE tunnel leaves through LTE. */
	const struct nl_rule *ru = nt_find_rule(d, "2001:db8:100::2/128", 203);
	assert_non_null(ru);
	assert_true(ru->prio >= w.cfg.owner.prio_min && ru->prio <= w.cfg.owner.prio_max);
	assert_non_null(nt_find_rule(d, "198.51.100.2/32", 202));
	assert_non_null(nt_find_rule(d, "203.0.113.5/32", 201));
	assert_non_null(nt_find_rule(d, "2001:db8:300::5/128", 201));
	/* No rule for a link-local source. */
	for (int i = 0; i < d->n_rules; i++)
		assert_false(d->rules[i].src[0] == 0xfe && d->rules[i].family == AF_INET6);

	/* Sysctls. */
	assert_string_equal(nt_find_sysctl(d, "net/ipv4/ip_forward"), "1");
	assert_string_equal(nt_find_sysctl(d, "net/ipv6/conf/all/forwarding"), "1");
	assert_string_equal(nt_find_sysctl(d, "net/ipv6/conf/tun0/addr_gen_mode"), "1");
	assert_string_equal(nt_find_sysctl(d, "net/ipv6/conf/tun0/disable_ipv6"), "0");
	assert_string_equal(nt_find_sysctl(d, "net/ipv6/conf/ppp0/accept_ra"), "2");

	/* Links: MTUs from state and config. */
	int seen = 0;
	for (int i = 0; i < d->n_links; i++) {
		const struct nl_link *l = &d->links[i];
		assert_true(l->up);
		if (strcmp(l->ifname, "ppp0") == 0)
			assert_int_equal(l->mtu, 1492), seen++;
		if (strcmp(l->ifname, "tun0") == 0)
			assert_int_equal(l->mtu, 1400), seen++;
		if (strcmp(l->ifname, "lan1") == 0)
			assert_int_equal(l->mtu, 1400), seen++;
	}
	assert_int_equal(seen, 3);
	world_free(&w);
}

static void test_ppp_drops(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	world_run(&w);
	int routes = w.d.n_routes, rules = w.d.n_rules;
	json_object_set_new(w.pppoe, "state", json_string("lcp"));
	world_run(&w);
	assert_string_equal(w.d.wan_if[NL_WAN_DSL], "");
	assert_null(nt_find_addr(&w.d, "ppp0", "198.51.100.2/32"));
	assert_null(nt_find_route(&w.d, "default4", 202));
	assert_null(nt_find_rule(&w.d, "198.51.100.2/32", 202));
	/* Exactly DSL's share went: 2 v4 + 2 v6 defaults, 1 rule. */
	assert_int_equal(w.d.n_routes, routes - 4);
	assert_int_equal(w.d.n_rules, rules - 1);
	/* Tunnel still default. */
	assert_non_null(nt_find_route(&w.d, "default4", RT_TABLE_MAIN));
	world_free(&w);
}

static void test_tunnel_down_falls_back(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	json_object_set_new(w.hybrid, "state", json_string("down"));
	world_run(&w);
	const struct nl_route *r = nt_find_route(&w.d, "default4", RT_TABLE_MAIN);
	assert_non_null(r);
	assert_string_equal(r->oif, "ppp0"); /* DSL takes over */
	/* The tunnel's leases are not applied while it is down. */
	assert_null(nt_find_addr(&w.d, "tun0", "203.0.113.5/32"));
	assert_null(nt_find_addr(&w.d, "lan0", "2001:db8:200::1/64"));
	world_free(&w);
}

static void test_tunnel_carries_while_dsl_is_set_up(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	/* hybridd's state while the DSL tunnel is being (re)established over a
	 * working LTE tunnel: the bond stays the default route. */
	json_object_set_new(w.hybrid, "state", json_string("dsl-setup"));
	world_run(&w);
	const struct nl_route *r = nt_find_route(&w.d, "default4", RT_TABLE_MAIN);
	assert_non_null(r);
	assert_string_equal(r->oif, "tun0");
	assert_non_null(nt_find_addr(&w.d, "tun0", "203.0.113.5/32"));
	world_free(&w);
}

static void test_lte_drops(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	world_run(&w);
	assert_non_null(nt_find_rule(&w.d, "2001:db8:100::2/128", 203));
	json_object_set_new(w.lte, "state", json_string("searching"));
	world_run(&w);
	assert_null(nt_find_rule(&w.d, "2001:db8:100::2/128", 203));
	assert_null(nt_find_addr(&w.d, "wwan0", "2001:db8:100::2/64"));
	assert_null(nt_find_route(&w.d, "default6", 203));
	world_free(&w);
}

static void test_prefix_change_deprecates(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	world_run(&w);
	char b[600];
	json_decref(w.d6);
	w.d6 = nt_doc(fmt_d6(b, sizeof(b), "bound", "2001:db8:400::/56", 3600, 7200), hgw_schema_dhcp6);
	w.in.now = NOW + 100;
	world_run(&w);
	const struct nl_addr *old = nt_find_addr(&w.d, "lan0", "2001:db8:200::1/64");
	assert_non_null(old);
	assert_int_equal(old->preferred, 0);
	assert_int_equal(old->valid, 7100);
	const struct nl_addr *nw = nt_find_addr(&w.d, "lan0", "2001:db8:400::1/64");
	assert_non_null(nw);
	assert_int_equal(nw->preferred, 3600 - 100);
	/* Only the new prefix gets the unreachable cover. */
	assert_null(nt_find_route(&w.d, "2001:db8:200::/56", RT_TABLE_MAIN));
	assert_non_null(nt_find_route(&w.d, "2001:db8:400::/56", RT_TABLE_MAIN));
	/* After the old valid lifetime ends, it is gone. */
	w.in.now = NOW + 7200;
	world_run(&w);
	assert_null(nt_find_addr(&w.d, "lan0", "2001:db8:200::1/64"));
	world_free(&w);
}

static void test_lease_lost_withdraws(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	world_run(&w);
	/* Released: nothing of it stays, not even deprecated. */
	json_object_set_new(w.d6, "state", json_string("released"));
	world_run(&w);
	assert_null(nt_find_addr(&w.d, "lan0", "2001:db8:200::1/64"));
	assert_null(nt_find_addr(&w.d, "tun0", "2001:db8:300::5/128"));
	assert_null(nt_find_route(&w.d, "2001:db8:200::/56", RT_TABLE_MAIN));
	/* The file vanishing is the same. */
	world_free(&w);
	world_full(&w);
	world_run(&w);
	json_decref(w.d6);
	w.d6 = NULL;
	world_run(&w);
	assert_null(nt_find_addr(&w.d, "lan0", "2001:db8:200::1/64"));
	world_free(&w);
}

static void test_lease_expired_not_applied(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	w.in.now = NOW + 7200; /* valid_until reached */
	world_run(&w);
	assert_null(nt_find_addr(&w.d, "lan0", "2001:db8:200::1/64"));
	assert_null(nt_find_addr(&w.d, "tun0", "2001:db8:300::5/128"));
	world_free(&w);
}

static void pd_case(const char *prefix, int lan_count, const char *const *want, int problems)
{
	struct world w;
	world_full(&w);
	char cfg[512] = "{\"netlinkd\": {\"lan\": [";
	for (int i = 0; i < lan_count; i++) {
		size_t l = strlen(cfg);
		snprintf(cfg + l, sizeof(cfg) - l, "%s{\"name\": \"lan%d\"}", i ? "," : "", i);
	}
	strcat(cfg, "]}}");
	nt_config(cfg, &w.cfg);
	char b[600];
	json_decref(w.d6);
	w.d6 = nt_doc(fmt_d6(b, sizeof(b), "bound", prefix, 3600, 7200), hgw_schema_dhcp6);
	world_run(&w);
	for (int i = 0; i < lan_count && want[i]; i++) {
		char ifn[16];
		snprintf(ifn, sizeof(ifn), "lan%d", i);
		if (!nt_find_addr(&w.d, ifn, want[i]))
			fail_msg("%s: %s should have %s", prefix, ifn, want[i]);
	}
	assert_int_equal(w.d.n_problems, problems);
	world_free(&w);
}

static void test_pd_sizes(void **s)
{
	(void)s;
	static const char *const w56[] = { "2001:db8:aa00::1/64", "2001:db8:aa00:1::1/64",
					   "2001:db8:aa00:2::1/64" };
	pd_case("2001:db8:aa00::/56", 3, w56, 0);
	static const char *const w60[] = { "2001:db8:bb:a0::1/64", "2001:db8:bb:a1::1/64" };
	pd_case("2001:db8:bb:a0::/60", 2, w60, 0);
	/* A /61 has 8 /64s: 8 LANs fit, a 9th does not (reported). */
	static const char *const w61[] = { "2001:db8:cc:8::1/64", "2001:db8:cc:9::1/64",
					   "2001:db8:cc:a::1/64", "2001:db8:cc:b::1/64",
					   "2001:db8:cc:c::1/64", "2001:db8:cc:d::1/64",
					   "2001:db8:cc:e::1/64", "2001:db8:cc:f::1/64", NULL };
	pd_case("2001:db8:cc:8::/61", 8, w61, 0);
	pd_case("2001:db8:cc:8::/61", 9, w61, 1);
	/* A /64 serves exactly one LAN. */
	static const char *const w64[] = { "2001:db8:dd:1::1/64", NULL };
	pd_case("2001:db8:dd:1::/64", 2, w64, 1);
	/* Longer than /64: reported, nothing assigned. */
	static const char *const none[] = { NULL };
	pd_case("2001:db8:ee:1::/72", 1, none, 1);
}

static void test_pd_subnet_math(void **s)
{
	(void)s;
	uint8_t p[16], o[16];
	char b[64];
	inet_pton(AF_INET6, "2001:db8:ff00::", p);
	assert_int_equal(nl_pd_subnet(p, 56, 0xff, o), 0);
	assert_string_equal(nl_fmt_addr(AF_INET6, o, b, sizeof(b)), "2001:db8:ff00:ff::");
	assert_int_equal(nl_pd_subnet(p, 56, 0x100, o), -1);
	/* Host bits of the given prefix are cleared. */
	inet_pton(AF_INET6, "2001:db8:ff00:12:1:2:3:4", p);
	assert_int_equal(nl_pd_subnet(p, 56, 3, o), 0);
	assert_string_equal(nl_fmt_addr(AF_INET6, o, b, sizeof(b)), "2001:db8:ff00:3::");
	assert_int_equal(nl_pd_subnet(p, 48, 0xffff, o), 0);
	assert_string_equal(nl_fmt_addr(AF_INET6, o, b, sizeof(b)), "2001:db8:ff00:ffff::");
	assert_int_equal(nl_pd_subnet(p, 65, 0, o), -1);
	assert_int_equal(nl_pd_subnet(p, 0, 0xffffffffu, o), 0);
}

static void test_dhcp4_routes_option121(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	json_decref(w.d4);
	w.d4 = nt_doc("{\"version\":1,\"writer\":\"dhcp4c\",\"interface\":\"tun0\",\"state\":\"bound\","
		      "\"address\":\"203.0.113.5/24\",\"router\":\"203.0.113.1\","
		      "\"routes\":[{\"prefix\":\"10.1.2.3/16\",\"via\":\"203.0.113.9\"},"
		      "{\"prefix\":\"0.0.0.0/0\",\"via\":\"203.0.113.254\"}]}",
		      hgw_schema_dhcp4);
	world_run(&w);
	char b[64];
	const struct nl_route *r = nt_find_route(&w.d, "10.1.0.0/16", RT_TABLE_MAIN);
	assert_non_null(r);
	assert_string_equal(nl_fmt_addr(AF_INET, r->gw, b, sizeof(b)), "203.0.113.9");
	/* RFC 3442: with option 121 the router option is ignored. */
	r = nt_find_route(&w.d, "default4", RT_TABLE_MAIN);
	assert_non_null(r);
	assert_string_equal(nl_fmt_addr(AF_INET, r->gw, b, sizeof(b)), "203.0.113.254");
	assert_non_null(nt_find_route(&w.d, "default4", 201));
	world_free(&w);
}

static void test_dhcp4_not_bound(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	json_object_set_new(w.d4, "state", json_string("selecting"));
	world_run(&w);
	assert_null(nt_find_addr(&w.d, "tun0", "203.0.113.5/32"));
	assert_null(nt_find_route(&w.d, "default4", 201));
	/* IPv6 through the tunnel is unaffected. */
	assert_non_null(nt_find_route(&w.d, "default6", 201));
	world_free(&w);
}

static void test_kernel_tunnels(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	json_decref(w.hybrid);
	w.hybrid = nt_doc("{\"version\":1,\"writer\":\"hybridd\",\"tunnels\":{\"lte\":{\"state\":\"up\"},\"dsl\":{\"state\":\"up\"}},\"state\":\"lte\",\"interface\":\"gre1\","
			  "\"mode\":\"kernel\",\"kernel_tunnels\":[{\"name\":\"gre1\","
			  "\"local\":\"2001:db8:100::2\",\"remote\":\"2001:db8:ffff::1\","
			  "\"ikey\":305419896,\"okey\":305419896,\"mtu\":1448}]}",
			  hgw_schema_hybrid);
	world_run(&w);
	assert_int_equal(w.d.n_tunnels, 1);
	assert_string_equal(w.d.tunnels[0].ifname, "gre1");
	assert_int_equal(w.d.tunnels[0].ikey, 305419896);
	assert_int_equal(w.d.tunnels[0].mtu, 1448);
	assert_string_equal(w.d.wan_if[NL_WAN_TUNNEL], "gre1");
	/* Userspace mode: no kernel tunnel even if listed. */
	json_object_set_new(w.hybrid, "mode", json_string("userspace"));
	world_run(&w);
	assert_int_equal(w.d.n_tunnels, 0);
	world_free(&w);
}

static void test_same_interface_two_wans(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	json_object_set_new(w.lte, "interface", json_string("ppp0"));
	world_run(&w);
	/* DSL (preferred) keeps ppp0; LTE is treated as down. */
	assert_string_equal(w.d.wan_if[NL_WAN_DSL], "ppp0");
	assert_string_equal(w.d.wan_if[NL_WAN_LTE], "");
	world_free(&w);
}

static void test_kernel_slaac_on_wan(void **s)
{
	(void)s;
	struct world w;
	world_full(&w);
	/* DSL has only its link-local from IPv6CP; the kernel did SLAAC on
	 * ppp0 and learnt a default router; a user's address is also there. */
	static struct nl_kstate k;
	memset(&k, 0, sizeof(k));
	struct nl_addr *a = &k.addrs[k.n_addrs++];
	strcpy(a->ifname, "ppp0");
	a->family = AF_INET6;
	a->plen = 64;
	a->proto = 2; /* IFAPROT_KERNEL_RA */
	inet_pton(AF_INET6, "2001:db8:d51::1234", a->local);
	a = &k.addrs[k.n_addrs++];
	strcpy(a->ifname, "ppp0");
	a->family = AF_INET6;
	a->plen = 64;
	a->proto = 0; /* a user's: not a reason for a rule */
	inet_pton(AF_INET6, "2001:db8:d52::1", a->local);
	struct nl_route *r = &k.routes[k.n_routes++];
	r->family = AF_INET6;
	r->table = RT_TABLE_MAIN;
	r->proto = RTPROT_RA;
	r->has_gw = true;
	inet_pton(AF_INET6, "fe80::99", r->gw);
	strcpy(r->oif, "ppp0");
	w.in.kernel = &k;
	world_run(&w);
	assert_non_null(nt_find_rule(&w.d, "2001:db8:d51::1234/128", 202));
	assert_null(nt_find_rule(&w.d, "2001:db8:d52::1/128", 202));
	const struct nl_route *t = nt_find_route(&w.d, "default6", 202);
	assert_non_null(t);
	assert_true(t->has_gw);
	char b[64];
	assert_string_equal(nl_fmt_addr(AF_INET6, t->gw, b, sizeof(b)), "fe80::99");
	/* The kernel's address is not netlinkd's to add. */
	assert_null(nt_find_addr(&w.d, "ppp0", "2001:db8:d51::1234/64"));
	world_free(&w);
}

static void test_no_inputs(void **s)
{
	(void)s;
	struct world w;
	memset(&w, 0, sizeof(w));
	nt_config("{}", &w.cfg);
	nl_desired_compute(&w.cfg, &w.in, &w.hist, &w.d);
	assert_int_equal(w.d.n_addrs, 0);
	assert_int_equal(w.d.n_routes, 0);
	assert_int_equal(w.d.n_rules, 0);
	assert_int_equal(w.d.n_sysctls, 2); /* forwarding */
	nt_config("{\"netlinkd\": {\"forwarding\": false}}", &w.cfg);
	nl_desired_compute(&w.cfg, &w.in, &w.hist, &w.d);
	assert_int_equal(w.d.n_sysctls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_hybrid),
		cmocka_unit_test(test_ppp_drops),
		cmocka_unit_test(test_tunnel_down_falls_back),
		cmocka_unit_test(test_tunnel_carries_while_dsl_is_set_up),
		cmocka_unit_test(test_lte_drops),
		cmocka_unit_test(test_prefix_change_deprecates),
		cmocka_unit_test(test_lease_lost_withdraws),
		cmocka_unit_test(test_lease_expired_not_applied),
		cmocka_unit_test(test_pd_sizes),
		cmocka_unit_test(test_pd_subnet_math),
		cmocka_unit_test(test_dhcp4_routes_option121),
		cmocka_unit_test(test_dhcp4_not_bound),
		cmocka_unit_test(test_kernel_tunnels),
		cmocka_unit_test(test_same_interface_two_wans),
		cmocka_unit_test(test_kernel_slaac_on_wan),
		cmocka_unit_test(test_no_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
