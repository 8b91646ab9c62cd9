/* Fuzz target: the config loader (JSON parse, section selection, strict
 * schema check with defaults) over a schema that uses every field type. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"

static const char *const modes[] = { "kernel", "userspace", NULL };
static const struct hgw_field inner[] = {
	{ "name", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL, "" },
	{ "mtu", HGW_T_INT, 0, 1280, 9000, NULL, "1500", "" },
	{ "mac", HGW_T_MAC, 0, 0, 0, NULL, NULL, "" },
	{ "p4", HGW_T_PREFIX4, HGW_NULLABLE, 0, 0, NULL, NULL, "" },
	{ "p", HGW_T_PREFIX, 0, 0, 0, NULL, NULL, "" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};
static const struct hgw_field item = { "", HGW_T_OBJECT, 0, 0, 0, inner, NULL, "" };
static const struct hgw_field ip_item = { "", HGW_T_IP, 0, 0, 0, NULL, NULL, "" };
static const struct hgw_field schema[] = {
	{ "mode", HGW_T_ENUM, 0, 0, 0, modes, "\"kernel\"", "" },
	{ "on", HGW_T_BOOL, 0, 0, 0, NULL, "true", "" },
	{ "s", HGW_T_STRING, 0, 1, 16, NULL, NULL, "" },
	{ "path", HGW_T_PATH, 0, 0, 0, NULL, NULL, "" },
	{ "a4", HGW_T_IP4, 0, 0, 0, NULL, NULL, "" },
	{ "a6", HGW_T_IP6, 0, 0, 0, NULL, NULL, "" },
	{ "p6", HGW_T_PREFIX6, 0, 0, 0, NULL, NULL, "" },
	{ "list", HGW_T_ARRAY, 0, 0, 8, &item, "[]", "" },
	{ "map", HGW_T_MAP, 0, 0, 0, &ip_item, "{}", "" },
	{ "obj", HGW_T_OBJECT, 0, 0, 0, inner, NULL, "" },
	{ "any", HGW_T_ANY, 0, 0, 0, NULL, NULL, "" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false); /* silent */
		once = 1;
	}
	struct hgw_errors e = { 0 };
	json_t *c = hgw_config_load_str((const char *)data, size, "pppoed", schema, &e);
	json_decref(c);
	return 0;
}
