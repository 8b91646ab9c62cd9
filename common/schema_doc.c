/* Markdown for schemas: docs/config.md and docs/state-files.md are generated
 * from the tables the code checks against, so they cannot drift. */
#include <stdio.h>
#include <string.h>

#include "state_schemas.h"

static const char *type_name(const struct hgw_field *f)
{
	static const char *const names[] = {
		[HGW_T_BOOL] = "boolean",        [HGW_T_INT] = "integer",
		[HGW_T_STRING] = "string",       [HGW_T_ENUM] = "string",
		[HGW_T_IP4] = "IPv4 address",    [HGW_T_IP6] = "IPv6 address",
		[HGW_T_IP] = "IP address",       [HGW_T_PREFIX4] = "IPv4 prefix",
		[HGW_T_PREFIX6] = "IPv6 prefix", [HGW_T_PREFIX] = "IP prefix",
		[HGW_T_MAC] = "MAC address",     [HGW_T_IFNAME] = "interface name",
		[HGW_T_PATH] = "absolute path",  [HGW_T_OBJECT] = "object",
		[HGW_T_ARRAY] = "array",         [HGW_T_MAP] = "object (name → value)",
		[HGW_T_ANY] = "any",
	};
	return names[f->type];
}

static void row(FILE *out, const char *path, const struct hgw_field *f)
{
	fprintf(out, "| `%s` | %s", path, type_name(f));
	if (f->type == HGW_T_ARRAY || f->type == HGW_T_MAP) {
		const struct hgw_field *item = f->ref;
		fprintf(out, " of %s", type_name(item));
	}
	if (f->flags & HGW_NULLABLE)
		fprintf(out, " or null");
	fprintf(out, " | ");
	if (f->type == HGW_T_ENUM) {
		const char *const *v = f->ref;
		for (size_t i = 0; v[i]; i++)
			fprintf(out, "%s`%s`", i ? ", " : "", v[i]);
	} else if ((f->min || f->max) && f->type == HGW_T_INT) {
		fprintf(out, "%lld … %lld", (long long)f->min, (long long)f->max);
	} else if ((f->min || f->max) && f->type != HGW_T_OBJECT) {
		fprintf(out, "%lld … %lld %s", (long long)f->min, (long long)f->max,
			f->type == HGW_T_STRING ? "chars" : "entries");
	}
	if (f->flags & HGW_SECRET)
		fprintf(out, "%smode must deny others", (f->min || f->max) ? "; " : "");
	fprintf(out, " | %s | %s |\n",
		(f->flags & HGW_REQUIRED) ? "required" : (f->def ? f->def : "—"),
		f->doc ? f->doc : "");
}

static void walk(FILE *out, const char *prefix, const struct hgw_field *fields)
{
	char path[256];
	for (const struct hgw_field *f = fields; f->name; f++) {
		if (strcmp(f->name, "*") == 0) {
			fprintf(out, "| `%s%s*` | any | | | %s |\n", prefix, *prefix ? "." : "",
				f->doc ? f->doc : "other keys are allowed");
			continue;
		}
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", f->name);
		row(out, path, f);
		const struct hgw_field *item = f->ref;
		if (f->type == HGW_T_OBJECT) {
			walk(out, path, f->ref);
		} else if (f->type == HGW_T_ARRAY && item->type == HGW_T_OBJECT) {
			char sub[272];
			snprintf(sub, sizeof(sub), "%s[]", path);
			walk(out, sub, item->ref);
		} else if (f->type == HGW_T_MAP && item->type == HGW_T_OBJECT) {
			char sub[272];
			snprintf(sub, sizeof(sub), "%s.NAME", path);
			walk(out, sub, item->ref);
		}
	}
}

void hgw_schema_markdown(FILE *out, const struct hgw_field *fields)
{
	fprintf(out, "| key | type | range | default | meaning |\n|---|---|---|---|---|\n");
	walk(out, "", fields);
}
