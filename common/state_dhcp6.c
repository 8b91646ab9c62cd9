/* State schema of dhcp6.<if>.json; conventions in state_schemas.h. */
#include "state_schemas.h"

#include "state.h"

/* dhcp6.<if>.json (dhcp6c) */
static const char *const dhcp6_states[] = { "init", "soliciting", "requesting", "bound",
					    "renewing", "rebinding", "unbound", "released",
					    "information", NULL };
static const struct hgw_field lease6_prefix[] = {
	{ "prefix", HGW_T_PREFIX6, HGW_REQUIRED, 0, 0, NULL, NULL, "delegated prefix" },
	HGW_F_TIME("preferred_until", "end of the preferred lifetime"),
	HGW_F_TIME("valid_until", "end of the valid lifetime"),
	HGW_F_END,
};
static const struct hgw_field lease6_addr[] = {
	{ "address", HGW_T_IP6, HGW_REQUIRED, 0, 0, NULL, NULL, "IA_NA address" },
	HGW_F_TIME("preferred_until", "end of the preferred lifetime"),
	HGW_F_TIME("valid_until", "end of the valid lifetime"),
	HGW_F_END,
};
static const struct hgw_field vendor_opt[] = {
	{ "code", HGW_T_INT, HGW_REQUIRED, 1, 65535, NULL, NULL, "option code" },
	{ "data", HGW_T_STRING, HGW_REQUIRED, 0, 1024, NULL, NULL, "payload, lower-case hex" },
	HGW_F_END,
};
static const struct hgw_field prefix6_item = { "", HGW_T_OBJECT, 0, 0, 0, lease6_prefix, NULL, "" };
static const struct hgw_field addr6_item = { "", HGW_T_OBJECT, 0, 0, 0, lease6_addr, NULL, "" };
static const struct hgw_field vendor_item = { "", HGW_T_OBJECT, 0, 0, 0, vendor_opt, NULL, "" };
const struct hgw_field hgw_schema_dhcp6[] = {
	HGW_STATE_COMMON_FIELDS,
	{ "interface", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "interface the lease is on" },
	{ "state", HGW_T_ENUM, HGW_REQUIRED, 0, 0, dhcp6_states, NULL,
	  "client state; \"unbound\" keeps the lease while the link (or the followed state file) "
	  "is gone and the client is not maintaining it (also after a stop without Release)" },
	{ "server_duid", HGW_T_STRING, HGW_NULLABLE, 0, 260, NULL, "null", "server DUID, hex" },
	{ "prefixes", HGW_T_ARRAY, 0, 0, 16, &prefix6_item, "[]", "IA_PD prefixes" },
	{ "addresses", HGW_T_ARRAY, 0, 0, 16, &addr6_item, "[]", "IA_NA addresses" },
	{ "dns", HGW_T_ARRAY, 0, 0, 16, &hgw_item_ip6, "[]", "DNS servers (option 23)" },
	{ "domains", HGW_T_ARRAY, 0, 0, 16, &hgw_item_name, "[]", "domain search list (option 24)" },
	{ "ntp", HGW_T_ARRAY, 0, 0, 16, &hgw_item_ip6, "[]", "NTP/SNTP server addresses (options 56, 31)" },
	{ "aftr", HGW_T_STRING, HGW_NULLABLE, 0, 255, NULL, "null", "DS-Lite AFTR name (option 64)" },
	{ "vendor", HGW_T_ARRAY, 0, 0, 32, &vendor_item, "[]", "options published raw (e.g. 201/202/204/210)" },
	HGW_F_TIME("obtained", "when the Reply was received"),
	HGW_F_TIME("renew_at", "T1"),
	HGW_F_TIME("rebind_at", "T2"),
	HGW_F_END,
};
