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
static const char *const tunnel_states[] = { "down", "setup", "up", "backoff", NULL };
static const struct hgw_field tun_error[] = {
	{ "code", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "RFC 8157 error code (attribute 17)" },
	{ "text", HGW_T_STRING, HGW_REQUIRED, 0, 100, NULL, NULL, "its meaning" },
	HGW_F_END,
};
#define HYB_COUNT(n, d) { n, HGW_T_INT, 0, 0, 0, NULL, "0", d }
static const struct hgw_field tunnel[] = {
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, tunnel_states, NULL,
	  "down (no link), setup (Request sent), up, backoff (waiting after Deny/Tear Down/failure)" },
	{ "link", HGW_T_BOOL, 0, 0, 0, NULL, "false", "the WAN link has a usable address" },
	{ "device", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null", "WAN netdev" },
	{ "local", HGW_T_IP6, HGW_NULLABLE, 0, 0, NULL, "null", "our endpoint (E or D)" },
	{ "remote", HGW_T_IP6, HGW_NULLABLE, 0, 0, NULL, "null", "the HAAP (H) while up" },
	{ "rtt_ms", HGW_T_INT, HGW_NULLABLE, 0, 60000, NULL, "null", "median of the last Hello round trips" },
	{ "rtt_min_ms", HGW_T_INT, HGW_NULLABLE, 0, 60000, NULL, "null", "lowest Hello round trip" },
	{ "hello_misses", HGW_T_INT, 0, 0, 0, NULL, "0", "consecutive unanswered Hellos" },
	{ "last_error", HGW_T_OBJECT, HGW_NULLABLE, 0, 0, tun_error, "null", "last Deny/Tear Down" },
	HGW_F_TIME("up_since", "when the tunnel came up"),
	HYB_COUNT("requests", "Setup Requests sent"),
	HYB_COUNT("accepts", "Setup Accepts received"),
	HYB_COUNT("denies", "Setup Denies received"),
	HYB_COUNT("failures", "times the tunnel was lost while up"),
	HYB_COUNT("hellos_sent", "Hellos sent"),
	HYB_COUNT("hellos_received", "Hello echoes received"),
	HYB_COUNT("tx_packets", "bonded data packets sent on this tunnel"),
	HYB_COUNT("tx_bytes", "their bytes (GRE included)"),
	HYB_COUNT("tx_errors", "send failures"),
	HYB_COUNT("rx_packets", "bonded data packets received"),
	HYB_COUNT("rx_bytes", "their bytes (GRE included)"),
	HGW_F_END,
};
static const struct hgw_field tunnels[] = {
	{ "lte", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, tunnel, NULL, "the LTE tunnel" },
	{ "dsl", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, tunnel, NULL, "the DSL tunnel" },
	HGW_F_END,
};
static const struct hgw_field timers[] = {
	HYB_COUNT("active_hello_s", "Hello interval in the active state (attribute 14)"),
	HYB_COUNT("idle_hello_s", "Hello interval in the idle state (31)"),
	HYB_COUNT("hello_retry", "unanswered Hellos before a tunnel is failed (15)"),
	HYB_COUNT("no_traffic_s", "no-traffic time before asking for idle Hellos (32)"),
	HYB_COUNT("idle_timeout_s", "LTE failure time before the DSL tunnel is left (16)"),
	HYB_COUNT("bypass_interval_s", "bypass rate report interval (10)"),
	HYB_COUNT("rtt_threshold_ms", "RTT difference threshold (9)"),
	HYB_COUNT("rtt_violation", "violations before switching to DSL only (24)"),
	HYB_COUNT("rtt_compliance", "compliances before overflowing to LTE again (25)"),
	HYB_COUNT("dsl_up_kbps", "configured DSL upstream bandwidth (22)"),
	HYB_COUNT("dsl_down_kbps", "configured DSL downstream bandwidth (23)"),
	HYB_COUNT("max_reorder_ms", "maximum reorder buffer time (Telekom 56)"),
	HYB_COUNT("up_burst_ms", "committed upstream burst time (Telekom 57)"),
	HGW_F_END,
};
static const struct hgw_field filter_item[] = {
	{ "type", HGW_T_INT, HGW_REQUIRED, 0, 65535, NULL, NULL, "RFC 8157 5.6.2 item type" },
	{ "kind", HGW_T_STRING, HGW_REQUIRED, 1, 32, NULL, NULL,
	  "its name: fqdn, dscp, dst-port, dst-ip, dst-ip-port, src-port, src-ip, src-ip-port, "
	  "src-mac, protocol, src-ip-range, dst-ip-range, src-ip-range-port, dst-ip-range-port, combination" },
	{ "enabled", HGW_T_BOOL, HGW_REQUIRED, 0, 0, NULL, NULL, "the HAAP enabled it" },
	{ "description", HGW_T_STRING, 0, 0, 255, NULL, "\"\"", "the HAAP's description" },
	{ "value", HGW_T_STRING, HGW_REQUIRED, 0, 255, NULL, NULL, "match value; ':' separates parts" },
	HGW_F_END,
};
static const struct hgw_field filter_item_f = { "", HGW_T_OBJECT, 0, 0, 0, filter_item, NULL, "" };
static const struct hgw_field filter_list[] = {
	{ "commit", HGW_T_INT, HGW_REQUIRED, 0, 4294967295LL, NULL, NULL, "commit count of the list" },
	{ "items", HGW_T_ARRAY, HGW_REQUIRED, 0, 64, &filter_item_f, NULL,
	  "traffic that bypasses the bond over raw DSL (RFC 8157 4.5)" },
	HGW_F_END,
};
static const struct hgw_field dataplane[] = {
	HYB_COUNT("reorder_timeout_ms", "current reorder timeout (from the RTT difference)"),
	HYB_COUNT("tun_rx_packets", "packets read from the bond device (upstream)"),
	HYB_COUNT("tun_tx_packets", "packets written to the bond device (downstream)"),
	HYB_COUNT("no_tunnel_drops", "upstream packets with no tunnel up"),
	HYB_COUNT("wrong_key_drops", "GRE data with a wrong key or source"),
	HYB_COUNT("short_drops", "truncated or malformed GRE"),
	HYB_COUNT("unsequenced", "downstream packets without a sequence number (delivered at once)"),
	HYB_COUNT("in_order", "downstream packets in order"),
	HYB_COUNT("reordered", "downstream packets held for reordering"),
	HYB_COUNT("duplicates", "downstream duplicates and late packets dropped"),
	HYB_COUNT("lost", "sequence numbers skipped"),
	HYB_COUNT("reorder_timeouts", "gaps released by the timeout"),
	HYB_COUNT("late_max_ms", "longest time a packet arrived after its gap was given up"),
	HYB_COUNT("green", "upstream packets within the DSL committed rate"),
	HYB_COUNT("yellow", "upstream packets within the DSL excess burst"),
	HYB_COUNT("red", "upstream packets overflowed to LTE"),
	HGW_F_END,
};
static const struct hgw_field drops[] = {
	HYB_COUNT("malformed", "control messages that did not parse"),
	HYB_COUNT("wrong_source", "control messages from an unexpected address"),
	HYB_COUNT("wrong_key", "control messages with a wrong GRE key"),
	HYB_COUNT("wrong_tunnel_type", "control messages with the other tunnel's type"),
	HYB_COUNT("unexpected", "control messages not valid in the current state"),
	HYB_COUNT("clamped_timers", "HAAP timer values outside their range (clamped)"),
	HGW_F_END,
};
static const char *const hello_modes[] = { "active", "idle", NULL };
static const char *const schedulers[] = { "bonding", "redundant", "backup", NULL };
const struct hgw_field hgw_schema_hybrid[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, hybrid_states, NULL, "bonding state" },
	{ "interface", HGW_T_IFNAME, HGW_NULLABLE, 0, 0, NULL, "null",
	  "the bonded device (TUN or ip6gre) once a tunnel is up; DHCP runs here" },
	{ "mode", HGW_T_ENUM, 0, 0, 0, hgw_dataplane_modes, "\"userspace\"", "data plane" },
	{ "kernel_tunnels", HGW_T_ARRAY, 0, 0, 4, &ktun_item, "[]",
	  "ip6gre devices netlinkd must create (kernel mode)" },
	{ "bonding", HGW_T_BOOL, 0, 0, 0, NULL, "true", "bonding mode (false: LTE tunnel only)" },
	{ "session_id", HGW_T_INT, HGW_NULLABLE, 0, 4294967295LL, NULL, "null",
	  "session id from the HAAP (attribute 4)" },
	{ "bonding_key", HGW_T_INT, HGW_NULLABLE, 0, 4294967295LL, NULL, "null",
	  "GRE key of the bond (attribute 20)" },
	{ "haap", HGW_T_IP6, HGW_NULLABLE, 0, 0, NULL, "null", "the HAAP's address H (attribute 2)" },
	{ "anycast", HGW_T_IP6, HGW_NULLABLE, 0, 0, NULL, "null", "the HAAP anycast address G" },
	{ "mtu", HGW_T_INT, 0, 1280, 9000, NULL, "1400", "MTU for the bond device" },
	{ "hello_mode", HGW_T_ENUM, 0, 0, 0, hello_modes, "\"active\"", "Hello state (attributes 33/34)" },
	{ "scheduler", HGW_T_ENUM, 0, 0, 0, schedulers, "\"bonding\"", "upstream scheduler" },
	{ "tunnels", HGW_T_OBJECT, HGW_REQUIRED, 0, 0, tunnels, NULL, "per tunnel" },
	{ "timers", HGW_T_OBJECT, 0, 0, 0, timers, "{}", "timers in force (from the Accepts, clamped)" },
	{ "filter_list", HGW_T_OBJECT, HGW_NULLABLE, 0, 0, filter_list, "null",
	  "bypass filter list from the HAAP (attribute 8): netlinkd routes matching traffic over raw DSL" },
	{ "prefix", HGW_T_PREFIX6, HGW_NULLABLE, 0, 0, NULL, "null",
	  "delegated prefix reported to the HAAP (attributes 13, 21)" },
	{ "dataplane", HGW_T_OBJECT, 0, 0, 0, dataplane, "{}", "userspace data-plane counters" },
	{ "drops", HGW_T_OBJECT, 0, 0, 0, drops, "{}", "control messages dropped, by reason" },
	{ "dsl_only", HGW_T_BOOL, 0, 0, 0, NULL, "false",
	  "upstream on DSL only: the RTT difference exceeded the threshold (attributes 9, 11, 24)" },
	{ "bypass_kbps", HGW_T_INT, 0, 0, 0, NULL, "0",
	  "downstream traffic on raw DSL outside the bond, reported to the HAAP (attribute 6)" },
	{ "control_rx", HGW_T_INT, 0, 0, 0, NULL, "0", "control messages accepted" },
	{ "control_tx", HGW_T_INT, 0, 0, 0, NULL, "0", "control messages sent" },
	HGW_F_END,
};
