/* State schema of lte.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* lte.json (lte-modemd).  The first block (state .. mtu) is what netlinkd
 * and hybridd read; the rest describes the modem for people and tools. */
static const char *const lte_states[] = { "absent", "init", "searching", "registered",
					  "attaching", "connected", "failed", NULL };
static const char *const lte_profiles[] = { "auto", "huawei-ndis", "3gpp", NULL };
static const char *const lte_pdp_types[] = { "IPV6", "IPV4V6", "IP", NULL };
static const char *const lte_sim_states[] = { "unknown", "ready", "pin", "puk", "locked",
					      "absent", NULL };
static const char *const lte_registrations[] = { "not registered", "home", "searching",
						 "denied", "unknown", "roaming", NULL };
static const struct hgw_field lte_signal[] = {
	{ "rssi_dbm", HGW_T_INT, HGW_NULLABLE, -150, 0, NULL, "null", "received signal strength (dBm)" },
	{ "rsrp_dbm", HGW_T_INT, HGW_NULLABLE, -160, 0, NULL, "null", "LTE reference signal received power (dBm)" },
	{ "rsrq_db", HGW_T_ANY, 0, 0, 0, NULL, "null", "LTE reference signal received quality (dB, a number, or null)" },
	{ "sinr_db", HGW_T_ANY, 0, 0, 0, NULL, "null", "signal to interference plus noise ratio (dB, a number, or null)" },
	HGW_F_END,
};
static const struct hgw_field lte_log_line = { "", HGW_T_STRING, 0, 1, 200, NULL, NULL,
					       "one AT line: '>' sent, '<' received, '!' event" };
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
	{ "ipv6_link_local", HGW_T_IP6, HGW_NULLABLE, 0, 0, NULL, "null", "link-local address from the PDP context when it gives no global one (the prefix then comes from router advertisements on the interface)" },
	{ "dns4", HGW_T_ARRAY, 0, 0, 8, &hgw_item_ip4, "[]", "IPv4 DNS servers from the PDP context" },
	{ "device", HGW_T_PATH, HGW_NULLABLE, 0, 0, NULL, "null", "the modem's AT serial port" },
	{ "profile", HGW_T_ENUM, 0, 0, 0, lte_profiles, "\"auto\"", "command set in use (auto until the modem is identified)" },
	{ "apn", HGW_T_STRING, HGW_NULLABLE, 0, 100, NULL, "null", "access point name of the bearer" },
	{ "pdp_type", HGW_T_ENUM, 0, 0, 0, lte_pdp_types, "\"IPV6\"", "PDP type requested" },
	{ "manufacturer", HGW_T_STRING, HGW_NULLABLE, 0, 63, NULL, "null", "AT+CGMI" },
	{ "model", HGW_T_STRING, HGW_NULLABLE, 0, 63, NULL, "null", "AT+CGMM" },
	{ "firmware", HGW_T_STRING, HGW_NULLABLE, 0, 63, NULL, "null", "AT+CGMR" },
	{ "imei", HGW_T_STRING, HGW_NULLABLE, 14, 17, NULL, "null", "AT+CGSN" },
	{ "sim", HGW_T_ENUM, 0, 0, 0, lte_sim_states, "\"unknown\"", "SIM state from AT+CPIN?" },
	{ "registration", HGW_T_ENUM, HGW_NULLABLE, 0, 0, lte_registrations, "null", "EPS registration (+CEREG)" },
	{ "operator", HGW_T_STRING, HGW_NULLABLE, 0, 63, NULL, "null", "network operator (AT+COPS?)" },
	{ "access_technology", HGW_T_STRING, HGW_NULLABLE, 0, 23, NULL, "null", "radio access technology (LTE, ...)" },
	{ "tac", HGW_T_INT, HGW_NULLABLE, 0, 0xffffff, NULL, "null", "tracking area code" },
	{ "cell_id", HGW_T_INT, HGW_NULLABLE, 0, 0xfffffff, NULL, "null", "E-UTRAN cell identity" },
	{ "signal", HGW_T_OBJECT, 0, 0, 0, lte_signal, "{}", "signal figures the modem reports" },
	{ "last_error", HGW_T_STRING, HGW_NULLABLE, 0, 255, NULL, "null", "why the last attempt failed or the bearer went down" },
	HGW_F_TIME("connected_since", "when the bearer came up (null: not connected)"),
	{ "attaches", HGW_T_INT, 0, 0, 0, NULL, "0", "bearer attach attempts since start" },
	{ "bearer_losses", HGW_T_INT, 0, 0, 0, NULL, "0", "times a connected bearer was lost" },
	{ "resets", HGW_T_INT, 0, 0, 0, NULL, "0", "modem resets (AT+CFUN cycles) after repeated failures" },
	{ "reopens", HGW_T_INT, 0, 0, 0, NULL, "0", "times the serial device was (re-)opened" },
	{ "at_log", HGW_T_ARRAY, 0, 0, 64, &lte_log_line, "[]", "the last AT dialogue lines (config at_log_lines), PINs and passwords redacted" },
	HGW_F_END,
};
