/* Inputs -> desired kernel objects.  Pure: no sockets, no files, no clock.
 *
 * The policy, in one place:
 *  - LAN links up (MTU if configured) with their static addresses;
 *  - each WAN that is up (tunnel: hybrid.json has an interface in state lte,
 *    dsl or bonded; DSL: pppoe.json "up"; LTE: lte.json "connected") gets
 *    its addresses from its state file and its DHCP leases, a routing table
 *    with its default routes, a rule per address "from <addr> lookup
 *    <table>" (so hybridd's tunnel sockets, bound to the LTE or DSL address,
 *    leave through that link), and, if configured, a default route in the
 *    main table at its metric (tunnel 100 < DSL 200 < LTE 300 by default:
 *    the bond when up, plain DSL, then LTE as fallbacks);
 *  - delegated prefixes are split into /64s, one per LAN by subnet id, with
 *    an unreachable route for the whole prefix so unassigned /64s do not
 *    loop back to the provider. */
#include "desired.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/mptcp.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "desired_int.h"
#include "schema.h"

const char *const nl_wan_names[NL_WAN_N] = { "tunnel", "dsl", "lte" };

bool nl_d_str_in(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

void nl_d_problem(struct nl_desired *d, const char *fmt, ...)
{
	if (d->n_problems >= NL_MAX_PROBLEMS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->problems[d->n_problems++].what, sizeof(d->problems[0].what), fmt, ap);
	va_end(ap);
}

/* The interface named by a state document, "" if null. */
static const char *doc_if(const json_t *doc)
{
	const char *s = json_string_value(json_object_get(doc, "interface"));
	return s ? s : "";
}

void nl_wan_interfaces(const struct nl_inputs *in, char ifs[NL_WAN_N][NL_IFNAMSIZ])
{
	/* "dsl-setup" is LTE up while the DSL tunnel is (re)negotiated: the bond
	 * carries traffic over LTE meanwhile, so the tunnel stays a WAN. */
	static const char *const tunnel_up[] = { "lte", "dsl-setup", "bonded", "dsl", NULL };
	memset(ifs, 0, NL_WAN_N * NL_IFNAMSIZ);
	if (in->hybrid && nl_d_str_in(hgw_json_str(in->hybrid, "state"), tunnel_up))
		snprintf(ifs[NL_WAN_TUNNEL], NL_IFNAMSIZ, "%s", doc_if(in->hybrid));
	if (in->pppoe && strcmp(hgw_json_str(in->pppoe, "state"), "up") == 0)
		snprintf(ifs[NL_WAN_DSL], NL_IFNAMSIZ, "%s", doc_if(in->pppoe));
	if (in->lte && strcmp(hgw_json_str(in->lte, "state"), "connected") == 0)
		snprintf(ifs[NL_WAN_LTE], NL_IFNAMSIZ, "%s", doc_if(in->lte));
	/* Two WANs on one device would fight over its routes: the first in
	 * preference order keeps it. */
	for (int w = 1; w < NL_WAN_N; w++)
		for (int k = 0; k < w; k++)
			if (ifs[w][0] && strcmp(ifs[w], ifs[k]) == 0)
				ifs[w][0] = 0;
}

/* ---- adding objects (deduplicated: two inputs may name the same one) ---- */

static struct nl_link *want_link(struct nl_desired *d, const char *ifname)
{
	for (int i = 0; i < d->n_links; i++)
		if (strcmp(d->links[i].ifname, ifname) == 0)
			return &d->links[i];
	if (d->n_links >= NL_MAX_LINKS) {
		nl_d_problem(d, "too many links (max %d), %s left out", NL_MAX_LINKS, ifname);
		return NULL;
	}
	struct nl_link *l = &d->links[d->n_links++];
	memset(l, 0, sizeof(*l));
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	return l;
}

static bool addr_same(const struct nl_addr *a, const struct nl_addr *b)
{
	return a->family == b->family && a->plen == b->plen && strcmp(a->ifname, b->ifname) == 0 &&
	       memcmp(a->local, b->local, 16) == 0;
}

void nl_d_want_addr(struct nl_desired *d, const struct nl_addr *a)
{
	for (int i = 0; i < d->n_addrs; i++)
		if (addr_same(&d->addrs[i], a))
			return;
	if (d->n_addrs >= NL_MAX_ADDRS) {
		nl_d_problem(d, "too many addresses (max %d)", NL_MAX_ADDRS);
		return;
	}
	d->addrs[d->n_addrs++] = *a;
}

void nl_d_want_route(struct nl_desired *d, const struct nl_route *r)
{
	for (int i = 0; i < d->n_routes; i++) {
		const struct nl_route *o = &d->routes[i];
		if (o->family == r->family && o->table == r->table && o->dst_len == r->dst_len &&
		    o->metric == r->metric && memcmp(o->dst, r->dst, 16) == 0)
			return; /* same kernel key: the first (preferred) wins */
	}
	if (d->n_routes >= NL_MAX_ROUTES) {
		nl_d_problem(d, "too many routes (max %d)", NL_MAX_ROUTES);
		return;
	}
	d->routes[d->n_routes++] = *r;
}

static void want_rule(struct nl_desired *d, const struct nl_rule *r)
{
	for (int i = 0; i < d->n_rules; i++) {
		const struct nl_rule *o = &d->rules[i];
		if (o->family == r->family && o->src_len == r->src_len && o->prio == r->prio &&
		    o->table == r->table && memcmp(o->src, r->src, 16) == 0)
			return;
	}
	if (d->n_rules >= NL_MAX_RULES) {
		nl_d_problem(d, "too many rules (max %d)", NL_MAX_RULES);
		return;
	}
	d->rules[d->n_rules++] = *r;
}

static void want_sysctl(struct nl_desired *d, const char *ifname, const char *value,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void want_sysctl(struct nl_desired *d, const char *ifname, const char *value,
			const char *fmt, ...)
{
	if (d->n_sysctls >= NL_MAX_SYSCTLS)
		return;
	struct nl_sysctl *s = &d->sysctls[d->n_sysctls];
	memset(s, 0, sizeof(*s));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->key, sizeof(s->key), fmt, ap);
	va_end(ap);
	for (int i = 0; i < d->n_sysctls; i++)
		if (strcmp(d->sysctls[i].key, s->key) == 0)
			return;
	snprintf(s->value, sizeof(s->value), "%s", value);
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	d->n_sysctls++;
}

/* Seconds from now until t (an absolute time or null = forever). */
uint32_t nl_d_lifetime(const json_t *t, int64_t now)
{
	if (!json_is_integer(t))
		return NL_LFT_FOREVER;
	int64_t left = json_integer_value(t) - now;
	if (left <= 0)
		return 0;
	return left >= (int64_t)NL_LFT_FOREVER ? NL_LFT_FOREVER - 1 : (uint32_t)left;
}

int nl_d_parse_pfx(const char *s, int family, uint8_t *a, int *plen)
{
	memset(a, 0, 16);
	if (hgw_parse_prefix(s, family, a, plen) != 0)
		return -1;
	if (!strchr(s, '/'))
		*plen = family == AF_INET ? 32 : 128;
	return 0;
}

/* ---- one WAN ---- */

struct wan_ctx {
	int w;
	const char *ifname;
	bool v4, v6; /* has an address of that family: routes and rules follow */
	bool gw4, gw6;
	uint8_t via4[16], via6[16];
	uint32_t mtu;
};

static void wan_addr(struct nl_desired *d, struct wan_ctx *x, int family, const uint8_t *local,
		     int plen, const uint8_t *peer, uint32_t pref, uint32_t valid)
{
	struct nl_addr a;
	memset(&a, 0, sizeof(a));
	snprintf(a.ifname, sizeof(a.ifname), "%s", x->ifname);
	a.family = (uint8_t)family;
	a.plen = (uint8_t)plen;
	memcpy(a.local, local, nl_alen(family));
	if (peer) {
		memcpy(a.peer, peer, nl_alen(family));
		a.has_peer = true;
	}
	a.preferred = pref;
	a.valid = valid;
	nl_d_want_addr(d, &a);
	bool ll = family == AF_INET6 && local[0] == 0xfe && (local[1] & 0xc0) == 0x80;
	if (ll)
		return; /* a link-local source says nothing about the WAN */
	if (family == AF_INET)
		x->v4 = true;
	else
		x->v6 = true;
}

static void wan_from_lte(struct wan_ctx *x, struct nl_desired *d, const json_t *doc)
{
	uint8_t a[16];
	int plen;
	if (nl_d_parse_pfx(hgw_json_str(doc, "ipv6"), AF_INET6, a, &plen) == 0)
		wan_addr(d, x, AF_INET6, a, plen, NULL, NL_LFT_FOREVER, NL_LFT_FOREVER);
	if (nl_d_parse_pfx(hgw_json_str(doc, "ipv4"), AF_INET, a, &plen) == 0)
		wan_addr(d, x, AF_INET, a, plen, NULL, NL_LFT_FOREVER, NL_LFT_FOREVER);
	/* Some bearers give only a link-local address; the global one then
	 * comes from router advertisements (accept_ra), the kernel's own. */
	if (nl_d_parse_pfx(hgw_json_str(doc, "ipv6_link_local"), AF_INET6, a, &plen) == 0) {
		wan_addr(d, x, AF_INET6, a, 64, NULL, NL_LFT_FOREVER, NL_LFT_FOREVER);
		x->v6 = true;
	}
	x->gw6 = hgw_parse_prefix(hgw_json_str(doc, "gateway6"), AF_INET6, x->via6, &plen) == 0;
	x->gw4 = hgw_parse_prefix(hgw_json_str(doc, "gateway4"), AF_INET, x->via4, &plen) == 0;
	x->mtu = (uint32_t)hgw_json_int(doc, "mtu");
}

/* PPP is point-to-point: our /32 with the peer's address, the link-local
 * pair the same way, routes through the device without a gateway. */
static void wan_from_pppoe(struct wan_ctx *x, struct nl_desired *d, const json_t *doc)
{
	const json_t *v4 = json_object_get(doc, "ipv4"), *v6 = json_object_get(doc, "ipv6");
	uint8_t a[16], p[16];
	int plen;
	if (json_is_object(v4) &&
	    nl_d_parse_pfx(hgw_json_str(v4, "address"), AF_INET, a, &plen) == 0 &&
	    nl_d_parse_pfx(hgw_json_str(v4, "peer"), AF_INET, p, &plen) == 0)
		wan_addr(d, x, AF_INET, a, 32, p, NL_LFT_FOREVER, NL_LFT_FOREVER);
	if (json_is_object(v6) &&
	    nl_d_parse_pfx(hgw_json_str(v6, "local"), AF_INET6, a, &plen) == 0 &&
	    nl_d_parse_pfx(hgw_json_str(v6, "peer"), AF_INET6, p, &plen) == 0) {
		wan_addr(d, x, AF_INET6, a, 128, p, NL_LFT_FOREVER, NL_LFT_FOREVER);
		/* The session carries IPv6 even before a global address comes
		 * (SLAAC or IA_NA): route through it. */
		x->v6 = true;
	}
	x->mtu = (uint32_t)hgw_json_int(doc, "mtu");
}

static const char *const dhcp4_ok[] = { "bound", "renewing", "rebinding", NULL };
static const char *const dhcp6_ok[] = { "bound", "renewing", "rebinding", "unbound", NULL };

static void route_of(struct nl_route *r, int family, const char *oif, uint32_t table,
		     uint32_t metric)
{
	memset(r, 0, sizeof(*r));
	r->family = (uint8_t)family;
	r->type = RTN_UNICAST;
	snprintf(r->oif, sizeof(r->oif), "%s", oif);
	r->table = table;
	r->metric = metric;
}

/* DHCPv4 on a WAN: the address, and either the classless static routes
 * (option 121, which per RFC 3442 replaces the router option) or the router
 * as default gateway. */
static void wan_dhcp4(struct wan_ctx *x, struct nl_desired *d, const struct nl_wan_cfg *wc,
		      const json_t *doc)
{
	if (!doc || !nl_d_str_in(hgw_json_str(doc, "state"), dhcp4_ok))
		return;
	uint8_t a[16];
	int plen;
	if (nl_d_parse_pfx(hgw_json_str(doc, "address"), AF_INET, a, &plen) != 0)
		return;
	wan_addr(d, x, AF_INET, a, plen, NULL, NL_LFT_FOREVER, NL_LFT_FOREVER);
	if (!x->mtu && json_is_integer(json_object_get(doc, "mtu")))
		x->mtu = (uint32_t)hgw_json_int(doc, "mtu");
	const json_t *routes = json_object_get(doc, "routes");
	if (json_array_size(routes) > 0) {
		size_t i;
		const json_t *r;
		json_array_foreach(routes, i, r) {
			struct nl_route rt;
			uint8_t dst[16], via[16];
			int dl, vl;
			if (nl_d_parse_pfx(hgw_json_str(r, "prefix"), AF_INET, dst, &dl) != 0 ||
			    nl_d_parse_pfx(hgw_json_str(r, "via"), AF_INET, via, &vl) != 0)
				continue;
			bool onlink = memcmp(via, "\0\0\0\0", 4) == 0;
			for (int main = 0; main < 2; main++) {
				if (main && !wc->default_route)
					continue;
				route_of(&rt, AF_INET, x->ifname, main ? RT_TABLE_MAIN : wc->table,
					 wc->metric);
				memcpy(rt.dst, dst, 4);
				rt.dst_len = (uint8_t)dl;
				/* Host bits of the destination must be clear. */
				for (int b = dl; b < 32; b++)
					rt.dst[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
				if (!onlink) {
					memcpy(rt.gw, via, 4);
					rt.has_gw = true;
				}
				nl_d_want_route(d, &rt);
			}
		}
		x->gw4 = false;
		x->v4 = false; /* default routes come from option 121 only */
		return;
	}
	x->gw4 = nl_d_parse_pfx(hgw_json_str(doc, "router"), AF_INET, x->via4, &plen) == 0;
}

static void wan_dhcp6(struct wan_ctx *x, struct nl_desired *d, const json_t *doc, int64_t now)
{
	if (!doc || !nl_d_str_in(hgw_json_str(doc, "state"), dhcp6_ok))
		return;
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(doc, "addresses"), i, v) {
		uint8_t a[16];
		int plen;
		uint32_t valid = nl_d_lifetime(json_object_get(v, "valid_until"), now);
		if (valid == 0 || nl_d_parse_pfx(hgw_json_str(v, "address"), AF_INET6, a, &plen) != 0)
			continue;
		uint32_t pref = nl_d_lifetime(json_object_get(v, "preferred_until"), now);
		wan_addr(d, x, AF_INET6, a, 128, NULL, pref > valid ? valid : pref, valid);
	}
	/* A delegated prefix means IPv6 works through this WAN even without an
	 * address of its own on it (the LAN addresses are the sources). */
	json_array_foreach(json_object_get(doc, "prefixes"), i, v)
		if (nl_d_lifetime(json_object_get(v, "valid_until"), now) > 0)
			x->v6 = true;
}

/* SLAAC on a WAN (Telekom DSL gets its global IPv6 address from router
 * advertisements on ppp0): the kernel's address needs the same source rule
 * as a leased one, or hybridd's DSL tunnel would leave through the bond. */
static void wan_from_kernel(struct wan_ctx *x, struct nl_desired *d, const struct nl_config *c,
			    const struct nl_kstate *k)
{
	for (int i = 0; i < k->n_addrs; i++) {
		const struct nl_addr *a = &k->addrs[i];
		if (a->proto != IFAPROT_KERNEL_RA || a->family != AF_INET6 ||
		    strcmp(a->ifname, x->ifname) != 0 ||
		    (a->local[0] == 0xfe && (a->local[1] & 0xc0) == 0x80))
			continue;
		struct nl_rule r;
		memset(&r, 0, sizeof(r));
		r.family = AF_INET6;
		r.src_len = 128;
		memcpy(r.src, a->local, 16);
		r.prio = c->owner.prio_min + 100 + 10 * (uint32_t)x->w;
		r.table = c->wan[x->w].table;
		want_rule(d, &r);
		x->v6 = true;
	}
	if (x->gw6)
		return;
	for (int i = 0; i < k->n_routes; i++) {
		const struct nl_route *r = &k->routes[i];
		if (r->proto == RTPROT_RA && r->family == AF_INET6 && r->dst_len == 0 &&
		    r->table == RT_TABLE_MAIN && r->has_gw && strcmp(r->oif, x->ifname) == 0) {
			memcpy(x->via6, r->gw, 16);
			x->gw6 = true;
			x->v6 = true;
			return;
		}
	}
}

/* Default route(s) of one family into the WAN's table and, if wanted, main. */
static void wan_defaults(struct wan_ctx *x, struct nl_desired *d, const struct nl_wan_cfg *wc,
			 int family)
{
	bool gw = family == AF_INET ? x->gw4 : x->gw6;
	const uint8_t *via = family == AF_INET ? x->via4 : x->via6;
	for (int main = 0; main < 2; main++) {
		if (main && !wc->default_route)
			continue;
		struct nl_route r;
		route_of(&r, family, x->ifname, main ? RT_TABLE_MAIN : wc->table, wc->metric);
		if (gw) {
			memcpy(r.gw, via, nl_alen(family));
			r.has_gw = true;
		}
		nl_d_want_route(d, &r);
	}
}

static void wan_rules(struct nl_desired *d, const struct nl_config *c, int w)
{
	const char *ifname = d->wan_if[w];
	for (int i = 0; i < d->n_addrs; i++) {
		const struct nl_addr *a = &d->addrs[i];
		if (strcmp(a->ifname, ifname) != 0)
			continue;
		if (a->family == AF_INET6 && a->local[0] == 0xfe && (a->local[1] & 0xc0) == 0x80)
			continue;
		struct nl_rule r;
		memset(&r, 0, sizeof(r));
		r.family = a->family;
		r.src_len = (uint8_t)(a->family == AF_INET ? 32 : 128);
		memcpy(r.src, a->local, 16);
		r.prio = c->owner.prio_min + 100 + 10 * (uint32_t)w;
		r.table = c->wan[w].table;
		want_rule(d, &r);
	}
}

/* MPTCP endpoints: one per global address of each WAN whose mode asks
 * for it; "handover" only while no other WAN is up. */
static void mptcp_endpoints(struct nl_desired *d, const struct nl_config *c)
{
	int up = 0;
	for (int w = 0; w < NL_WAN_N; w++)
		up += d->wan_if[w][0] != 0;
	for (int w = 0; w < NL_WAN_N; w++) {
		int mode = c->wan[w].mptcp;
		if (mode == NL_MPTCP_OFF)
			continue;
		d->mptcp = true;
		if (!d->wan_if[w][0] || (mode == NL_MPTCP_HANDOVER && up > 1))
			continue;
		for (int i = 0; i < d->n_addrs; i++) {
			const struct nl_addr *a = &d->addrs[i];
			if (strcmp(a->ifname, d->wan_if[w]) != 0 ||
			    (a->family == AF_INET6 && a->local[0] == 0xfe && (a->local[1] & 0xc0) == 0x80))
				continue;
			if (d->n_eps >= NL_MAX_EPS) {
				nl_d_problem(d, "too many MPTCP endpoints (max %d)", NL_MAX_EPS);
				return;
			}
			struct nl_endpoint *e = &d->eps[d->n_eps++];
			memset(e, 0, sizeof(*e));
			e->family = a->family;
			memcpy(e->addr, a->local, 16);
			memcpy(e->ifname, a->ifname, NL_IFNAMSIZ);
			e->flags = MPTCP_PM_ADDR_FLAG_SUBFLOW |
				   (mode == NL_MPTCP_BACKUP ? MPTCP_PM_ADDR_FLAG_BACKUP : 0);
		}
	}
	if (d->mptcp) {
		d->mptcp_subflows = c->mptcp_subflows;
		d->mptcp_add_addr = c->mptcp_add_addr;
	}
}

void nl_desired_compute(const struct nl_config *c, const struct nl_inputs *in,
			struct nl_pd_hist *hist, struct nl_desired *d)
{
	memset(d, 0, sizeof(*d));
	nl_wan_interfaces(in, d->wan_if);

	if (c->forwarding) {
		want_sysctl(d, "", "1", "net/ipv4/ip_forward");
		want_sysctl(d, "", "1", "net/ipv6/conf/all/forwarding");
	}
	for (int i = 0; i < c->n_links; i++) {
		struct nl_link *l = want_link(d, c->links[i].ifname);
		if (l)
			*l = c->links[i];
	}
	for (int i = 0; i < c->n_lan; i++) {
		const struct nl_lan *lan = &c->lan[i];
		struct nl_link *l = want_link(d, lan->ifname);
		if (l) {
			l->up = true;
			if (lan->mtu)
				l->mtu = lan->mtu;
		}
		for (int k = 0; k < lan->n_addrs; k++)
			nl_d_want_addr(d, &lan->addrs[k]);
	}

	/* Kernel-mode tunnels come first: the tunnel WAN may be one of them. */
	if (in->hybrid && strcmp(hgw_json_str(in->hybrid, "mode"), "kernel") == 0) {
		size_t i;
		const json_t *t;
		json_array_foreach(json_object_get(in->hybrid, "kernel_tunnels"), i, t) {
			if (d->n_tunnels >= NL_MAX_TUNNELS)
				break;
			struct nl_tunnel *tn = &d->tunnels[d->n_tunnels];
			memset(tn, 0, sizeof(*tn));
			int plen;
			snprintf(tn->ifname, sizeof(tn->ifname), "%s", hgw_json_str(t, "name"));
			if (nl_d_parse_pfx(hgw_json_str(t, "local"), AF_INET6, tn->local, &plen) ||
			    nl_d_parse_pfx(hgw_json_str(t, "remote"), AF_INET6, tn->remote, &plen))
				continue;
			tn->ikey = (uint32_t)hgw_json_int(t, "ikey");
			tn->okey = (uint32_t)hgw_json_int(t, "okey");
			tn->mtu = (uint32_t)hgw_json_int(t, "mtu");
			d->n_tunnels++;
			struct nl_link *l = want_link(d, tn->ifname);
			if (l) {
				l->up = true;
				l->mtu = tn->mtu;
			}
		}
	}

	struct nl_pd_new cur = { .n = 0 };
	bool lease_ok[NL_WAN_N] = { false };
	for (int w = 0; w < NL_WAN_N; w++) {
		if (!d->wan_if[w][0])
			continue;
		const struct nl_wan_cfg *wc = &c->wan[w];
		struct wan_ctx x = { .w = w, .ifname = d->wan_if[w] };
		/* hybridd knows the bond's encapsulation overhead: its MTU for
		 * the TUN device wins over DHCP's (kernel mode: the ip6gre
		 * device is created with its own MTU). */
		if (w == NL_WAN_TUNNEL && strcmp(hgw_json_str(in->hybrid, "mode"), "kernel") != 0 &&
		    json_is_integer(json_object_get(in->hybrid, "mtu")))
			x.mtu = (uint32_t)hgw_json_int(in->hybrid, "mtu");
		if (w == NL_WAN_LTE)
			wan_from_lte(&x, d, in->lte);
		else if (w == NL_WAN_DSL)
			wan_from_pppoe(&x, d, in->pppoe);
		if (wc->has_ll)
			wan_addr(d, &x, AF_INET6, wc->ll, 64, NULL, NL_LFT_FOREVER, NL_LFT_FOREVER);
		wan_dhcp4(&x, d, wc, in->dhcp4[w]);
		wan_dhcp6(&x, d, in->dhcp6[w], in->now);

		struct nl_link *l = want_link(d, x.ifname);
		bool ktun = false;
		for (int t = 0; t < d->n_tunnels; t++)
			ktun |= strcmp(d->tunnels[t].ifname, x.ifname) == 0;
		if (l) {
			l->up = true;
			/* A kernel tunnel's MTU is hybridd's (kernel_tunnels[].mtu). */
			if (x.mtu && !ktun)
				l->mtu = x.mtu;
		}
		if (w == NL_WAN_TUNNEL) {
			/* No SLAAC or EUI-64 link-local on the tunnel: its addresses
			 * come from DHCP and it has no MAC to derive them from. */
			want_sysctl(d, x.ifname, "0", "net/ipv6/conf/%s/disable_ipv6", x.ifname);
			want_sysctl(d, x.ifname, "1", "net/ipv6/conf/%s/addr_gen_mode", x.ifname);
		}
		if (wc->accept_ra >= 0) {
			char v[12];
			snprintf(v, sizeof(v), "%d", wc->accept_ra);
			want_sysctl(d, x.ifname, v, "net/ipv6/conf/%s/accept_ra", x.ifname);
		}
		if (in->kernel)
			wan_from_kernel(&x, d, c, in->kernel);
		if (x.v4)
			wan_defaults(&x, d, wc, AF_INET);
		if (x.v6)
			wan_defaults(&x, d, wc, AF_INET6);
		wan_rules(d, c, w);

		const json_t *d6 = in->dhcp6[w];
		if (d6 && nl_d_str_in(hgw_json_str(d6, "state"), dhcp6_ok)) {
			lease_ok[w] = true;
			nl_pd_split(d, c, d6, w, in->now, &cur);
		}
	}
	nl_pd_deprecate(d, hist, lease_ok, in->now, &cur);

	mptcp_endpoints(d, c);

	d->fw = c->fw;
	d->fw.n_lan = 0;
	d->fw.n_wan = 0;
	for (int i = 0; i < c->n_lan && i < NL_MAX_FW_LAN; i++)
		memcpy(d->fw.lan[d->fw.n_lan++], c->lan[i].ifname, NL_IFNAMSIZ);
	for (int w = 0; w < NL_WAN_N; w++)
		if (d->wan_if[w][0])
			memcpy(d->fw.wan[d->fw.n_wan++], d->wan_if[w], NL_IFNAMSIZ);
	hist->n = cur.n;
	memcpy(hist->e, cur.e, sizeof(cur.e[0]) * (size_t)cur.n);
}
