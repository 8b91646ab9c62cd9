/* The modem state machine: see modem.h. */
#include "modem_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"

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

void lte_set_error(struct lte_modem *m, const char *fmt, ...)
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

/* A fault that retrying cannot fix (wrong PIN, PUK, no SIM). */
void lte_fatal(struct lte_modem *m, const char *reason)
{
	at_copy(m->st.last_error, sizeof(m->st.last_error), reason);
	log_err("%s", reason);
	clear_bearer(m);
	idle(m, PH_FAILED, INT64_MAX);
}

static void start_reset(struct lte_modem *m);

/* Something failed: wait and try again, or cycle the radio if it keeps
 * failing. */
void lte_fail_retry(struct lte_modem *m, const char *reason)
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

void lte_bearer_lost(struct lte_modem *m, const char *reason)
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
	lte_start_search(m);
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

void lte_start_pin(struct lte_modem *m)
{
	run(m, PH_INIT, seq_pin, init_done);
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

void lte_start_attach(struct lte_modem *m)
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
		lte_start_attach(m);
		return;
	}
	if (now(m) - m->phase_started >= m->cfg.search_timeout_ms) {
		char why[120];
		snprintf(why, sizeof(why), "not registered on the network for %u s (%s)",
			 m->cfg.search_timeout_ms / 1000, at_reg_name(m->st.reg));
		lte_fail_retry(m, why);
		return;
	}
	idle(m, PH_SEARCH, now(m) + m->cfg.poll_ms);
}

void lte_start_search(struct lte_modem *m)
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
	lte_start_params(m);
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
		lte_fail_retry(m, why);
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

void lte_start_params(struct lte_modem *m)
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
			lte_start_search(m);
		break;
	case PH_SEARCH:
		run(m, PH_SEARCH, prof(m)->poll, search_poll_done);
		break;
	case PH_WAIT_BEARER:
		if (now(m) - m->phase_started >= m->cfg.attach_timeout_ms) {
			char why[96];
			snprintf(why, sizeof(why), "bearer not up %u ms after ^NDISDUP",
				 m->cfg.attach_timeout_ms);
			lte_fail_retry(m, why);
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
	const struct step_def *d = &lte_steps[s];
	if (r->result == AT_TIMEOUT && m->timeouts_row >= m->cfg.timeouts_before_reopen) {
		char cmd[AT_LINE_MAX];
		lte_build_cmd(m, s, cmd, sizeof(cmd));
		lte_set_error(m, "modem not answering (%u commands timed out, last %s); re-opening the "
			     "device",
			  m->timeouts_row, lte_step_secret(m, s) ? "a secret" : cmd);
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
		lte_build_cmd(m, s, cmd, sizeof(cmd));
		snprintf(why, sizeof(why), "%.60s: %s%s%.80s", lte_step_secret(m, s) ? "AT (secret)" : cmd,
			 at_result_name(r->result), r->err_text[0] ? " " : "", r->err_text);
		lte_fail_retry(m, why);
		return;
	}
	if (m->gen == gen && m->seq)
		m->pos++; /* the handler did not redirect the flow */
}

static void send_step(struct lte_modem *m)
{
	enum step s = m->seq[m->pos];
	char cmd[AT_LINE_MAX];
	lte_build_cmd(m, s, cmd, sizeof(cmd));
	uint32_t tmo = lte_steps[s].flags & F_LONG ? m->cfg.attach_timeout_ms : m->cfg.cmd_timeout_ms;
	m->inflight_gen = m->gen;
	m->inflight_step = (uint8_t)s;
	/* counted when it goes out: a PIN that times out may still have
	 * cost one of the SIM's three attempts */
	if (s == ST_CPIN_SET)
		m->pin_tries++;
	if (at_engine_send(&m->at, cmd, lte_steps[s].prefix, tmo, lte_step_secret(m, s), on_done, m) < 0) {
		log_err("cannot send %s", lte_step_secret(m, s) ? "a command" : cmd);
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
	struct at_engine_ops eo = { mwrite, lte_on_urc, mlog, m };
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
