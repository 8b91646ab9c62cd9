/* State schema of pppoe.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* pppoe.json (pppoed) */
static const char *const pppoe_states[] = { "down", "discovery", "lcp", "auth", "network", "up",
					    "terminating", "failed", NULL };
static const struct hgw_field pppoe_ip4[] = {
	{ "address", HGW_T_IP4, HGW_REQUIRED, 0, 0, NULL, NULL, "our address (a /32)" },
	{ "peer", HGW_T_IP4, HGW_REQUIRED, 0, 0, NULL, NULL, "the access concentrator's address" },
	{ "dns", HGW_T_ARRAY, 0, 0, 2, &hgw_item_ip4, "[]", "DNS servers (RFC 1877)" },
	HGW_F_END,
};
static const struct hgw_field pppoe_ip6[] = {
	{ "local", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "our link-local address" },
	{ "peer", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "the peer's link-local address" },
	HGW_F_END,
};
const struct hgw_field hgw_schema_pppoe[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, pppoe_states, NULL, "session state" },
	{ "interface", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null", "the PPP (or TUN) device while up" },
	{ "mode", HGW_T_ENUM, 0, 0, 0, hgw_dataplane_modes, "\"kernel\"", "data plane" },
	{ "mtu", HGW_T_INT, HGW_NULLABLE, 576, 9000, NULL, "null", "negotiated MTU" },
	{ "ipv4", HGW_T_OBJECT, HGW_NULLABLE, 0, 0, pppoe_ip4, "null", "IPCP result" },
	{ "ipv6", HGW_T_OBJECT, HGW_NULLABLE, 0, 0, pppoe_ip6, "null", "IPv6CP result" },
	{ "*", HGW_T_ANY, 0, 0, 0, NULL, NULL, "further session details (pppoed's issue)" },
	HGW_F_END,
};
