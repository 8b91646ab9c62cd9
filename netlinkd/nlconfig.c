/* netlinkd's config section: schema and parsing into struct nl_config. */
#include "nlconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

static const struct hgw_field prefix_item = { "", HGW_T_PREFIX, 0, 0, 0, NULL, NULL,
					      "address with prefix length" };

static const struct hgw_field link_fields[] = {
	{ "name", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "interface name" },
	{ "mac", HGW_T_MAC, HGW_NULLABLE, 0, 0, NULL, "null",
	  "rename the interface with this MAC address to name (e.g. the DSL port)" },
	{ "mtu", HGW_T_INT, HGW_NULLABLE, 68, 65535, NULL, "null", "MTU to set; null leaves it alone" },
	{ "up", HGW_T_BOOL, 0, 0, 0, NULL, "true", "bring the link up" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};
static const struct hgw_field link_item = { "", HGW_T_OBJECT, 0, 0, 0, link_fields, NULL, "" };

static const struct hgw_field lan_fields[] = {
	{ "name", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "LAN interface (brought up)" },
	{ "mtu", HGW_T_INT, HGW_NULLABLE, 1280, 65535, NULL, "null", "MTU; null leaves it alone" },
	{ "addresses", HGW_T_ARRAY, 0, 0, NL_MAX_LAN_ADDRS, &prefix_item, "[]",
	  "static addresses with prefix length: IPv4, fe80::1/64, ULA (as rsdsl does)" },
	{ "subnet_id", HGW_T_INT, HGW_NULLABLE, 0, 65535, NULL, "null",
	  "which /64 of a delegated prefix this LAN gets; null = the next free one in LAN order" },
	{ "pd", HGW_T_BOOL, 0, 0, 0, NULL, "true", "assign a /64 of each delegated prefix" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};
static const struct hgw_field lan_item = { "", HGW_T_OBJECT, 0, 0, 0, lan_fields, NULL, "" };

static const char *const mptcp_modes[] = { "off", "on", "backup", "handover", NULL };

#define WAN_FIELDS(table, metric, ra, ll)                                                       \
	{ "table", HGW_T_INT, 0, 1, 4294967294LL, NULL, #table,                                 \
	  "routing table for traffic sourced from this WAN's addresses" },                      \
	{ "metric", HGW_T_INT, 0, 1, 4294967294LL, NULL, #metric,                               \
	  "metric of its default route in the main table (lower wins)" },                       \
	{ "default_route", HGW_T_BOOL, 0, 0, 0, NULL, "true",                                   \
	  "install a default route in the main table while this WAN is up" },                   \
	{ "accept_ra", HGW_T_INT, HGW_NULLABLE, 0, 2, NULL, #ra,                                \
	  "net.ipv6.conf.<if>.accept_ra (2: accept while forwarding); null leaves it alone" }, \
	{ "mptcp", HGW_T_ENUM, 0, 0, 0, mptcp_modes, "\"off\"",                               \
	  "Multipath TCP endpoint on this WAN's addresses: on (subflows), backup (backup "       \
	  "subflows), handover (only while every other WAN is down), off" },                    \
	{ "link_local", HGW_T_IP6, HGW_NULLABLE, 0, 0, NULL, ll,                                \
	  "link-local address netlinkd puts on the device (/64); the tunnel has no MAC to "     \
	  "derive one from and DHCPv6 needs one (RFC 8415 13.1); null: none" },                 \
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }

static const struct hgw_field wan_tunnel[] = { WAN_FIELDS(201, 100, 0, "\"fe80::2\"") };
static const struct hgw_field wan_dsl[] = { WAN_FIELDS(202, 200, 2, "null") };
static const struct hgw_field wan_lte[] = { WAN_FIELDS(203, 300, 2, "null") };
static const struct hgw_field wan_fields[] = {
	{ "tunnel", HGW_T_OBJECT, 0, 0, 0, wan_tunnel, "{}",
	  "the bonded tunnel (hybrid.json interface, its DHCP leases)" },
	{ "dsl", HGW_T_OBJECT, 0, 0, 0, wan_dsl, "{}", "the PPPoE session (pppoe.json)" },
	{ "lte", HGW_T_OBJECT, 0, 0, 0, wan_lte, "{}", "the LTE bearer (lte.json)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const char *const pf_protos[] = { "tcp", "udp", NULL };
static const struct hgw_field pf_fields[] = {
	{ "proto", HGW_T_ENUM, 0, 0, 0, pf_protos, "\"tcp\"", "transport protocol" },
	{ "port", HGW_T_INT, HGW_REQUIRED, 1, 65535, NULL, NULL, "port on the WAN addresses" },
	{ "to", HGW_T_IP4, HGW_REQUIRED, 0, 0, NULL, NULL, "LAN host it goes to" },
	{ "to_port", HGW_T_INT, HGW_NULLABLE, 1, 65535, NULL, "null", "port there (null: the same)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};
static const struct hgw_field pf_item = { "", HGW_T_OBJECT, 0, 0, 0, pf_fields, NULL, "" };
static const struct hgw_field fw_fields[] = {
	{ "enabled", HGW_T_BOOL, 0, 0, 0, NULL, "true",
	  "netlinkd's nftables table: default-deny inbound (ICMP, DHCP client replies, GRE and "
	  "established traffic allowed), IPv4 masquerade and MSS clamping on the WANs" },
	{ "table", HGW_T_STRING, 0, 1, 31, NULL, "\"hgw\"",
	  "name of the table (family inet); a table of that name without netlinkd's mark is left alone" },
	{ "port_forwards", HGW_T_ARRAY, 0, 0, NL_MAX_PFWD, &pf_item, "[]",
	  "IPv4 port forwards from every WAN to a LAN host" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

const struct hgw_field nl_config_schema[] = {
	{ "route_protocol", HGW_T_INT, 0, 5, 255, NULL, "73",
	  "protocol number tagging netlinkd's routes, rules and addresses (RTPROT/IFA_PROTO); "
	  "objects without it are never touched" },
	{ "rule_priority_min", HGW_T_INT, 0, 1, 32765, NULL, "10000",
	  "lowest priority of netlinkd's policy rules" },
	{ "rule_priority_max", HGW_T_INT, 0, 1, 32765, NULL, "10999",
	  "highest priority of netlinkd's policy rules" },
	{ "forwarding", HGW_T_BOOL, 0, 0, 0, NULL, "true", "enable IPv4 and IPv6 forwarding" },
	{ "cleanup_on_exit", HGW_T_BOOL, 0, 0, 0, NULL, "true",
	  "remove netlinkd's addresses, routes, rules and tunnels on a clean exit" },
	{ "pd_host", HGW_T_IP6, 0, 0, 0, NULL, "\"::1\"",
	  "the router's address in each delegated /64 (only the low 64 bits count)" },
	{ "pd_unreachable_metric", HGW_T_INT, 0, 1, 4294967294LL, NULL, "4278198272",
	  "metric of the unreachable route for the unassigned rest of a delegated prefix" },
	{ "links", HGW_T_ARRAY, 0, 0, NL_MAX_LINKS, &link_item, "[]",
	  "further links to configure (rename by MAC, MTU, up)" },
	{ "lan", HGW_T_ARRAY, 0, 0, NL_MAX_LAN, &lan_item, "[]", "LAN interfaces, in /64 order" },
	{ "wan", HGW_T_OBJECT, 0, 0, 0, wan_fields, "{}", "routing policy per WAN" },
	{ "firewall", HGW_T_OBJECT, 0, 0, 0, fw_fields, "{}", "the firewall and NAT" },
	{ "mptcp_subflows", HGW_T_INT, 0, 0, 8, NULL, "2",
	  "MPTCP limit: extra subflows per connection (set while some WAN uses MPTCP)" },
	{ "mptcp_add_addr_accepted", HGW_T_INT, 0, 0, 8, NULL, "2",
	  "MPTCP limit: addresses announced by the peer that are used" },
	{ "mptcp_id_min", HGW_T_INT, 0, 1, 255, NULL, "100",
	  "lowest MPTCP endpoint id netlinkd owns (it owns 16 from here); others are never touched" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static void copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, NL_IFNAMSIZ - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

int nl_config_parse(const json_t *s, struct nl_config *c, struct hgw_errors *e)
{
	memset(c, 0, sizeof(*c));
	c->owner.proto = (uint8_t)hgw_json_int(s, "route_protocol");
	c->owner.prio_min = (uint32_t)hgw_json_int(s, "rule_priority_min");
	c->owner.prio_max = (uint32_t)hgw_json_int(s, "rule_priority_max");
	c->forwarding = hgw_json_bool(s, "forwarding");
	c->cleanup_on_exit = hgw_json_bool(s, "cleanup_on_exit");
	c->pd_unreachable_metric = (uint32_t)hgw_json_int(s, "pd_unreachable_metric");
	c->mptcp_subflows = (uint32_t)hgw_json_int(s, "mptcp_subflows");
	c->mptcp_add_addr = (uint32_t)hgw_json_int(s, "mptcp_add_addr_accepted");
	int64_t idmin = hgw_json_int(s, "mptcp_id_min");
	c->owner.ep_min = (uint8_t)idmin;
	c->owner.ep_max = (uint8_t)(idmin + 15 > 255 ? 255 : idmin + 15);
	uint8_t host[16];
	int plen;
	if (hgw_parse_prefix(hgw_json_str(s, "pd_host"), 10, host, &plen) == 0)
		memcpy(c->pd_host, host + 8, 8);
	int bad = 0;
	/* Rules sit at prio_min + 100 + 10 * wan (see desired.c). */
	if (c->owner.prio_max < c->owner.prio_min + 100 + 10 * NL_WAN_N) {
		hgw_errors_add(e, "netlinkd.rule_priority_max: the range %u..%u is too small "
			       "(needs at least %d priorities)", c->owner.prio_min, c->owner.prio_max,
			       100 + 10 * NL_WAN_N + 1);
		bad++;
	}

	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(s, "links"), i, v) {
		struct nl_link *l = &c->links[c->n_links++];
		copy_name(l->ifname, hgw_json_str(v, "name"));
		if (json_is_string(json_object_get(v, "mac")))
			l->has_mac = hgw_parse_mac(hgw_json_str(v, "mac"), l->mac) == 0;
		l->mtu = (uint32_t)hgw_json_int(v, "mtu");
		l->up = hgw_json_bool(v, "up");
	}
	json_array_foreach(json_object_get(s, "lan"), i, v) {
		struct nl_lan *l = &c->lan[c->n_lan++];
		copy_name(l->ifname, hgw_json_str(v, "name"));
		l->mtu = (uint32_t)hgw_json_int(v, "mtu");
		json_t *sid = json_object_get(v, "subnet_id");
		l->subnet_id = json_is_integer(sid) ? (int)json_integer_value(sid) : -1;
		l->pd = hgw_json_bool(v, "pd");
		for (size_t k = 0; k < i; k++) {
			if (strcmp(c->lan[k].ifname, l->ifname) == 0) {
				hgw_errors_add(e, "netlinkd.lan[%zu].name: \"%s\" is already lan[%zu]", i,
					       l->ifname, k);
				bad++;
			}
			if (l->subnet_id >= 0 && c->lan[k].subnet_id == l->subnet_id) {
				hgw_errors_add(e, "netlinkd.lan[%zu].subnet_id: %d is already lan[%zu]'s",
					       i, l->subnet_id, k);
				bad++;
			}
		}
		size_t j;
		json_t *a;
		json_array_foreach(json_object_get(v, "addresses"), j, a) {
			struct nl_addr *ad = &l->addrs[l->n_addrs];
			const char *txt = json_string_value(a);
			int pl;
			memset(ad, 0, sizeof(*ad));
			if (hgw_parse_prefix(txt, AF_INET, ad->local, &pl) == 0)
				ad->family = AF_INET;
			else if (hgw_parse_prefix(txt, AF_INET6, ad->local, &pl) == 0)
				ad->family = AF_INET6;
			else
				continue; /* the schema already refused it */
			if (!strchr(txt, '/'))
				pl = ad->family == AF_INET ? 32 : 128;
			ad->plen = (uint8_t)pl;
			copy_name(ad->ifname, l->ifname);
			ad->preferred = ad->valid = NL_LFT_FOREVER;
			l->n_addrs++;
		}
	}
	static const char *const wkeys[NL_WAN_N] = { "tunnel", "dsl", "lte" };
	const json_t *wan = json_object_get(s, "wan");
	for (int w = 0; w < NL_WAN_N; w++) {
		const json_t *o = json_object_get(wan, wkeys[w]);
		struct nl_wan_cfg *wc = &c->wan[w];
		wc->table = (uint32_t)hgw_json_int(o, "table");
		wc->metric = (uint32_t)hgw_json_int(o, "metric");
		wc->default_route = hgw_json_bool(o, "default_route");
		json_t *ra = json_object_get(o, "accept_ra");
		wc->accept_ra = json_is_integer(ra) ? (int)json_integer_value(ra) : -1;
		int llp;
		wc->has_ll = hgw_parse_prefix(hgw_json_str(o, "link_local"), AF_INET6, wc->ll, &llp) == 0;
		if (wc->has_ll && !(wc->ll[0] == 0xfe && (wc->ll[1] & 0xc0) == 0x80)) {
			hgw_errors_add(e, "netlinkd.wan.%s.link_local: not a link-local address "
				       "(fe80::/10)", wkeys[w]);
			bad++;
		}
		const char *m = hgw_json_str(o, "mptcp");
		wc->mptcp = 0;
		for (int k = 0; mptcp_modes[k]; k++)
			if (strcmp(m, mptcp_modes[k]) == 0)
				wc->mptcp = k;
		/* The main and local tables are the kernel's; a WAN table must be
		 * one netlinkd can own outright. */
		if (wc->table == 253 || wc->table == 254 || wc->table == 255) {
			hgw_errors_add(e, "netlinkd.wan.%s.table: %u is a reserved table (default, "
				       "main, local)", wkeys[w], wc->table);
			bad++;
		}
		for (int k = 0; k < w; k++)
			if (c->wan[k].table == wc->table) {
				hgw_errors_add(e, "netlinkd.wan.%s.table: %u is also wan.%s's table",
					       wkeys[w], wc->table, wkeys[k]);
				bad++;
			}
	}
	const json_t *fw = json_object_get(s, "firewall");
	c->fw.enabled = hgw_json_bool(fw, "enabled");
	snprintf(c->fw.table, sizeof(c->fw.table), "%s", hgw_json_str(fw, "table"));
	for (const char *t = c->fw.table; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
		      (*t >= '0' && *t <= '9') || *t == '_' || *t == '-')) {
			hgw_errors_add(e, "netlinkd.firewall.table: letters, digits, '_' and '-' only");
			bad++;
			break;
		}
	json_array_foreach(json_object_get(fw, "port_forwards"), i, v) {
		struct nl_pfwd *p = &c->fw.pf[c->fw.n_pf++];
		p->proto = strcmp(hgw_json_str(v, "proto"), "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
		p->port = (uint16_t)hgw_json_int(v, "port");
		int pl;
		hgw_parse_prefix(hgw_json_str(v, "to"), AF_INET, p->to, &pl);
		p->to_port = (uint16_t)hgw_json_int(v, "to_port");
		for (int k = 0; k + 1 < c->fw.n_pf; k++)
			if (c->fw.pf[k].proto == p->proto && c->fw.pf[k].port == p->port) {
				hgw_errors_add(e, "netlinkd.firewall.port_forwards[%zu]: port %u is "
					       "already forwarded by [%d]", i, p->port, k);
				bad++;
			}
	}
	return bad ? -1 : 0;
}
