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
static const char *const pppoe_auths[] = { "none", "pap", "chap-md5", NULL };
static const struct hgw_field pppoe_ip6[] = {
	{ "local", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "our link-local address" },
	{ "peer", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "the peer's link-local address" },
	HGW_F_END,
};
const struct hgw_field hgw_schema_pppoe[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, pppoe_states, NULL, "session state" },
	{ "interface", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null", "the PPP (or TUN) device; in userspace mode the TUN exists for the daemon's life" },
	{ "mode", HGW_T_ENUM, 0, 0, 0, hgw_dataplane_modes, "\"kernel\"", "data plane" },
	{ "mtu", HGW_T_INT, HGW_NULLABLE, 576, 9000, NULL, "null", "negotiated MTU" },
	{ "ipv4", HGW_T_OBJECT, HGW_NULLABLE, 0, 0, pppoe_ip4, "null", "IPCP result" },
	{ "ipv6", HGW_T_OBJECT, HGW_NULLABLE, 0, 0, pppoe_ip6, "null", "IPv6CP result" },
	{ "ethernet", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null", "the Ethernet port PPPoE runs on" },
	{ "session_id", HGW_T_INT, HGW_NULLABLE, 1, 65534, NULL, "null", "PPPoE session id (RFC 2516) while a session exists" },
	{ "ac_name", HGW_T_STRING, HGW_NULLABLE, 0, 255, NULL, "null", "the access concentrator's AC-Name" },
	{ "ac_mac", HGW_T_MAC, HGW_NULLABLE, 0, 0, NULL, "null", "the access concentrator's MAC address" },
	{ "service", HGW_T_STRING, HGW_NULLABLE, 0, 255, NULL, "null", "the Service-Name of the session" },
	{ "max_payload", HGW_T_INT, HGW_NULLABLE, 1493, 65535, NULL, "null",
	  "PPP-Max-Payload granted by the AC (RFC 4638), null if none" },
	{ "mru", HGW_T_INT, HGW_NULLABLE, 64, 65535, NULL, "null", "our MRU as acked by the peer (LCP)" },
	{ "auth", HGW_T_ENUM, HGW_NULLABLE, 0, 0, pppoe_auths, "null", "authentication the AC asked for" },
	HGW_F_TIME("connected_since", "when the network phase first came up in this session"),
	{ "last_failure", HGW_T_STRING, HGW_NULLABLE, 0, 512, NULL, "null",
	  "why the last attempt or session ended (AC messages included); kept after a reconnect, null if none yet" },
	{ "attempts", HGW_T_INT, 0, 0, 0, NULL, "0", "connection attempts since start" },
	{ "failures", HGW_T_INT, 0, 0, 0, NULL, "0", "failures since start" },
	HGW_F_TIME("next_attempt", "when the next attempt starts (state down or failed)"),
	HGW_F_END,
};
