/* State schema of dhcp4.<if>.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* dhcp4.<if>.json (dhcp4c) */
static const char *const dhcp4_states[] = { "init", "selecting", "requesting", "bound",
					    "renewing", "rebinding", "unbound", "released", NULL };
static const struct hgw_field route4[] = {
	{ "prefix", HGW_T_PREFIX4, HGW_REQUIRED, 0, 0, NULL, NULL, "destination" },
	{ "via", HGW_T_IP4, HGW_REQUIRED, 0, 0, NULL, NULL, "router (0.0.0.0 = on link)" },
	HGW_F_END,
};
static const struct hgw_field route4_item = { "", HGW_T_OBJECT, 0, 0, 0, route4, NULL, "route" };
const struct hgw_field hgw_schema_dhcp4[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "interface", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "interface the lease is on" },
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, dhcp4_states, NULL,
	  "client state; netlinkd applies the lease only in bound, renewing, rebinding" },
	{ "address", HGW_T_PREFIX4, HGW_NULLABLE | HGW_REQUIRED, 0, 0, NULL, NULL,
	  "leased address with prefix length (option 1), e.g. 192.0.2.10/24" },
	{ "router", HGW_T_IP4, HGW_NULLABLE, 0, 0, NULL, "null", "default router (option 3); null on a point-to-point link" },
	{ "server", HGW_T_IP4, HGW_NULLABLE, 0, 0, NULL, "null", "server identifier (option 54)" },
	{ "dns", HGW_T_ARRAY, 0, 0, 16, &hgw_item_ip4, "[]", "DNS servers (option 6)" },
	{ "ntp", HGW_T_ARRAY, 0, 0, 16, &hgw_item_ip4, "[]", "NTP servers (option 42)" },
	{ "domain", HGW_T_STRING, HGW_NULLABLE, 0, 255, NULL, "null", "domain name (option 15)" },
	{ "mtu", HGW_T_INT, HGW_NULLABLE, 68, 65535, NULL, "null", "interface MTU (option 26)" },
	{ "routes", HGW_T_ARRAY, 0, 0, 64, &route4_item, "[]", "classless static routes (option 121)" },
	HGW_F_TIME("obtained", "when the lease was acknowledged"),
	HGW_F_TIME("renew_at", "T1"),
	HGW_F_TIME("rebind_at", "T2"),
	HGW_F_TIME("expires", "end of the lease"),
	HGW_F_END,
};
