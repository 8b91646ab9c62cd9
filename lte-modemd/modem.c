/* The modem state machine: see modem.h. */
#include "modem.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "huawei.h"
#include "log.h"

/* ---- the commands ------------------------------------------------------ */

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

struct lte_modem;
typedef void (*step_handler)(struct lte_modem *m, const struct at_response *r);

struct step_def {
	const char *cmd;     /* fixed text; NULL = built by build_cmd() */
	const char *prefix;  /* information-response prefix, "" = bare text */
	unsigned flags;
	step_handler handle; /* NULL = only the result code matters */
};

static void h_cgmi(struct lte_modem *m, const struct at_response *r);
static void h_cgmm(struct lte_modem *m, const struct at_response *r);
static void h_cgmr(struct lte_modem *m, const struct at_response *r);
static void h_cgsn(struct lte_modem *m, const struct at_response *r);
static void h_cpin_q(struct lte_modem *m, const struct at_response *r);
static void h_cpin_set(struct lte_modem *m, const struct at_response *r);
static void h_cereg_q(struct lte_modem *m, const struct at_response *r);
static void h_cops_q(struct lte_modem *m, const struct at_response *r);
static void h_csq(struct lte_modem *m, const struct at_response *r);
static void h_hcsq(struct lte_modem *m, const struct at_response *r);
static void h_sysinfoex(struct lte_modem *m, const struct at_response *r);
static void h_ndisstatqry(struct lte_modem *m, const struct at_response *r);
static void h_cgact_q(struct lte_modem *m, const struct at_response *r);
static void h_cgcontrdp(struct lte_modem *m, const struct at_response *r);
static void h_cgpaddr(struct lte_modem *m, const struct at_response *r);

static const struct step_def steps[ST__COUNT] = {
	[ST_AT] = { "AT", "", 0, NULL },
	[ST_ATE0] = { "ATE0", "", 0, NULL },
	/* verbose +CME ERROR texts make the logs readable */
	[ST_CMEE] = { "AT+CMEE=2", "", F_OPTIONAL, NULL },
	[ST_CGMI] = { "AT+CGMI", "+CGMI:", F_OPTIONAL, h_cgmi },
	[ST_CGMM] = { "AT+CGMM", "+CGMM:", F_OPTIONAL, h_cgmm },
	[ST_CGMR] = { "AT+CGMR", "+CGMR:", F_OPTIONAL, h_cgmr },
	[ST_CGSN] = { "AT+CGSN", "+CGSN:", F_OPTIONAL, h_cgsn },
	[ST_CPIN_Q] = { "AT+CPIN?", "+CPIN:", F_OWN_ERRORS, h_cpin_q },
	[ST_CPIN_SET] = { NULL, "", F_OWN_ERRORS | F_SECRET | F_LONG, h_cpin_set },
	/* registration URCs with TAC/CI/AcT, PDP event URCs, operator names */
	[ST_CEREG_EN] = { "AT+CEREG=2", "", F_OPTIONAL, NULL },
	[ST_CGEREP] = { "AT+CGEREP=2,1", "", F_OPTIONAL, NULL },
	[ST_COPS_FMT] = { "AT+COPS=3,0", "", F_OPTIONAL, NULL },
	[ST_CGDCONT] = { NULL, "", 0, NULL },
	[ST_CGAUTH] = { NULL, "", F_SECRET | F_OPTIONAL, NULL }, /* not every modem has it */
	[ST_CEREG_Q] = { "AT+CEREG?", "+CEREG:", F_OPTIONAL, h_cereg_q },
	[ST_COPS_Q] = { "AT+COPS?", "+COPS:", F_OPTIONAL, h_cops_q },
	[ST_CSQ] = { "AT+CSQ", "+CSQ:", F_OPTIONAL, h_csq },
	[ST_HCSQ] = { "AT^HCSQ?", "^HCSQ:", F_OPTIONAL, h_hcsq },
	[ST_SYSINFOEX] = { "AT^SYSINFOEX", "^SYSINFOEX:", F_OPTIONAL, h_sysinfoex },
	[ST_CGACT_UP] = { NULL, "", F_LONG, NULL },
	[ST_NDISDUP_UP] = { NULL, "", F_LONG, NULL },
	[ST_NDISSTATQRY] = { "AT^NDISSTATQRY?", "^NDISSTATQRY:", F_OPTIONAL, h_ndisstatqry },
	[ST_CGACT_Q] = { "AT+CGACT?", "+CGACT:", F_OPTIONAL, h_cgact_q },
	[ST_CGCONTRDP] = { NULL, "+CGCONTRDP:", F_OPTIONAL, h_cgcontrdp },
	[ST_CGPADDR] = { NULL, "+CGPADDR:", F_OPTIONAL, h_cgpaddr },
	[ST_CFUN_OFF] = { "AT+CFUN=0", "", F_OPTIONAL | F_LONG, NULL },
	[ST_CFUN_ON] = { "AT+CFUN=1", "", F_OPTIONAL | F_LONG, NULL },
};

/* ---- the policy: which commands, in which order, per profile ---------- */

static const uint8_t seq_init[] = { ST_AT, ST_ATE0, ST_CMEE, ST_CGMI, ST_CGMM, ST_CGMR, ST_CGSN,
				    ST_CPIN_Q, ST_END };
static const uint8_t seq_pin[] = { ST_CPIN_SET, ST_CPIN_Q, ST_END };
static const uint8_t seq_reset[] = { ST_CFUN_OFF, ST_CFUN_ON, ST_END };
static const uint8_t seq_params[] = { ST_CGCONTRDP, ST_CGPADDR, ST_END };

struct profile_def {
	const uint8_t *setup;
	const uint8_t *poll;    /* while searching */
	const uint8_t *attach;
	const uint8_t *check;   /* while connected */
	bool wait_bearer;       /* attach returns before the bearer is up */
};

static const uint8_t hw_setup[] = { ST_CEREG_EN, ST_CGEREP, ST_COPS_FMT, ST_CGDCONT, ST_END };
static const uint8_t hw_poll[] = { ST_CEREG_Q, ST_COPS_Q, ST_HCSQ, ST_SYSINFOEX, ST_END };
static const uint8_t hw_attach[] = { ST_NDISDUP_UP, ST_END };
static const uint8_t hw_check[] = { ST_CEREG_Q, ST_COPS_Q, ST_HCSQ, ST_SYSINFOEX, ST_NDISSTATQRY,
				    ST_END };
static const uint8_t g_setup[] = { ST_CEREG_EN, ST_CGEREP, ST_COPS_FMT, ST_CGDCONT, ST_CGAUTH,
				   ST_END };
static const uint8_t g_poll[] = { ST_CEREG_Q, ST_COPS_Q, ST_CSQ, ST_END };
static const uint8_t g_attach[] = { ST_CGACT_UP, ST_END };
static const uint8_t g_check[] = { ST_CEREG_Q, ST_COPS_Q, ST_CSQ, ST_CGACT_Q, ST_END };

static const struct profile_def profiles[] = {
	[LTE_PROFILE_HUAWEI] = { hw_setup, hw_poll, hw_attach, hw_check, true },
	[LTE_PROFILE_3GPP] = { g_setup, g_poll, g_attach, g_check, false },
};

/* Profile by manufacturer (AT+CGMI) when config says "auto". */
static const struct {
	const char *substring;
	enum lte_profile profile;
} profile_by_maker[] = {
	{ "huawei", LTE_PROFILE_HUAWEI },
};

/* ---- names --------------------------------------------------------------- */

const char *lte_state_name(enum lte_state s)
{
	static const char *const names[] = { "absent", "init", "searching", "registered",
					     "attaching", "connected", "failed" };
	return names[s];
}

const char *lte_profile_name(enum lte_profile p)
{
	static const char *const names[] = { "auto", "huawei-ndis", "3gpp" };
	return names[p];
}

const char *lte_pdp_name(enum lte_pdp p)
{
	static const char *const names[] = { "IPV6", "IPV4V6", "IP" };
	return names[p];
}

/* ---- plumbing ------------------------------------------------------------ */

static int64_t now(const struct lte_modem *m)
{
	return hgw_now_ms(m->clock);
}

static const struct profile_def *prof(const struct lte_modem *m)
{
	enum lte_profile p = m->st.profile == LTE_PROFILE_AUTO ? LTE_PROFILE_3GPP : m->st.profile;
	return &profiles[p];
}

static void mlog(void *arg, char dir, const char *line)
{
	struct lte_modem *m = arg;
	if (m->cfg.log_lines) {
		unsigned cap = m->cfg.log_lines > LTE_LOG_MAX ? LTE_LOG_MAX : m->cfg.log_lines;
		unsigned slot = (m->log_head + m->log_count) % cap;
		if (m->log_count == cap)
			m->log_head = (m->log_head + 1) % cap;
		else
			m->log_count++;
		snprintf(m->log[slot], LTE_LOG_LINE, "%c %s", dir, line);
	}
	if (m->ops.log)
		m->ops.log(m->ops.arg, dir, line);
}

unsigned lte_modem_log_count(const struct lte_modem *m)
{
	return m->log_count;
}

const char *lte_modem_log_line(const struct lte_modem *m, unsigned i)
{
	unsigned cap = m->cfg.log_lines > LTE_LOG_MAX ? LTE_LOG_MAX : m->cfg.log_lines;
	if (i >= m->log_count || !cap)
		return "";
	return m->log[(m->log_head + i) % cap];
}

static void set_error(struct lte_modem *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_error(struct lte_modem *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->st.last_error, sizeof(m->st.last_error), fmt, ap);
	va_end(ap);
}

static void clear_bearer(struct lte_modem *m)
{
	memset(&m->st.addr6, 0, sizeof(m->st.addr6));
	memset(&m->st.ll6, 0, sizeof(m->st.ll6));
	memset(&m->st.addr4, 0, sizeof(m->st.addr4));
	memset(&m->st.gw6, 0, sizeof(m->st.gw6));
	memset(&m->st.gw4, 0, sizeof(m->st.gw4));
	memset(m->st.dns6, 0, sizeof(m->st.dns6));
	memset(m->st.dns4, 0, sizeof(m->st.dns4));
	m->st.mtu = -1;
	m->st.connected_since = 0;
}

static void clear_radio(struct lte_modem *m)
{
	m->st.reg = -1;
	m->st.tac = m->st.ci = -1;
	m->st.oper[0] = 0;
	m->st.act[0] = 0;
	m->st.rssi_dbm = m->st.rsrp_dbm = LTE_NO_VALUE;
	m->st.rsrq_x10 = m->st.sinr_x10 = LTE_NO_VALUE;
}

/* Starts a sequence; any command still in flight belongs to the old flow
 * and its answer is ignored (gen). */
static void run(struct lte_modem *m, enum lte_phase ph, const uint8_t *seq,
		void (*done)(struct lte_modem *))
{
	m->gen++;
	m->ph = ph;
	m->seq = seq;
	m->pos = 0;
	m->seq_done = done;
	m->wake_at = INT64_MAX;
}

static void idle(struct lte_modem *m, enum lte_phase ph, int64_t wake_at)
{
	m->gen++;
	m->ph = ph;
	m->seq = NULL;
	m->seq_done = NULL;
	m->wake_at = wake_at;
}

static void kick(struct lte_modem *m);
static void start_init(struct lte_modem *m);
static void start_search(struct lte_modem *m);
static void start_params(struct lte_modem *m);

/* A fault that retrying cannot fix (wrong PIN, PUK, no SIM). */
static void fatal(struct lte_modem *m, const char *reason)
{
	at_copy(m->st.last_error, sizeof(m->st.last_error), reason);
	log_err("%s", reason);
	clear_bearer(m);
	idle(m, PH_FAILED, INT64_MAX);
}

static void start_reset(struct lte_modem *m);

/* Something failed: wait and try again, or cycle the radio if it keeps
 * failing. */
static void fail_retry(struct lte_modem *m, const char *reason)
{
	at_copy(m->st.last_error, sizeof(m->st.last_error), reason);
	clear_bearer(m);
	m->st.failures++;
	enum lte_phase again = (m->ph == PH_INIT || m->ph == PH_SETUP || m->ph == PH_RESET)
				       ? PH_INIT
				       : PH_SEARCH;
	if (m->cfg.reset_after && m->st.failures >= m->cfg.reset_after) {
		log_warn("%s; %u failures in a row, resetting the modem (AT+CFUN cycle)", reason,
			 m->st.failures);
		m->st.failures = 0;
		m->st.resets++;
		start_reset(m);
		return;
	}
	uint32_t delay = hgw_backoff_next(&m->backoff, m->rng);
	log_warn("%s; retrying in %u ms", reason, delay);
	m->after_backoff = again;
	idle(m, PH_BACKOFF, now(m) + delay);
}

static void bearer_lost(struct lte_modem *m, const char *reason)
{
	m->st.bearer_losses++;
	at_copy(m->st.last_error, sizeof(m->st.last_error), reason);
	clear_bearer(m);
	uint32_t delay = hgw_backoff_next(&m->backoff, m->rng);
	log_warn("bearer lost: %s; re-attaching in %u ms", reason, delay);
	m->after_backoff = PH_SEARCH;
	idle(m, PH_BACKOFF, now(m) + delay);
}

/* ---- flows --------------------------------------------------------------- */

static void reset_done(struct lte_modem *m)
{
	start_init(m);
}

static void start_reset(struct lte_modem *m)
{
	clear_bearer(m);
	clear_radio(m);
	run(m, PH_RESET, seq_reset, reset_done);
}

static void setup_done(struct lte_modem *m)
{
	start_search(m);
}

static void start_setup(struct lte_modem *m)
{
	if (m->st.profile == LTE_PROFILE_AUTO)
		m->st.profile = LTE_PROFILE_3GPP;
	run(m, PH_SETUP, prof(m)->setup, setup_done);
}

static void init_done(struct lte_modem *m)
{
	/* h_cpin_q decides; reaching here means the SIM is ready */
	start_setup(m);
}

static void start_init(struct lte_modem *m)
{
	m->st.profile = m->cfg.profile;
	m->st.sim = AT_SIM_UNKNOWN;
	m->st.sim_absent = false;
	clear_bearer(m);
	run(m, PH_INIT, seq_init, init_done);
}

static void connected_poll_done(struct lte_modem *m)
{
	idle(m, PH_CONNECTED, now(m) + m->cfg.poll_ms);
}

static void attach_done(struct lte_modem *m);

static void start_attach(struct lte_modem *m)
{
	m->st.attaches++;
	m->phase_started = now(m);
	log_info("registered (%s); attaching APN \"%s\" (%s, %s)", at_reg_name(m->st.reg),
		 m->cfg.apn, lte_pdp_name(m->cfg.pdp), lte_profile_name(m->st.profile));
	run(m, PH_ATTACH, prof(m)->attach, attach_done);
}

static void search_poll_done(struct lte_modem *m)
{
	if (at_reg_is_registered(m->st.reg)) {
		start_attach(m);
		return;
	}
	if (now(m) - m->phase_started >= m->cfg.search_timeout_ms) {
		char why[120];
		snprintf(why, sizeof(why), "not registered on the network for %u s (%s)",
			 m->cfg.search_timeout_ms / 1000, at_reg_name(m->st.reg));
		fail_retry(m, why);
		return;
	}
	idle(m, PH_SEARCH, now(m) + m->cfg.poll_ms);
}

static void start_search(struct lte_modem *m)
{
	m->phase_started = now(m);
	run(m, PH_SEARCH, prof(m)->poll, search_poll_done);
}

static void attach_done(struct lte_modem *m)
{
	if (prof(m)->wait_bearer) {
		/* ^NDISDUP only starts the connection: ^NDISSTAT says when it
		 * is up; poll too, in case the URC is lost. */
		int64_t step = m->cfg.poll_ms < 1000 ? m->cfg.poll_ms : 1000;
		idle(m, PH_WAIT_BEARER, now(m) + step);
		return;
	}
	start_params(m);
}

static bool addr_ok(const struct at_addr *a, int family)
{
	return a->family == family;
}

static void params_done(struct lte_modem *m)
{
	bool want6 = m->cfg.pdp != LTE_PDP_IP, want4 = m->cfg.pdp != LTE_PDP_IPV6;
	bool have6 = addr_ok(&m->st.addr6, 6) || addr_ok(&m->st.ll6, 6);
	bool have4 = addr_ok(&m->st.addr4, 4);
	if ((m->cfg.pdp == LTE_PDP_IPV6 && !have6) || (m->cfg.pdp == LTE_PDP_IP && !have4) ||
	    (m->cfg.pdp == LTE_PDP_IPV4V6 && !have6 && !have4)) {
		char why[96];
		snprintf(why, sizeof(why), "the %s context has no %s address", lte_pdp_name(m->cfg.pdp),
			 want6 ? "IPv6" : "IPv4");
		fail_retry(m, why);
		return;
	}
	(void)want4;
	if (have6 && m->st.addr6.plen < 0)
		m->st.addr6.plen = 64;
	if (m->st.ll6.family)
		m->st.ll6.plen = 64;
	if (have6 && !m->st.addr6.family)
		log_notice("the PDP context gives only a link-local IPv6 address: the global one "
			   "comes from router advertisements on the bearer interface");
	if (have4 && m->st.addr4.plen < 0)
		m->st.addr4.plen = 32;
	char a[INET6_ADDRSTRLEN] = "-";
	if (have6)
		inet_ntop(AF_INET6, m->st.addr6.family ? m->st.addr6.a : m->st.ll6.a, a, sizeof(a));
	else
		inet_ntop(AF_INET, m->st.addr4.a, a, sizeof(a));
	log_notice("connected: %s/%d on APN \"%s\" after %lld ms", a,
		   have6 ? m->st.addr6.plen : m->st.addr4.plen, m->cfg.apn,
		   (long long)(now(m) - m->phase_started));
	m->st.failures = 0;
	m->st.last_error[0] = 0;
	hgw_backoff_reset(&m->backoff);
	m->st.connected_since = hgw_wall_s(m->clock);
	idle(m, PH_CONNECTED, now(m) + m->cfg.poll_ms);
}

static void start_params(struct lte_modem *m)
{
	clear_bearer(m);
	run(m, PH_PARAMS, seq_params, params_done);
}

/* Timed actions: what each idle phase does when wake_at comes. */
static void on_wake(struct lte_modem *m)
{
	switch (m->ph) {
	case PH_BACKOFF:
		if (m->after_backoff == PH_INIT)
			start_init(m);
		else
			start_search(m);
		break;
	case PH_SEARCH:
		run(m, PH_SEARCH, prof(m)->poll, search_poll_done);
		break;
	case PH_WAIT_BEARER:
		if (now(m) - m->phase_started >= m->cfg.attach_timeout_ms) {
			char why[96];
			snprintf(why, sizeof(why), "bearer not up %u ms after ^NDISDUP",
				 m->cfg.attach_timeout_ms);
			fail_retry(m, why);
			break;
		}
		static const uint8_t q[] = { ST_NDISSTATQRY, ST_END };
		run(m, PH_WAIT_BEARER, q, attach_done);
		break;
	case PH_CONNECTED:
		run(m, PH_CONNECTED, prof(m)->check, connected_poll_done);
		break;
	default:
		break;
	}
}

/* ---- building commands --------------------------------------------------- */

static int auth_code(enum lte_auth a)
{
	return a == LTE_AUTH_PAP ? 1 : a == LTE_AUTH_CHAP ? 2 : 0;
}

static void build_cmd(struct lte_modem *m, enum step s, char *buf, size_t size)
{
	const struct lte_config *c = &m->cfg;
	switch (s) {
	case ST_CPIN_SET:
		snprintf(buf, size, "AT+CPIN=\"%s\"", c->pin);
		break;
	case ST_CGDCONT:
		snprintf(buf, size, "AT+CGDCONT=%d,\"%s\",\"%s\"", c->cid, lte_pdp_name(c->pdp), c->apn);
		break;
	case ST_CGAUTH:
		if (c->auth == LTE_AUTH_NONE)
			snprintf(buf, size, "AT+CGAUTH=%d,0", c->cid);
		else
			snprintf(buf, size, "AT+CGAUTH=%d,%d,\"%s\",\"%s\"", c->cid, auth_code(c->auth),
				 c->username, c->password);
		break;
	case ST_CGACT_UP:
		snprintf(buf, size, "AT+CGACT=1,%d", c->cid);
		break;
	case ST_NDISDUP_UP:
		if (c->auth == LTE_AUTH_NONE)
			snprintf(buf, size, "AT^NDISDUP=%d,1,\"%s\"", c->cid, c->apn);
		else
			snprintf(buf, size, "AT^NDISDUP=%d,1,\"%s\",\"%s\",\"%s\",%d", c->cid, c->apn,
				 c->username, c->password, auth_code(c->auth));
		break;
	case ST_CGCONTRDP:
		snprintf(buf, size, "AT+CGCONTRDP=%d", c->cid);
		break;
	case ST_CGPADDR:
		snprintf(buf, size, "AT+CGPADDR=%d", c->cid);
		break;
	default:
		at_copy(buf, size, steps[s].cmd);
	}
}

static bool step_secret(const struct lte_modem *m, enum step s)
{
	if (s == ST_NDISDUP_UP)
		return m->cfg.auth != LTE_AUTH_NONE;
	return steps[s].flags & F_SECRET;
}

/* ---- results ------------------------------------------------------------- */

static void on_done(void *arg, const struct at_response *r)
{
	struct lte_modem *m = arg;
	if (r->result == AT_ABORTED) {
		m->want_reopen = true;
		return;
	}
	if (r->result == AT_TIMEOUT) {
		m->timeouts_row++;
	} else {
		m->timeouts_row = 0;
	}
	if (m->inflight_gen != m->gen)
		return; /* the flow moved on while this was in flight */
	enum step s = m->inflight_step;
	const struct step_def *d = &steps[s];
	if (r->result == AT_TIMEOUT && m->timeouts_row >= m->cfg.timeouts_before_reopen) {
		char cmd[AT_LINE_MAX];
		build_cmd(m, s, cmd, sizeof(cmd));
		set_error(m, "modem not answering (%u commands timed out, last %s); re-opening the "
			     "device",
			  m->timeouts_row, step_secret(m, s) ? "a secret" : cmd);
		log_warn("%s", m->st.last_error);
		clear_bearer(m);
		m->want_reopen = true;
		idle(m, PH_CLOSED, INT64_MAX);
		return;
	}
	unsigned gen = m->gen;
	if (r->result == AT_OK || ((d->flags & F_OWN_ERRORS) && r->result != AT_TIMEOUT)) {
		if (d->handle)
			d->handle(m, r);
	} else if (!(d->flags & F_OPTIONAL)) {
		char cmd[AT_LINE_MAX], why[200];
		build_cmd(m, s, cmd, sizeof(cmd));
		snprintf(why, sizeof(why), "%.60s: %s%s%.80s", step_secret(m, s) ? "AT (secret)" : cmd,
			 at_result_name(r->result), r->err_text[0] ? " " : "", r->err_text);
		fail_retry(m, why);
		return;
	}
	if (m->gen == gen && m->seq)
		m->pos++; /* the handler did not redirect the flow */
}

static void send_step(struct lte_modem *m)
{
	enum step s = m->seq[m->pos];
	char cmd[AT_LINE_MAX];
	build_cmd(m, s, cmd, sizeof(cmd));
	uint32_t tmo = steps[s].flags & F_LONG ? m->cfg.attach_timeout_ms : m->cfg.cmd_timeout_ms;
	m->inflight_gen = m->gen;
	m->inflight_step = (uint8_t)s;
	/* counted when it goes out: a PIN that times out may still have
	 * cost one of the SIM's three attempts */
	if (s == ST_CPIN_SET)
		m->pin_tries++;
	if (at_engine_send(&m->at, cmd, steps[s].prefix, tmo, step_secret(m, s), on_done, m) < 0) {
		log_err("cannot send %s", step_secret(m, s) ? "a command" : cmd);
		m->want_reopen = true;
	}
}

static void kick(struct lte_modem *m)
{
	/* Bounded: each pass sends a command, ends a sequence or handles a
	 * due wake-up, and every wake-up either starts a sequence or moves
	 * wake_at into the future. */
	for (int guard = 0; guard < 64 && !m->want_reopen && m->ph != PH_CLOSED; guard++) {
		if (at_engine_busy(&m->at))
			return;
		if (m->seq && m->seq[m->pos] != ST_END) {
			send_step(m);
			continue;
		}
		if (m->seq) {
			void (*done)(struct lte_modem *) = m->seq_done;
			m->seq = NULL;
			m->seq_done = NULL;
			if (done)
				done(m);
			continue;
		}
		if (now(m) >= m->wake_at) {
			m->wake_at = INT64_MAX;
			on_wake(m);
			continue;
		}
		return;
	}
}

/* ---- response handlers ---------------------------------------------------- */

/* The first intermediate line, without "+CGMI: " if the modem adds it. */
static void ident(const struct at_response *r, const char *prefix, char *out, size_t size)
{
	if (r->nlines < 1)
		return;
	const char *s = at_after(r->line[0], prefix);
	at_copy(out, size, s ? s : r->line[0]);
}

static void h_cgmi(struct lte_modem *m, const struct at_response *r)
{
	ident(r, "+CGMI:", m->st.manufacturer, sizeof(m->st.manufacturer));
	if (m->cfg.profile != LTE_PROFILE_AUTO)
		return;
	m->st.profile = LTE_PROFILE_3GPP;
	for (size_t i = 0; i < sizeof(profile_by_maker) / sizeof(profile_by_maker[0]); i++)
		if (strcasestr(m->st.manufacturer, profile_by_maker[i].substring))
			m->st.profile = profile_by_maker[i].profile;
}

static void h_cgmm(struct lte_modem *m, const struct at_response *r)
{
	ident(r, "+CGMM:", m->st.model, sizeof(m->st.model));
}

static void h_cgmr(struct lte_modem *m, const struct at_response *r)
{
	ident(r, "+CGMR:", m->st.firmware, sizeof(m->st.firmware));
}

static void h_cgsn(struct lte_modem *m, const struct at_response *r)
{
	char imei[32] = "";
	ident(r, "+CGSN:", imei, sizeof(imei));
	/* only digits: the IMEI is 15 of them */
	size_t n = strspn(imei, "0123456789");
	if (n >= 14 && n <= 17 && imei[n] == 0)
		memcpy(m->st.imei, imei, n + 1);
}

static void h_cpin_q(struct lte_modem *m, const struct at_response *r)
{
	if (r->result != AT_OK) {
		enum at_cme e = r->result == AT_CME_ERROR ? at_cme_classify(r->err_code, r->err_text)
							  : AT_CME_OTHER;
		if (e == AT_CME_SIM_NOT_INSERTED) {
			m->st.sim_absent = true;
			fatal(m, "no SIM card in the modem (+CME ERROR: SIM not inserted)");
		} else if (e == AT_CME_SIM_PUK_REQUIRED) {
			m->st.sim = AT_SIM_PUK;
			fatal(m, "the SIM is PUK-locked; unlock it with the PUK in another device");
		} else {
			char why[160];
			snprintf(why, sizeof(why), "AT+CPIN?: %s %.100s", at_result_name(r->result),
				 r->err_text);
			fail_retry(m, why);
		}
		return;
	}
	enum at_sim sim = AT_SIM_UNKNOWN;
	for (int i = 0; i < r->nlines; i++)
		if (at_parse_cpin(r->line[i], &sim) == 0)
			break;
	m->st.sim = sim;
	switch (sim) {
	case AT_SIM_READY:
		return; /* on to the end of init */
	case AT_SIM_PIN:
		if (m->pin_rejected) {
			fatal(m, "the SIM refused the PIN from pin_file; not trying it again (fix "
				 "pin_file and restart lte-modemd)");
		} else if (!m->cfg.pin[0]) {
			fatal(m, "the SIM asks for a PIN and no pin_file is configured");
		} else if (m->pin_tries > 0) {
			/* The PIN went out and no OK came back: it may have
			 * cost an attempt; sending it again could lock the
			 * SIM. */
			m->pin_rejected = true;
			fatal(m, "the SIM still asks for the PIN after it was sent; not trying it "
				 "again (check pin_file and restart lte-modemd)");
		} else {
			run(m, PH_INIT, seq_pin, init_done);
		}
		return;
	case AT_SIM_PUK:
		fatal(m, "the SIM is PUK-locked; unlock it with the PUK in another device");
		return;
	case AT_SIM_OTHER_LOCK:
		fatal(m, "the SIM or modem is locked by something other than the SIM PIN");
		return;
	default:
		fail_retry(m, "AT+CPIN?: no SIM status in the answer");
		return;
	}
}

static void h_cpin_set(struct lte_modem *m, const struct at_response *r)
{
	if (r->result == AT_OK) {
		m->pin_tries = 0;
		log_notice("SIM PIN accepted");
		return;
	}
	/* Whatever the error, the attempt may have counted: never again. */
	m->pin_rejected = true;
	enum at_cme e = r->result == AT_CME_ERROR ? at_cme_classify(r->err_code, r->err_text)
						  : AT_CME_OTHER;
	char why[200];
	snprintf(why, sizeof(why), "the SIM refused the PIN from pin_file (%s%s%.60s)%s; not trying "
				   "it again",
		 at_result_name(r->result), r->err_text[0] ? ": " : "", r->err_text,
		 e == AT_CME_INCORRECT_PASSWORD ? ", wrong PIN" : "");
	fatal(m, why);
}

static void reg_changed(struct lte_modem *m, int old)
{
	bool was = at_reg_is_registered(old), is = at_reg_is_registered(m->st.reg);
	if (was != is)
		log_info("registration: %s", at_reg_name(m->st.reg));
	if (is || !was)
		return;
	switch (m->ph) {
	case PH_CONNECTED:
		bearer_lost(m, "network registration lost");
		break;
	case PH_ATTACH:
	case PH_WAIT_BEARER:
	case PH_PARAMS:
		set_error(m, "network registration lost while attaching");
		start_search(m);
		break;
	default:
		break;
	}
}

static void apply_creg(struct lte_modem *m, const struct at_creg *c)
{
	int old = m->st.reg;
	m->st.reg = c->stat;
	if (c->tac >= 0)
		m->st.tac = c->tac;
	if (c->ci >= 0)
		m->st.ci = c->ci;
	const char *act = at_act_name(c->act);
	if (act)
		at_copy(m->st.act, sizeof(m->st.act), act);
	reg_changed(m, old);
}

static void h_cereg_q(struct lte_modem *m, const struct at_response *r)
{
	struct at_creg c;
	for (int i = 0; i < r->nlines; i++)
		if (at_parse_creg(r->line[i], &c) == 0) {
			apply_creg(m, &c);
			return;
		}
}

static void h_cops_q(struct lte_modem *m, const struct at_response *r)
{
	struct at_cops c;
	for (int i = 0; i < r->nlines; i++)
		if (at_parse_cops(r->line[i], &c) == 0) {
			at_copy(m->st.oper, sizeof(m->st.oper), c.oper);
			const char *act = at_act_name(c.act);
			if (act)
				at_copy(m->st.act, sizeof(m->st.act), act);
			return;
		}
}

static void h_csq(struct lte_modem *m, const struct at_response *r)
{
	for (int i = 0; i < r->nlines; i++)
		if (at_parse_csq(r->line[i], &m->st.rssi_dbm) == 0)
			return;
}

static void apply_hcsq(struct lte_modem *m, const struct hw_hcsq *h)
{
	m->st.rssi_dbm = h->rssi_x10 == INT32_MIN ? LTE_NO_VALUE : h->rssi_x10 / 10;
	m->st.rsrp_dbm = h->rsrp_x10 == INT32_MIN ? LTE_NO_VALUE : h->rsrp_x10 / 10;
	m->st.rsrq_x10 = h->rsrq_x10;
	m->st.sinr_x10 = h->sinr_x10;
}

static void h_hcsq(struct lte_modem *m, const struct at_response *r)
{
	struct hw_hcsq h;
	for (int i = 0; i < r->nlines; i++)
		if (hw_parse_hcsq(r->line[i], &h) == 0) {
			apply_hcsq(m, &h);
			return;
		}
}

static void h_sysinfoex(struct lte_modem *m, const struct at_response *r)
{
	struct hw_sysinfoex s;
	for (int i = 0; i < r->nlines; i++)
		if (hw_parse_sysinfoex(r->line[i], &s) == 0) {
			const char *name = s.submode_name[0] ? s.submode_name : s.sysmode_name;
			if (name[0])
				at_copy(m->st.act, sizeof(m->st.act), name);
			return;
		}
}

static const char *ndis_type(const struct lte_modem *m)
{
	return m->cfg.pdp == LTE_PDP_IPV6 ? "IPV6" : m->cfg.pdp == LTE_PDP_IP ? "IPV4" : "";
}

static void h_ndisstatqry(struct lte_modem *m, const struct at_response *r)
{
	int stat = -1, err = -1;
	for (int i = 0; i < r->nlines; i++)
		if (hw_parse_ndisstat(r->line[i], ndis_type(m), &stat, &err) == 0)
			break;
	if (stat < 0)
		return;
	if (m->ph == PH_WAIT_BEARER && stat == 1)
		start_params(m);
	else if (m->ph == PH_CONNECTED && stat != 1)
		bearer_lost(m, "^NDISSTATQRY: the NDIS connection is down");
}

static void h_cgact_q(struct lte_modem *m, const struct at_response *r)
{
	for (int i = 0; i < r->nlines; i++) {
		int cid, state;
		if (at_parse_cgact(r->line[i], &cid, &state) == 0 && cid == m->cfg.cid) {
			if (m->ph == PH_CONNECTED && state == 0)
				bearer_lost(m, "+CGACT?: the PDP context is no longer active");
			return;
		}
	}
}

static bool link_local(const struct at_addr *a)
{
	return a->family == 6 && a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80;
}

static void take_addr(struct at_addr *dst, const struct at_addr *src)
{
	if (src->family && !dst->family)
		*dst = *src;
}

static void h_cgcontrdp(struct lte_modem *m, const struct at_response *r)
{
	for (int i = 0; i < r->nlines; i++) {
		struct at_cgcontrdp c;
		if (at_parse_cgcontrdp(r->line[i], &c) < 0 || c.cid != m->cfg.cid)
			continue;
		/* one line per family for IPV4V6 contexts */
		if (c.local.family == 6) {
			/* many modems give fe80::<IID> and leave the prefix to
			 * router advertisements */
			take_addr(link_local(&c.local) ? &m->st.ll6 : &m->st.addr6, &c.local);
			if (c.gw.family == 6)
				take_addr(&m->st.gw6, &c.gw);
		} else if (c.local.family == 4) {
			take_addr(&m->st.addr4, &c.local);
			if (c.gw.family == 4)
				take_addr(&m->st.gw4, &c.gw);
		}
		for (int k = 0; k < 2; k++) {
			if (c.dns[k].family == 6) {
				if (!m->st.dns6[0].family)
					m->st.dns6[0] = c.dns[k];
				else if (!m->st.dns6[1].family &&
					 memcmp(m->st.dns6[0].a, c.dns[k].a, 16) != 0)
					m->st.dns6[1] = c.dns[k];
			} else if (c.dns[k].family == 4) {
				if (!m->st.dns4[0].family)
					m->st.dns4[0] = c.dns[k];
				else if (!m->st.dns4[1].family &&
					 memcmp(m->st.dns4[0].a, c.dns[k].a, 4) != 0)
					m->st.dns4[1] = c.dns[k];
			}
		}
		int mtu = c.ipv6_mtu > 0 && c.local.family == 6 ? c.ipv6_mtu : c.ipv4_mtu;
		if (mtu >= 576 && mtu <= 9000 && (m->st.mtu < 0 || c.local.family == 6))
			m->st.mtu = mtu;
	}
}

static void h_cgpaddr(struct lte_modem *m, const struct at_response *r)
{
	for (int i = 0; i < r->nlines; i++) {
		struct at_cgpaddr p;
		if (at_parse_cgpaddr(r->line[i], &p) < 0 || p.cid != m->cfg.cid)
			continue;
		for (int k = 0; k < 2; k++) {
			if (p.addr[k].family == 6)
				take_addr(link_local(&p.addr[k]) ? &m->st.ll6 : &m->st.addr6, &p.addr[k]);
			else if (p.addr[k].family == 4)
				take_addr(&m->st.addr4, &p.addr[k]);
		}
	}
}

/* ---- unsolicited result codes -------------------------------------------- */

static void on_urc(void *arg, const char *line)
{
	struct lte_modem *m = arg;
	if (m->ph == PH_CLOSED)
		return;
	struct at_creg c;
	enum at_cgev ev;
	int cid, stat, err;
	struct hw_hcsq h;
	if (at_after(line, "+CEREG:")) {
		if (at_parse_creg(line, &c) == 0) {
			apply_creg(m, &c);
			if (m->ph == PH_SEARCH && !m->seq && at_reg_is_registered(m->st.reg))
				start_attach(m);
		}
	} else if (at_after(line, "+CGEV:")) {
		if (at_parse_cgev(line, &ev, &cid) == 0 &&
		    (ev == AT_CGEV_DETACH || (ev == AT_CGEV_PDN_DEACT && (cid < 0 || cid == m->cfg.cid)))) {
			char why[160];
			snprintf(why, sizeof(why), "the network ended the bearer (%.100s)", line);
			if (m->ph == PH_CONNECTED)
				bearer_lost(m, why);
			else if (m->ph == PH_WAIT_BEARER || m->ph == PH_PARAMS)
				fail_retry(m, why);
		}
	} else if (at_after(line, "^NDISSTAT:")) {
		if (hw_parse_ndisstat(line, ndis_type(m), &stat, &err) == 0) {
			char why[160];
			snprintf(why, sizeof(why), "^NDISSTAT: the NDIS connection is down (error %d)",
				 err);
			/* the URC often overtakes the OK of ^NDISDUP itself */
			if (stat == 1 && (m->ph == PH_WAIT_BEARER || m->ph == PH_ATTACH))
				start_params(m);
			else if (stat == 0 && m->ph == PH_CONNECTED)
				bearer_lost(m, why);
			else if (stat == 0 && (m->ph == PH_WAIT_BEARER || m->ph == PH_ATTACH) && err > 0)
				fail_retry(m, why);
		}
	} else if (at_after(line, "^HCSQ:")) {
		if (hw_parse_hcsq(line, &h) == 0)
			apply_hcsq(m, &h);
	} else if (at_after(line, "^RSSI:")) {
		hw_parse_rssi(line, &m->st.rssi_dbm);
	} else if (at_after(line, "+CSQ:")) {
		at_parse_csq(line, &m->st.rssi_dbm);
	}
	/* the rest (^BOOT, ^DSFLOWRPT, ^MODE, +CPIN ...) is only logged */
}

static int mwrite(void *arg, const char *buf, size_t len)
{
	struct lte_modem *m = arg;
	return m->ops.write(m->ops.arg, buf, len);
}

/* ---- public ---------------------------------------------------------------- */

void lte_modem_init(struct lte_modem *m, const struct lte_config *cfg,
		    const struct hgw_clock *clock, const struct hgw_rng *rng,
		    const struct lte_modem_ops *ops)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (m->cfg.log_lines > LTE_LOG_MAX)
		m->cfg.log_lines = LTE_LOG_MAX;
	if (!m->cfg.timeouts_before_reopen)
		m->cfg.timeouts_before_reopen = 1;
	m->clock = clock;
	m->rng = rng;
	m->ops = *ops;
	struct at_engine_ops eo = { mwrite, on_urc, mlog, m };
	at_engine_init(&m->at, clock, &eo);
	hgw_backoff_init(&m->backoff, cfg->retry_min_ms, cfg->retry_max_ms, 200, 20);
	m->st.profile = cfg->profile;
	m->ph = PH_CLOSED;
	m->wake_at = INT64_MAX;
	clear_bearer(m);
	clear_radio(m);
}

void lte_modem_opened(struct lte_modem *m)
{
	m->want_reopen = false;
	m->timeouts_row = 0;
	m->st.failures = 0;
	at_engine_reset(&m->at);
	clear_radio(m);
	start_init(m);
	kick(m);
}

void lte_modem_closed(struct lte_modem *m, const char *reason)
{
	idle(m, PH_CLOSED, INT64_MAX);
	at_engine_reset(&m->at);
	clear_bearer(m);
	clear_radio(m);
	if (reason)
		at_copy(m->st.last_error, sizeof(m->st.last_error), reason);
}

void lte_modem_input(struct lte_modem *m, const void *data, size_t len)
{
	if (m->ph == PH_CLOSED)
		return;
	at_engine_feed(&m->at, data, len);
	kick(m);
}

void lte_modem_tick(struct lte_modem *m)
{
	if (m->ph == PH_CLOSED)
		return;
	at_engine_tick(&m->at);
	kick(m);
}

int64_t lte_modem_next_deadline(const struct lte_modem *m)
{
	if (m->ph == PH_CLOSED)
		return INT64_MAX;
	int64_t a = at_engine_deadline(&m->at);
	return a < m->wake_at ? a : m->wake_at;
}

bool lte_modem_want_reopen(const struct lte_modem *m)
{
	return m->want_reopen;
}

const struct lte_status *lte_modem_status(struct lte_modem *m)
{
	enum lte_state s;
	bool reg = at_reg_is_registered(m->st.reg);
	switch (m->ph) {
	case PH_CLOSED: s = LTE_ABSENT; break;
	case PH_INIT:
	case PH_SETUP:
	case PH_RESET: s = LTE_INIT; break;
	case PH_SEARCH: s = reg ? LTE_REGISTERED : LTE_SEARCHING; break;
	case PH_BACKOFF:
		s = m->after_backoff == PH_INIT ? LTE_INIT : reg ? LTE_REGISTERED : LTE_SEARCHING;
		break;
	case PH_ATTACH:
	case PH_WAIT_BEARER:
	case PH_PARAMS: s = LTE_ATTACHING; break;
	case PH_CONNECTED: s = LTE_CONNECTED; break;
	default: s = LTE_FAILED; break;
	}
	m->st.state = s;
	return &m->st;
}
