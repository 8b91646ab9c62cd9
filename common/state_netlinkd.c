/* State schema of netlinkd.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* netlinkd.json (netlinkd): the desired objects of the last reconcile, each
 * with whether the kernel has it.  Lifetimes are not published (they tick
 * every second and would wake every reader); "deprecated" says whether an
 * address is on its way out. */
static const char *const nl_status[] = { "applied", "failed", NULL };
static const char *const nl_family[] = { "ipv4", "ipv6", NULL };
static const char *const nl_rtype[] = { "unicast", "unreachable", NULL };

#define NL_F_STATUS                                                                          \
	{ "status", HGW_T_ENUM, HGW_REQUIRED, 0, 0, nl_status, NULL,                         \
	  "applied: the kernel has it; failed: see error" },                                 \
	{ "error", HGW_T_STRING, 0, 0, 400, NULL, NULL,                                      \
	  "why not (the kernel's own message where it gave one)" }

static const struct hgw_field nl_wan[] = {
	{ "interface", HGW_T_IFNAME, HGW_NULLABLE | HGW_REQUIRED, 0, 0, NULL, NULL,
	  "the WAN's device while it is up, else null" },
	{ "table", HGW_T_INT, HGW_REQUIRED, 1, 4294967295LL, NULL, NULL, "its routing table" },
	{ "metric", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL,
	  "metric of its default route in the main table" },
	HGW_F_END,
};
static const struct hgw_field nl_wans[] = {
	{ "tunnel", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, nl_wan, NULL, "the bonded tunnel" },
	{ "dsl", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, nl_wan, NULL, "the PPPoE session" },
	{ "lte", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, nl_wan, NULL, "the LTE bearer" },
	HGW_F_END,
};
static const struct hgw_field nl_link[] = {
	{ "name", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "interface" },
	{ "mtu", HGW_T_INT, HGW_NULLABLE | HGW_REQUIRED, 68, 65535, NULL, NULL,
	  "MTU set (null: left alone)" },
	{ "up", HGW_T_BOOL, HGW_REQUIRED, 0, 0, NULL, NULL, "brought up" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_addr[] = {
	{ "interface", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "interface" },
	{ "address", HGW_T_PREFIX, HGW_REQUIRED, 0, 0, NULL, NULL, "address with prefix length" },
	{ "peer", HGW_T_IP, 0, 0, 0, NULL, NULL, "point-to-point peer" },
	{ "deprecated", HGW_T_BOOL, HGW_REQUIRED, 0, 0, NULL, NULL,
	  "preferred lifetime 0: a delegated prefix that was replaced, kept until it expires" },
	{ "permanent", HGW_T_BOOL, HGW_REQUIRED, 0, 0, NULL, NULL,
	  "no lifetime (static or from a session); false: lease lifetimes" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_route[] = {
	{ "family", HGW_T_ENUM, HGW_REQUIRED, 0, 0, nl_family, NULL, "address family" },
	{ "type", HGW_T_ENUM, HGW_REQUIRED, 0, 0, nl_rtype, NULL,
	  "unicast, or unreachable (the unassigned rest of a delegated prefix)" },
	{ "dst", HGW_T_STRING, HGW_REQUIRED, 1, 64, NULL, NULL, "\"default\" or a prefix" },
	{ "via", HGW_T_IP, HGW_NULLABLE | HGW_REQUIRED, 0, 0, NULL, NULL,
	  "gateway (null: through the device)" },
	{ "dev", HGW_T_IFNAME, HGW_NULLABLE | HGW_REQUIRED, 0, 0, NULL, NULL, "device" },
	{ "table", HGW_T_INT, HGW_REQUIRED, 1, 4294967295LL, NULL, NULL, "routing table" },
	{ "metric", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "metric" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_rule[] = {
	{ "priority", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "rule priority" },
	{ "from", HGW_T_PREFIX, HGW_REQUIRED, 0, 0, NULL, NULL, "source selector" },
	{ "table", HGW_T_INT, HGW_REQUIRED, 1, 4294967295LL, NULL, NULL, "table looked up" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_sysctl[] = {
	{ "key", HGW_T_STRING, HGW_REQUIRED, 1, 96, NULL, NULL,
	  "path under /proc/sys (net/ipv6/conf/tun0/addr_gen_mode)" },
	{ "value", HGW_T_STRING, HGW_REQUIRED, 0, 16, NULL, NULL, "value written" },
	NL_F_STATUS,
	HGW_F_END,
};
static const char *const nl_tkind[] = { "ip6gre", NULL };
static const struct hgw_field nl_tunnel[] = {
	{ "name", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "device" },
	{ "kind", HGW_T_ENUM, HGW_REQUIRED, 0, 0, nl_tkind, NULL, "device type" },
	{ "local", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "our endpoint" },
	{ "remote", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "the HAAP" },
	{ "ikey", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "inbound GRE key" },
	{ "okey", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "outbound GRE key" },
	{ "mtu", HGW_T_INT, HGW_REQUIRED, 0, 65535, NULL, NULL, "device MTU (0: kernel default)" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_fw[] = {
	{ "enabled", HGW_T_BOOL, HGW_REQUIRED, 0, 0, NULL, NULL, "the firewall is configured on" },
	{ "table", HGW_T_STRING, HGW_REQUIRED, 1, 31, NULL, NULL, "nftables table (family inet)" },
	{ "rules", HGW_T_INT, HGW_REQUIRED, 0, 0, NULL, NULL, "rules in it" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_ep[] = {
	{ "address", HGW_T_IP, HGW_REQUIRED, 0, 0, NULL, NULL, "local address subflows may use" },
	{ "interface", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "its WAN device" },
	{ "backup", HGW_T_BOOL, HGW_REQUIRED, 0, 0, NULL, NULL, "backup subflows only" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_ep_item = { "", HGW_T_OBJECT, 0, 0, 0, nl_ep, NULL, "" };
static const struct hgw_field nl_mptcp[] = {
	{ "enabled", HGW_T_BOOL, HGW_REQUIRED, 0, 0, NULL, NULL, "some WAN uses Multipath TCP" },
	{ "subflows", HGW_T_INT, HGW_REQUIRED, 0, 0, NULL, NULL, "limit set: extra subflows" },
	{ "add_addr_accepted", HGW_T_INT, HGW_REQUIRED, 0, 0, NULL, NULL,
	  "limit set: peer-announced addresses used" },
	{ "endpoints", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_ep_item, NULL,
	  "kernel MPTCP endpoints (ids in netlinkd's range)" },
	NL_F_STATUS,
	HGW_F_END,
};
static const struct hgw_field nl_stats[] = {
	{ "netlink_writes", HGW_T_INT, HGW_REQUIRED, 0, 0, NULL, NULL,
	  "netlink requests that changed (or tried to change) the kernel since start" },
	{ "sysctl_writes", HGW_T_INT, HGW_REQUIRED, 0, 0, NULL, NULL, "sysctl writes since start" },
	HGW_F_END,
};
static const struct hgw_field nl_link_item = { "", HGW_T_OBJECT, 0, 0, 0, nl_link, NULL, "" };
static const struct hgw_field nl_addr_item = { "", HGW_T_OBJECT, 0, 0, 0, nl_addr, NULL, "" };
static const struct hgw_field nl_route_item = { "", HGW_T_OBJECT, 0, 0, 0, nl_route, NULL, "" };
static const struct hgw_field nl_rule_item = { "", HGW_T_OBJECT, 0, 0, 0, nl_rule, NULL, "" };
static const struct hgw_field nl_sysctl_item = { "", HGW_T_OBJECT, 0, 0, 0, nl_sysctl, NULL, "" };
static const struct hgw_field nl_tunnel_item = { "", HGW_T_OBJECT, 0, 0, 0, nl_tunnel, NULL, "" };
static const struct hgw_field nl_text_item = { "", HGW_T_STRING, 0, 1, 400, NULL, NULL, "" };

const struct hgw_field hgw_schema_netlinkd[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "wans", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, nl_wans, NULL, "each WAN's device and policy" },
	{ "links", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_link_item, NULL, "links configured" },
	{ "addresses", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_addr_item, NULL,
	  "addresses (LAN statics, WAN addresses, delegated /64s)" },
	{ "routes", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_route_item, NULL,
	  "routes (tagged with netlinkd's protocol number)" },
	{ "rules", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_rule_item, NULL,
	  "source-based policy rules (netlinkd's priority range)" },
	{ "sysctls", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_sysctl_item, NULL, "sysctls written" },
	{ "tunnels", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_tunnel_item, NULL,
	  "kernel tunnel devices (hybrid.json kernel_tunnels)" },
	{ "firewall", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, nl_fw, NULL,
	  "netlinkd's nftables table: default-deny inbound, masquerade, MSS clamping, port forwards" },
	{ "mptcp", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, nl_mptcp, NULL,
	  "Multipath TCP endpoints and limits (mptcp_pm generic netlink)" },
	{ "problems", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_text_item, NULL,
	  "input problems (e.g. a delegated prefix too small for the LANs)" },
	{ "errors", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &nl_text_item, NULL,
	  "failures that belong to no desired object (removing a stale one, reading the kernel)" },
	{ "failed", HGW_T_INT, HGW_REQUIRED, 0, 0, NULL, NULL, "objects not applied plus errors" },
	{ "stats", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, nl_stats, NULL, "counters" },
	HGW_F_END,
};
