/* AT command engine: see at_engine.h. */
#include "at_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ts27007.h"

/* Final result codes.  "COMMAND NOT SUPPORT" and "TOO MANY PARAMETERS" are
 * Huawei's own; NO ANSWER/BUSY/NO DIALTONE end a command like NO CARRIER. */
static const struct {
	const char *text;
	bool has_arg; /* "+CME ERROR: <err>" */
	enum at_result res;
} final_codes[] = {
	{ "OK", false, AT_OK },
	{ "ERROR", false, AT_ERROR },
	{ "+CME ERROR:", true, AT_CME_ERROR },
	{ "+CMS ERROR:", true, AT_CMS_ERROR },
	{ "NO CARRIER", false, AT_NO_CARRIER },
	{ "NO ANSWER", false, AT_NO_CARRIER },
	{ "BUSY", false, AT_NO_CARRIER },
	{ "NO DIALTONE", false, AT_NO_CARRIER },
	{ "COMMAND NOT SUPPORT", false, AT_ERROR },
	{ "TOO MANY PARAMETERS", false, AT_ERROR },
};

/* Unsolicited result codes that LTE modems send on their own.  A line with
 * one of these prefixes is a URC unless the command in flight expects that
 * very prefix (AT+CEREG? answers "+CEREG: ..."). */
static const char *const urc_prefixes[] = {
	"+CEREG:", "+CREG:", "+CGREG:", "+C5GREG:", "+CGEV:", "+CSQ:", "+CPIN:", "+CUSD:",
	"+CMTI:", "+CDSI:", "+CIEV:", "+CTZV:", "+CTZE:", "+PACSP", "RING",
	"^NDISSTAT:", "^NDISEND:", "^RSSI:", "^HCSQ:", "^MODE:", "^BOOT:", "^DSFLOWRPT:",
	"^SRVST:", "^SIMST:", "^CERSSI:", "^LTERSRP:", "^ACTIVEBAND:", "^RFSWITCH:",
	"^STIN:", "^ECLSTAT:", "^CPININIT:", "^HCSQ", "^NWTIME:", "^SYSINFOEX:",
};

static bool starts_with_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

bool at_is_urc(const char *line)
{
	for (size_t i = 0; i < sizeof(urc_prefixes) / sizeof(urc_prefixes[0]); i++)
		if (starts_with_ci(line, urc_prefixes[i]))
			return true;
	return false;
}

bool at_final_result(const char *line, enum at_result *res, int *code, char *text, size_t tsize)
{
	for (size_t i = 0; i < sizeof(final_codes) / sizeof(final_codes[0]); i++) {
		const char *t = final_codes[i].text;
		size_t n = strlen(t);
		if (final_codes[i].has_arg ? strncasecmp(line, t, n) != 0 : strcasecmp(line, t) != 0)
			continue;
		*res = final_codes[i].res;
		*code = -1;
		const char *arg = final_codes[i].has_arg ? line + n : line;
		while (*arg == ' ')
			arg++;
		if (final_codes[i].has_arg) {
			char *end;
			long v = strtol(arg, &end, 10);
			if (end != arg && *end == 0 && v >= 0 && v < 100000)
				*code = (int)v;
		}
		if (text && tsize)
			at_copy(text, tsize, final_codes[i].has_arg ? arg : line);
		return true;
	}
	return false;
}

const char *at_result_name(enum at_result r)
{
	switch (r) {
	case AT_OK: return "OK";
	case AT_ERROR: return "ERROR";
	case AT_CME_ERROR: return "+CME ERROR";
	case AT_CMS_ERROR: return "+CMS ERROR";
	case AT_NO_CARRIER: return "NO CARRIER";
	case AT_TIMEOUT: return "timeout";
	case AT_ABORTED: return "aborted";
	}
	return "?";
}

void at_engine_init(struct at_engine *e, const struct hgw_clock *clock,
		    const struct at_engine_ops *ops)
{
	memset(e, 0, sizeof(*e));
	e->clock = clock;
	e->ops = *ops;
}

static void elog(struct at_engine *e, char dir, const char *line)
{
	if (e->ops.log)
		e->ops.log(e->ops.arg, dir, line);
}

static void finish(struct at_engine *e, enum at_result res)
{
	e->resp.result = res;
	e->busy = false;
	at_done_fn done = e->done;
	e->done = NULL;
	/* done() may send the next command at once: the engine is idle here. */
	if (done)
		done(e->done_arg, &e->resp);
}

int at_engine_send(struct at_engine *e, const char *cmd, const char *prefix, uint32_t timeout_ms,
		   bool secret, at_done_fn done, void *done_arg)
{
	size_t n = strlen(cmd);
	if (e->busy || n == 0 || n + 2 > sizeof(e->cmd) || strlen(prefix) >= sizeof(e->prefix))
		return -1;
	memcpy(e->cmd, cmd, n + 1);
	at_copy(e->prefix, sizeof(e->prefix), prefix);
	e->resp.result = AT_OK;
	e->resp.err_code = -1;
	e->resp.err_text[0] = 0;
	e->resp.nlines = 0;
	e->resp.truncated = false;
	e->busy = true;
	e->secret = secret;
	e->done = done;
	e->done_arg = done_arg;
	e->deadline = hgw_now_ms(e->clock) + timeout_ms;
	e->stats.commands++;
	char out[AT_LINE_MAX + 2];
	memcpy(out, cmd, n);
	out[n] = '\r';
	elog(e, '>', secret ? "(command with a secret, not logged)" : cmd);
	if (e->ops.write(e->ops.arg, out, n + 1) < 0)
		finish(e, AT_ABORTED);
	return 0;
}

bool at_engine_busy(const struct at_engine *e)
{
	return e->busy;
}

int64_t at_engine_deadline(const struct at_engine *e)
{
	return e->busy ? e->deadline : INT64_MAX;
}

void at_engine_tick(struct at_engine *e)
{
	if (e->busy && hgw_now_ms(e->clock) >= e->deadline) {
		e->stats.timeouts++;
		elog(e, '!', "timeout");
		finish(e, AT_TIMEOUT);
	}
}

void at_engine_reset(struct at_engine *e)
{
	e->len = 0;
	e->discarding = false;
	if (e->busy)
		finish(e, AT_ABORTED);
}

static bool looks_like_urc(const char *line)
{
	if (line[0] != '+' && line[0] != '^')
		return false;
	size_t n = strspn(line + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
	return n > 0 && line[1 + n] == ':';
}

static void add_line(struct at_engine *e, const char *line)
{
	if (e->resp.nlines >= AT_RESP_LINES) {
		e->resp.truncated = true;
		return;
	}
	at_copy(e->resp.line[e->resp.nlines++], AT_LINE_MAX, line);
}

static void process_line(struct at_engine *e, const char *line)
{
	e->stats.lines++;
	/* The echo: with ATE1 the modem repeats the command line.  Some
	 * firmwares echo in lower case or after a stray space, hence
	 * case-insensitive and trimmed. */
	if (e->busy && strcasecmp(line, e->cmd) == 0)
		return;
	elog(e, '<', e->busy && e->secret && starts_with_ci(line, "AT") ? "(echo)" : line);
	enum at_result res;
	int code;
	if (e->busy && at_final_result(line, &res, &code, e->resp.err_text,
				       sizeof(e->resp.err_text))) {
		e->resp.err_code = code;
		finish(e, res);
		return;
	}
	if (e->busy && e->prefix[0] && starts_with_ci(line, e->prefix)) {
		add_line(e, line);
		return;
	}
	/* "+QIND: ...", "^XYZ: ...": a URC we do not know, not the answer to
	 * a command that announced a different prefix */
	if (at_is_urc(line) || (e->busy && e->prefix[0] && looks_like_urc(line))) {
		e->stats.urcs++;
		if (e->ops.urc)
			e->ops.urc(e->ops.arg, line);
		return;
	}
	if (e->busy) {
		add_line(e, line);
		return;
	}
	/* A result code after a timeout, a late echo, noise on the line. */
	e->stats.stray++;
}

void at_engine_feed(struct at_engine *e, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c == '\r' || c == '\n') {
			if (e->discarding) {
				e->discarding = false;
				e->len = 0;
				continue;
			}
			/* trim trailing and leading blanks */
			while (e->len && e->buf[e->len - 1] == ' ')
				e->len--;
			e->buf[e->len] = 0;
			size_t skip = 0;
			while (skip < e->len && e->buf[skip] == ' ')
				skip++;
			if (e->len > skip) {
				char line[AT_LINE_MAX];
				memcpy(line, e->buf + skip, e->len - skip + 1);
				e->len = 0;
				/* process_line may re-enter send(): work on a copy */
				process_line(e, line);
			}
			e->len = 0;
			continue;
		}
		if (e->discarding)
			continue;
		/* Control bytes are line noise; bytes >= 0x80 are kept out so
		 * every string we publish is ASCII (and so valid UTF-8). */
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c >= 0x80)
			c = '?';
		if (e->len >= sizeof(e->buf) - 1) {
			e->stats.oversized++;
			elog(e, '!', "line longer than 511 bytes discarded");
			e->discarding = true;
			e->len = 0;
			continue;
		}
		e->buf[e->len++] = (char)c;
	}
}
