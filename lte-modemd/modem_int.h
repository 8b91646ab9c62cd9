/* Internals of the modem state machine shared by its two halves: modem.c
 * (flows, sequences, the command runner) and modem_cmds.c (how each command
 * is built and what its answer and the URCs mean).  Not for other users. */
#ifndef LTE_MODEM_INT_H
#define LTE_MODEM_INT_H

#include "modem.h"

enum step {
	ST_END, ST_AT, ST_ATE0, ST_CMEE, ST_CGMI, ST_CGMM, ST_CGMR, ST_CGSN, ST_CPIN_Q,
	ST_CPIN_SET, ST_CEREG_EN, ST_CGEREP, ST_COPS_FMT, ST_CGDCONT, ST_CGAUTH, ST_CEREG_Q,
	ST_COPS_Q, ST_CSQ, ST_HCSQ, ST_SYSINFOEX, ST_CGACT_UP, ST_NDISDUP_UP, ST_NDISSTATQRY,
	ST_CGACT_Q, ST_CGCONTRDP, ST_CGPADDR, ST_CFUN_OFF, ST_CFUN_ON, ST__COUNT,
};

#define F_OPTIONAL 0x1u   /* an error or timeout does not stop the sequence */
#define F_OWN_ERRORS 0x2u /* the handler sees error results too */
#define F_SECRET 0x4u     /* carries a PIN or password: logged redacted */
#define F_LONG 0x8u       /* uses attach_timeout_ms: network round trips */

typedef void (*step_handler)(struct lte_modem *m, const struct at_response *r);

struct step_def {
	const char *cmd;     /* fixed text; NULL = built by lte_build_cmd() */
	const char *prefix;  /* information-response prefix, "" = bare text */
	unsigned flags;
	step_handler handle; /* NULL = only the result code matters */
};


extern const struct step_def lte_steps[ST__COUNT];
void lte_build_cmd(struct lte_modem *m, enum step s, char *buf, size_t size);
bool lte_step_secret(const struct lte_modem *m, enum step s);
void lte_on_urc(void *arg, const char *line);

/* Flows (modem.c), called by the answer handlers. */
void lte_set_error(struct lte_modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lte_fatal(struct lte_modem *m, const char *reason);
void lte_fail_retry(struct lte_modem *m, const char *reason);
void lte_bearer_lost(struct lte_modem *m, const char *reason);
void lte_start_pin(struct lte_modem *m);
void lte_start_search(struct lte_modem *m);
void lte_start_attach(struct lte_modem *m);
void lte_start_params(struct lte_modem *m);

#endif
