/* The modem state machine: from a freshly opened AT port to a connected
 * bearer, and back whenever something goes wrong.  I/O-free: it talks
 * through struct at_engine (bytes in via lte_modem_input, bytes out via
 * ops.write), takes time from struct hgw_clock and jitter from hgw_rng, and
 * tells its caller when it next needs to run (lte_modem_next_deadline) and
 * whether it wants the device re-opened (a modem that stopped answering).
 *
 *   init     AT, ATE0, AT+CMEE=2, identity, AT+CPIN? (+ PIN once, never
 *            again after a refusal)
 *   setup    AT+CEREG=2, AT+CGEREP=2,1, AT+COPS=3,0, AT+CGDCONT (+CGAUTH)
 *   search   AT+CEREG? / AT+COPS? / signal, every poll_ms, until registered
 *   attach   huawei-ndis: AT^NDISDUP=cid,1,"apn" then wait for ^NDISSTAT
 *            3gpp: AT+CGACT=1,cid
 *   params   AT+CGCONTRDP=cid, AT+CGPADDR=cid
 *   connected  the same polls plus a bearer check every poll_ms; +CGEV,
 *            ^NDISSTAT and +CEREG URCs act at once
 * A failure waits (hgw_backoff) and tries again; after reset_after failures
 * in a row the radio is cycled (AT+CFUN=0, AT+CFUN=1) and init starts over.
 * Which commands each profile sends is in the tables in modem.c. */
#ifndef LTE_MODEM_H
#define LTE_MODEM_H

#include <stdbool.h>
#include <stdint.h>

#include "at_engine.h"
#include "clock.h"
#include "ts27007.h"

enum lte_profile { LTE_PROFILE_AUTO, LTE_PROFILE_HUAWEI, LTE_PROFILE_3GPP };
enum lte_pdp { LTE_PDP_IPV6, LTE_PDP_IPV4V6, LTE_PDP_IP };
enum lte_auth { LTE_AUTH_NONE, LTE_AUTH_PAP, LTE_AUTH_CHAP };

struct lte_config {
	enum lte_profile profile;
	enum lte_pdp pdp;
	int cid;
	char apn[64];
	enum lte_auth auth;
	char username[64];
	char password[64];
	char pin[16];                 /* "" = none configured */
	uint32_t cmd_timeout_ms;      /* ordinary commands */
	uint32_t attach_timeout_ms;   /* CGACT / NDISDUP / CFUN, and bearer wait */
	uint32_t poll_ms;             /* registration, signal, bearer checks */
	uint32_t search_timeout_ms;   /* unregistered this long = a failure */
	uint32_t retry_min_ms, retry_max_ms;
	unsigned reset_after;         /* failures in a row before AT+CFUN cycle */
	unsigned timeouts_before_reopen;
	unsigned log_lines;           /* AT dialogue lines kept, 0..LTE_LOG_MAX */
};

enum lte_state {
	LTE_ABSENT, LTE_INIT, LTE_SEARCHING, LTE_REGISTERED, LTE_ATTACHING, LTE_CONNECTED,
	LTE_FAILED,
};
const char *lte_state_name(enum lte_state s);
const char *lte_profile_name(enum lte_profile p);
const char *lte_pdp_name(enum lte_pdp p);

#define LTE_NO_VALUE INT32_MIN

struct lte_status {
	enum lte_state state;
	enum lte_profile profile;     /* resolved; AUTO until identified */
	char manufacturer[64], model[64], firmware[64], imei[32];
	enum at_sim sim;
	bool sim_absent;
	int reg;                      /* enum at_reg, -1 unknown */
	long tac, ci;
	char oper[64];
	char act[24];
	int rssi_dbm, rsrp_dbm;       /* LTE_NO_VALUE if unknown */
	int rsrq_x10, sinr_x10;       /* tenths of dB */
	struct at_addr addr6, addr4;  /* family 0 = none */
	struct at_addr ll6;           /* fe80::/10 from the context (SLAAC does the rest) */
	struct at_addr gw6, gw4;
	struct at_addr dns6[2], dns4[2];
	int mtu;                      /* -1 unknown */
	char last_error[200];
	int64_t connected_since;      /* wall seconds, 0 = not connected */
	unsigned attaches, bearer_losses, resets, failures;
};

#define LTE_LOG_MAX 64
#define LTE_LOG_LINE 160

struct lte_modem_ops {
	at_write_fn write;
	/* Every AT line (redacted) for the daemon's debug log; may be NULL. */
	void (*log)(void *arg, char dir, const char *line);
	void *arg;
};

enum lte_phase {
	PH_CLOSED, PH_INIT, PH_SETUP, PH_RESET, PH_SEARCH, PH_ATTACH, PH_WAIT_BEARER,
	PH_PARAMS, PH_CONNECTED, PH_BACKOFF, PH_FAILED,
};

struct lte_modem {
	struct lte_config cfg;
	const struct hgw_clock *clock;
	const struct hgw_rng *rng;
	struct lte_modem_ops ops;
	struct at_engine at;
	struct lte_status st;
	enum lte_phase ph;
	enum lte_phase after_backoff;
	const uint8_t *seq;           /* steps being run, ended by ST_END */
	int pos;
	void (*seq_done)(struct lte_modem *m);
	unsigned gen, inflight_gen;
	uint8_t inflight_step;
	int64_t wake_at;              /* monotonic ms of the next timed action */
	int64_t phase_started;
	struct hgw_backoff backoff;
	unsigned timeouts_row;
	unsigned pin_tries;           /* PINs sent without an OK: never more than one */
	bool pin_rejected;
	bool want_reopen;
	char log[LTE_LOG_MAX][LTE_LOG_LINE];
	unsigned log_head, log_count;
};

void lte_modem_init(struct lte_modem *m, const struct lte_config *cfg,
		    const struct hgw_clock *clock, const struct hgw_rng *rng,
		    const struct lte_modem_ops *ops);
/* The device is open: start from init. */
void lte_modem_opened(struct lte_modem *m);
/* The device is gone (or closed by us): forget the bearer. */
void lte_modem_closed(struct lte_modem *m, const char *reason);
void lte_modem_input(struct lte_modem *m, const void *data, size_t len);
/* Runs timeouts and timed actions that are due. */
void lte_modem_tick(struct lte_modem *m);
/* When lte_modem_tick next has work (monotonic ms), INT64_MAX if none. */
int64_t lte_modem_next_deadline(const struct lte_modem *m);
/* True once the modem stopped answering (or a write failed): the caller
 * should close the device, call lte_modem_closed() and re-open it later. */
bool lte_modem_want_reopen(const struct lte_modem *m);
/* Status with state derived from the phase. */
const struct lte_status *lte_modem_status(struct lte_modem *m);
/* The last n AT lines, oldest first: line(i) for i < count. */
unsigned lte_modem_log_count(const struct lte_modem *m);
const char *lte_modem_log_line(const struct lte_modem *m, unsigned i);

#endif
