/* State schema of netdumpd.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include <stdint.h>

#include "state.h"

/* netdumpd.json (netdumpd): what is captured, what the ring holds, who is
 * watching.  Counters are since netdumpd started. */
static const struct hgw_field netdumpd_iface[] = {
	{ "name", HGW_T_STRING, HGW_REQUIRED, 1, 31, NULL, NULL, "interface name (\"at\" for the modem dialogue)" },
	{ "linktype", HGW_T_STRING, HGW_REQUIRED, 1, 63, NULL, NULL, "libpcap link type (EN10MB, RAW, LINUX_SLL, ...)" },
	{ "packets", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "control packets captured" },
	{ "kernel_drops", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "packets the kernel dropped for lack of buffer space" },
	{ "kernel_filter", HGW_T_BOOL, 0, 0, 0, NULL, "true", "the filter runs in the kernel (false: the kernel refused it and every packet wakes netdumpd)" },
	HGW_F_END,
};
static const struct hgw_field netdumpd_iface_item = { "", HGW_T_OBJECT, 0, 0, 0, netdumpd_iface, NULL, "captured interface" };
static const struct hgw_field netdumpd_ring[] = {
	{ "packets", HGW_T_INT, HGW_REQUIRED, 0, INT64_MAX, NULL, NULL, "packets held" },
	{ "bytes", HGW_T_INT, HGW_REQUIRED, 0, INT64_MAX, NULL, NULL, "packet bytes held" },
	{ "max_packets", HGW_T_INT, HGW_REQUIRED, 1, INT64_MAX, NULL, NULL, "capacity in packets" },
	{ "max_bytes", HGW_T_INT, HGW_REQUIRED, 1, INT64_MAX, NULL, NULL, "capacity in bytes" },
	{ "memory", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "bytes of memory the ring occupies (fixed at start-up)" },
	{ "total", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "packets ever stored" },
	{ "dropped_oldest", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "old packets pushed out to make room" },
	HGW_F_END,
};
static const struct hgw_field netdumpd_client[] = {
	{ "peer", HGW_T_STRING, HGW_REQUIRED, 1, 63, NULL, NULL, "client address and port" },
	{ "user", HGW_T_STRING, 0, 0, 63, NULL, "\"\"", "SSH user name (empty until authenticated)" },
	{ "streaming", HGW_T_BOOL, 0, 0, 0, NULL, "false", "authenticated and receiving a stream" },
	{ "mode", HGW_T_STRING, 0, 0, 15, NULL, "\"all\"", "all, backlog or live" },
	{ "filter", HGW_T_STRING, HGW_NULLABLE, 0, 1024, NULL, "null", "the client's BPF filter" },
	{ "sent", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "packets sent" },
	{ "lost", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "packets the client missed because it read too slowly" },
	{ "gaps", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "gap markers sent" },
	HGW_F_END,
};
static const struct hgw_field netdumpd_client_item = { "", HGW_T_OBJECT, 0, 0, 0, netdumpd_client, NULL, "SSH client" };
const struct hgw_field hgw_schema_netdumpd[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "interfaces", HGW_T_ARRAY, HGW_REQUIRED, 0, 0, &netdumpd_iface_item, NULL, "interfaces being captured" },
	{ "ring", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, netdumpd_ring, NULL, "the packet ring buffer" },
	{ "kernel_drops", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "kernel drops over all interfaces, including closed ones" },
	{ "clients_connected", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "SSH connections open" },
	{ "clients", HGW_T_ARRAY, 0, 0, 0, &netdumpd_client_item, "[]", "SSH connections" },
	{ "auth_failures", HGW_T_INT, 0, 0, INT64_MAX, NULL, "0", "failed authentication attempts" },
	HGW_F_END,
};
