/* The AT command engine (ITU-T V.250 framing, 3GPP TS 27.007 result codes):
 * bytes from the serial port in, lines out, one command in flight.
 *
 * No I/O of its own: the caller feeds whatever read() returned (any split,
 * any amount), gives a write function, and calls at_engine_tick() when the
 * deadline from at_engine_deadline() has passed.  Time comes from struct
 * hgw_clock so tests can run a dialogue with a fake clock.
 *
 * Every line is classified, in this order:
 *   - the echo of the command in flight (modems boot with ATE1): dropped;
 *   - a final result code (OK, ERROR, +CME ERROR, +CMS ERROR, NO CARRIER ...):
 *     completes the command in flight;
 *   - a line starting with the command's expected prefix ("+CGPADDR:"):
 *     an intermediate response;
 *   - an unsolicited result code (+CEREG:, +CGEV:, ^NDISSTAT: ...), or any
 *     "+NAME:"/"^NAME:" line while the command expects another prefix
 *     (vendor URCs such as +QIND:): handed to the URC callback at once,
 *     also in the middle of a response;
 *   - any other line while a command is in flight: an intermediate response
 *     (identity commands answer with bare text);
 *   - anything else: stray, counted and dropped.
 * Memory is bounded: a line longer than AT_LINE_MAX is discarded up to its
 * end, a response keeps at most AT_RESP_LINES lines. */
#ifndef LTE_AT_ENGINE_H
#define LTE_AT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define AT_LINE_MAX 512
#define AT_RESP_LINES 16
#define AT_PREFIX_MAX 24

enum at_result {
	AT_OK,
	AT_ERROR,        /* ERROR, COMMAND NOT SUPPORT, TOO MANY PARAMETERS */
	AT_CME_ERROR,    /* +CME ERROR: <err> */
	AT_CMS_ERROR,    /* +CMS ERROR: <err> */
	AT_NO_CARRIER,   /* NO CARRIER, NO ANSWER, BUSY, NO DIALTONE */
	AT_TIMEOUT,      /* no final result code in time */
	AT_ABORTED,      /* the device went away, or the write failed */
};

struct at_response {
	enum at_result result;
	int err_code;               /* +CME/+CMS numeric code, -1 if given as text */
	char err_text[96];          /* the error as the modem said it */
	int nlines;
	bool truncated;             /* more than AT_RESP_LINES intermediate lines */
	char line[AT_RESP_LINES][AT_LINE_MAX];
};

struct at_engine;
/* r is valid until the next at_engine_send(). */
typedef void (*at_done_fn)(void *arg, const struct at_response *r);
typedef void (*at_urc_fn)(void *arg, const char *line);
/* Returns 0 if all of buf was written, -1 if not. */
typedef int (*at_write_fn)(void *arg, const char *buf, size_t len);
/* dir: '>' sent, '<' received, '!' event (timeout, oversized line). */
typedef void (*at_log_fn)(void *arg, char dir, const char *line);

struct at_engine_ops {
	at_write_fn write;
	at_urc_fn urc;
	at_log_fn log; /* may be NULL */
	void *arg;
};

struct at_engine_stats {
	unsigned long lines, urcs, stray, oversized, timeouts, commands;
};

struct at_engine {
	const struct hgw_clock *clock;
	struct at_engine_ops ops;
	/* line assembly */
	char buf[AT_LINE_MAX];
	size_t len;
	bool discarding;
	/* the command in flight */
	bool busy;
	bool secret;                /* do not log the command's text */
	char cmd[AT_LINE_MAX];
	char prefix[AT_PREFIX_MAX];
	int64_t deadline;
	at_done_fn done;
	void *done_arg;
	struct at_response resp;
	struct at_engine_stats stats;
};

void at_engine_init(struct at_engine *e, const struct hgw_clock *clock,
		    const struct at_engine_ops *ops);
/* Sends cmd (without "\r").  prefix: the information-response prefix the
 * command answers with ("+CEREG:"), or "" for bare-text answers.  secret:
 * the command carries a PIN or password and is logged redacted.  Returns 0,
 * or -1 if a command is already in flight or cmd is too long; if the write
 * fails, done() is called with AT_ABORTED before this returns 0. */
int at_engine_send(struct at_engine *e, const char *cmd, const char *prefix, uint32_t timeout_ms,
		   bool secret, at_done_fn done, void *done_arg);
bool at_engine_busy(const struct at_engine *e);
void at_engine_feed(struct at_engine *e, const void *data, size_t len);
/* Completes the command in flight with AT_TIMEOUT if its deadline passed. */
void at_engine_tick(struct at_engine *e);
/* Deadline of the command in flight (monotonic ms), or INT64_MAX. */
int64_t at_engine_deadline(const struct at_engine *e);
/* The device went away: forget partial input, complete the command in
 * flight with AT_ABORTED. */
void at_engine_reset(struct at_engine *e);

/* Classification helpers, exposed for the parsers' tests and the fuzzer. */
bool at_is_urc(const char *line);
/* Returns true and fills result/code/text if line is a final result code. */
bool at_final_result(const char *line, enum at_result *res, int *code, char *text, size_t tsize);
const char *at_result_name(enum at_result r);

#endif
