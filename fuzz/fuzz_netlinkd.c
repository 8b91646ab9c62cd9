/* Fuzz target: netlinkd's whole pipeline on hostile inputs.  The input is
 * up to six documents separated by "\n--\n": the config file, lte.json,
 * pppoe.json, hybrid.json, dhcp4.<tunnel>.json, dhcp6.<tunnel>.json.  Each
 * goes through the same schema netlinkd uses; what passes drives the
 * desired-state function and three reconciles against the dummy kernel.
 * Oracle besides the sanitizers: after two rounds the state has converged,
 * so the third round must change nothing (only ops that fail may repeat). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../netlinkd/backend.h"
#include "../netlinkd/nlconfig.h"
#include "../netlinkd/reconcile.h"
#include "config.h"
#include "log.h"
#include "state.h"
#include "state_schemas.h"

#define SEP "\n--\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false);
		once = 1;
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	const char *part[6] = { 0 };
	size_t plen[6] = { 0 };
	char *p = text;
	int n = 0;
	while (n < 6) {
		char *e = strstr(p, SEP);
		part[n] = p;
		plen[n] = e ? (size_t)(e - p) : strlen(p);
		n++;
		if (!e)
			break;
		p = e + strlen(SEP);
	}

	struct hgw_errors err = { 0 };
	json_t *section = hgw_config_load_str(part[0], plen[0], "netlinkd", nl_config_schema, &err);
	struct nl_config cfg;
	if (!section || nl_config_parse(section, &cfg, &err) != 0) {
		json_decref(section);
		free(text);
		return 0;
	}
	const struct hgw_field *schemas[6] = { NULL, hgw_schema_lte, hgw_schema_pppoe,
					       hgw_schema_hybrid, hgw_schema_dhcp4, hgw_schema_dhcp6 };
	json_t *doc[6] = { 0 };
	for (int i = 1; i < n; i++)
		doc[i] = hgw_state_parse(part[i], plen[i], schemas[i], "fuzz", &err);

	struct nl_backend *be = nl_backend_dummy();
	static const char *const links[] = { "lo", "lan0", "lan1", "tun0", "ppp0", "wwan0" };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		nl_dummy_add_link(be, links[i], 1500, i == 0);
	struct nl_reconcile *r = nl_reconcile_new(be, &cfg);
	struct nl_inputs in = { .lte = doc[1], .pppoe = doc[2], .hybrid = doc[3],
				.now = 1800000000 };
	/* The leases belong to whichever WAN device they name. */
	char ifs[NL_WAN_N][NL_IFNAMSIZ];
	nl_wan_interfaces(&in, ifs);
	for (int w = 0; w < NL_WAN_N; w++) {
		if (!ifs[w][0])
			continue;
		if (doc[4] && strcmp(hgw_json_str(doc[4], "interface"), ifs[w]) == 0)
			in.dhcp4[w] = doc[4];
		if (doc[5] && strcmp(hgw_json_str(doc[5], "interface"), ifs[w]) == 0)
			in.dhcp6[w] = doc[5];
	}
	nl_reconcile_run(r, &in, false);
	nl_reconcile_run(r, &in, false);
	nl_reconcile_run(r, &in, false);
	if (r->applied != 0)
		abort(); /* not converged: an op succeeded yet is needed again */
	json_t *rep = nl_reconcile_report(r);
	struct hgw_errors e2 = { 0 };
	if (hgw_schema_check(rep, hgw_schema_netlinkd, "netlinkd.json", &e2) != 0)
		abort(); /* netlinkd.json must always match its schema */
	json_decref(rep);
	nl_reconcile_run(r, NULL, true);
	nl_reconcile_free(r);
	be->free(be);
	for (int i = 0; i < 6; i++)
		json_decref(doc[i]);
	json_decref(section);
	free(text);
	return 0;
}
