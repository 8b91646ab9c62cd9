/* State schema of hybrid.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* hybrid.json (hybridd) */
static const char *const hybrid_states[] = { "down", "lte-setup", "lte", "dsl-setup", "bonded",
					     "dsl", "failed", NULL };
static const struct hgw_field ktun[] = {
	{ "name", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "device name" },
	{ "local", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "our tunnel endpoint" },
	{ "remote", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "the HAAP" },
	{ "ikey", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "GRE key expected inbound" },
	{ "okey", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "GRE key sent" },
	{ "mtu", HGW_T_INT, 0, 1280, 9000, NULL, "1448", "device MTU" },
	HGW_F_END,
};
static const struct hgw_field ktun_item = { "", HGW_T_OBJECT, 0, 0, 0, ktun, NULL, "" };
const struct hgw_field hgw_schema_hybrid[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, hybrid_states, NULL, "bonding state" },
	{ "interface", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null",
	  "the bonded device (TUN or ip6gre) once a tunnel is up; DHCP runs here" },
	{ "mode", HGW_T_ENUM, 0, 0, 0, hgw_dataplane_modes, "\"userspace\"", "data plane" },
	{ "kernel_tunnels", HGW_T_ARRAY, 0, 0, 4, &ktun_item, "[]",
	  "ip6gre devices netlinkd must create (kernel mode)" },
	{ "*", HGW_T_ANY, 0, 0, 0, NULL, NULL, "further tunnel details (hybridd's issue)" },
	HGW_F_END,
};
