/* The schemas of every state file hgw publishes, in one place because
 * writers and readers must agree: a writer's tests check its output against
 * the schema, readers load through it.  docs/state-files.md is generated
 * from these tables (hgwctl schema), so a field's doc string is its
 * documentation. */
#ifndef HGW_STATE_SCHEMAS_H
#define HGW_STATE_SCHEMAS_H

#include "schema.h"

struct hgw_state_schema {
	const char *file;     /* file name, "%s" standing for an interface name */
	const char *writer;
	const char *summary;
	const struct hgw_field *fields;
};

extern const struct hgw_field hgw_schema_dhcp4[];
extern const struct hgw_field hgw_schema_dhcp6[];
extern const struct hgw_field hgw_schema_pppoe[];
extern const struct hgw_field hgw_schema_lte[];
extern const struct hgw_field hgw_schema_hybrid[];
extern const struct hgw_field hgw_schema_netlinkd[];
extern const struct hgw_field hgw_schema_netdumpd[];

/* All of the above, ended by { NULL }. */
extern const struct hgw_state_schema hgw_state_schemas[];

/* Shared building blocks for the schema tables (state_*.c). */
#define HGW_T_MAX_TIME 4102444800LL /* 2100-01-01: any absolute time must be before */
#define HGW_F_TIME(n, d) { n, HGW_T_INT, HGW_NULLABLE, 0, HGW_T_MAX_TIME, NULL, NULL, d }
#define HGW_F_END { NULL, 0, 0, 0, 0, NULL, NULL, NULL }
extern const struct hgw_field hgw_item_ip4, hgw_item_ip6, hgw_item_name;
extern const char *const hgw_dataplane_modes[];

/* Writes a schema as a Markdown table (nested keys flattened as a.b, a[].b). */
#include <stdio.h>
void hgw_schema_markdown(FILE *out, const struct hgw_field *fields);

#endif
