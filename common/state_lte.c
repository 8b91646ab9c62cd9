/* State schema of lte.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* lte.json (lte-modemd) */
static const char *const lte_states[] = { "absent", "init", "searching", "registered",
					  "attaching", "connected", "failed", NULL };
const struct hgw_field hgw_schema_lte[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, lte_states, NULL, "modem and bearer state" },
	{ "interface", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null", "network interface of the bearer" },
	{ "ipv6", HGW_T_PREFIX6, HGW_NULLABLE, 0, 0, NULL, "null", "bearer IPv6 address with prefix length" },
	{ "ipv4", HGW_T_PREFIX4, HGW_NULLABLE, 0, 0, NULL, "null", "bearer IPv4 address with prefix length" },
	{ "gateway6", HGW_T_IP6, HGW_NULLABLE, 0, 0, NULL, "null", "IPv6 gateway (null: link-local router / device route)" },
	{ "gateway4", HGW_T_IP4, HGW_NULLABLE, 0, 0, NULL, "null", "IPv4 gateway" },
	{ "dns", HGW_T_ARRAY, 0, 0, 8, &hgw_item_ip6, "[]", "DNS servers from the PDP context (IPv6)" },
	{ "mtu", HGW_T_INT, HGW_NULLABLE, 576, 9000, NULL, "null", "MTU from the network" },
	{ "*", HGW_T_ANY, 0, 0, 0, NULL, NULL, "further modem details (lte-modemd's issue)" },
	HGW_F_END,
};
