/* One reconcile: inputs -> desired -> kernel dump -> diff -> apply ->
 * per-object results, and netlinkd.json built from them.  Talks to the
 * kernel only through struct nl_backend. */
#ifndef NL_RECONCILE_H
#define NL_RECONCILE_H

#include <jansson.h>

#include "backend.h"
#include "nlconfig.h"
#include "desired.h"
#include "diff.h"

#define NL_ERRLEN 320
#define NL_MAX_ERRORS 32

struct nl_reconcile {
	struct nl_backend *be;
	struct nl_config cfg;
	struct nl_pd_hist hist;
	struct nl_desired d;
	struct nl_kstate k;
	struct nl_ops ops;
	struct nl_missing missing;
	/* Per desired object: "" = applied, else why not. */
	char link_err[NL_MAX_LINKS][NL_ERRLEN];
	char addr_err[NL_MAX_ADDRS][NL_ERRLEN];
	char route_err[NL_MAX_ROUTES][NL_ERRLEN];
	char rule_err[NL_MAX_RULES][NL_ERRLEN];
	char sysctl_err[NL_MAX_SYSCTLS][NL_ERRLEN];
	char tunnel_err[NL_MAX_TUNNELS][NL_ERRLEN];
	char sysctl_now[NL_MAX_SYSCTLS][32];
	char fw_err[NL_ERRLEN];
	char ep_err[NL_MAX_EPS][NL_ERRLEN];
	char mptcp_err[NL_ERRLEN];
	/* Failures that belong to no desired object (deletes, dumps). */
	char errors[NL_MAX_ERRORS][NL_ERRLEN];
	int n_errors;
	int failures;       /* of the last run */
	int applied;        /* ops that succeeded in the last run */
	unsigned long runs; /* reconciles so far */
	bool seeded;        /* PD history adopted from the kernel */
};

struct nl_reconcile *nl_reconcile_new(struct nl_backend *be, const struct nl_config *cfg);
void nl_reconcile_free(struct nl_reconcile *r);

/* Makes the kernel match in (cleanup: match "nothing", i.e. remove every
 * object netlinkd owns, leave links and sysctls alone).  Returns the number
 * of failures. */
int nl_reconcile_run(struct nl_reconcile *r, const struct nl_inputs *in, bool cleanup);

/* netlinkd.json for the last run. */
json_t *nl_reconcile_report(const struct nl_reconcile *r);

#endif
