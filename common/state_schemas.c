/* The registry of state-file schemas (each in its own state_<file>.c) and
 * the pieces they share. */
#include "state_schemas.h"

const struct hgw_state_schema hgw_state_schemas[] = {
	{ "dhcp4.%s.json", "dhcp4c", "DHCPv4 lease on one interface", hgw_schema_dhcp4 },
	{ "dhcp6.%s.json", "dhcp6c", "DHCPv6 lease on one interface", hgw_schema_dhcp6 },
	{ "pppoe.json", "pppoed", "the DSL PPPoE session", hgw_schema_pppoe },
	{ "lte.json", "lte-modemd", "the LTE modem and bearer", hgw_schema_lte },
	{ "hybrid.json", "hybridd", "RFC 8157 bonding", hgw_schema_hybrid },
	{ "netlinkd.json", "netlinkd", "what netlinkd applied to the kernel", hgw_schema_netlinkd },
	{ "netdumpd.json", "netdumpd", "what netdumpd captures and who is watching", hgw_schema_netdumpd },
	{ NULL, NULL, NULL, NULL },
};

const struct hgw_field hgw_item_ip4 = { "", HGW_T_IP4, 0, 0, 0, NULL, NULL, "IPv4 address" };
const struct hgw_field hgw_item_ip6 = { "", HGW_T_IP6, 0, 0, 0, NULL, NULL, "IPv6 address" };
const struct hgw_field hgw_item_name = { "", HGW_T_STRING, 0, 1, 255, NULL, NULL, "name" };
const char *const hgw_dataplane_modes[] = { "kernel", "userspace", NULL };
