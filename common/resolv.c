#include "resolv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_schemas.h"

/* Best first.  The hybrid service's resolvers come by DHCP inside the bond;
 * a plain DSL line gets them from IPCP (RFC 1877); LTE from the PDP context.
 * A source counts only in the states where its link carries traffic. */
static const struct dns_source {
	const char *file;              /* exact name, or a prefix ending in '.' */
	const struct hgw_field *schema;
	const char *states[5];
	const char *paths[3];          /* arrays of addresses; "a.b" nests */
} sources[] = {
	{ "dhcp4.", hgw_schema_dhcp4, { "bound", "renewing", "rebinding" }, { "dns" } },
	{ "dhcp6.", hgw_schema_dhcp6, { "bound", "renewing", "rebinding", "information" }, { "dns" } },
	{ "pppoe.json", hgw_schema_pppoe, { "up" }, { "ipv4.dns" } },
	{ "lte.json", hgw_schema_lte, { "connected" }, { "dns4", "dns" } },
};
#define N_SOURCES (sizeof(sources) / sizeof(sources[0]))

static int source_of(const char *file)
{
	for (size_t i = 0; i < N_SOURCES; i++) {
		const char *f = sources[i].file;
		size_t l = strlen(f);
		if (f[l - 1] == '.' ? strncmp(file, f, l) == 0 : strcmp(file, f) == 0)
			return (int)i;
	}
	return -1;
}

const struct hgw_field *hgw_resolv_schema(const char *file)
{
	int s = source_of(file);
	return s < 0 ? NULL : sources[s].schema;
}

static bool usable(const struct dns_source *s, json_t *doc)
{
	const char *state = hgw_json_str(doc, "state");
	for (int i = 0; i < 5 && s->states[i]; i++)
		if (strcmp(state, s->states[i]) == 0)
			return true;
	return false;
}

static json_t *at(json_t *doc, const char *path)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", path);
	char *dot = strchr(buf, '.');
	if (!dot)
		return json_object_get(doc, buf);
	*dot = 0;
	return json_object_get(json_object_get(doc, buf), dot + 1);
}

char *hgw_resolv_text(const char *const names[], json_t *const docs[], size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "# hgw: DNS servers of the WAN links, best first (hgwctl resolv)\n");
	json_t *seen = json_object();
	for (size_t s = 0; s < N_SOURCES; s++) {
		for (size_t d = 0; d < n; d++) {
			if (!docs[d] || source_of(names[d]) != (int)s || !usable(&sources[s], docs[d]))
				continue;
			for (int p = 0; p < 3 && sources[s].paths[p]; p++) {
				size_t i;
				json_t *v;
				json_array_foreach(at(docs[d], sources[s].paths[p]), i, v) {
					const char *a = json_string_value(v);
					if (!a || json_object_get(seen, a))
						continue;
					json_object_set_new(seen, a, json_true());
					fprintf(f, "nameserver %s\n", a);
				}
			}
		}
	}
	if (json_object_size(seen) == 0)
		fprintf(f, "# none: no WAN link is up\n");
	json_decref(seen);
	fclose(f);
	return buf;
}
