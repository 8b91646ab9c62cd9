/* The commands: how each is built from the configuration, and what its
 * answer (and every URC) means for the modem's status and flow.  The order
 * in which they are sent is policy and lives in modem.c. */
#include "modem_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "huawei.h"
#include "log.h"

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

const struct step_def lte_steps[ST__COUNT] = {
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

/* ---- building commands --------------------------------------------------- */

static int auth_code(enum lte_auth a)
{
	return a == LTE_AUTH_PAP ? 1 : a == LTE_AUTH_CHAP ? 2 : 0;
}

void lte_build_cmd(struct lte_modem *m, enum step s, char *buf, size_t size)
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
		at_copy(buf, size, lte_steps[s].cmd);
	}
}

bool lte_step_secret(const struct lte_modem *m, enum step s)
{
	if (s == ST_NDISDUP_UP)
		return m->cfg.auth != LTE_AUTH_NONE;
	return lte_steps[s].flags & F_SECRET;
}

/* Profile by manufacturer (AT+CGMI) when config says "auto". */
static const struct {
	const char *substring;
	enum lte_profile profile;
} profile_by_maker[] = {
	{ "huawei", LTE_PROFILE_HUAWEI },
};

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
			lte_fatal(m, "no SIM card in the modem (+CME ERROR: SIM not inserted)");
		} else if (e == AT_CME_SIM_PUK_REQUIRED) {
			m->st.sim = AT_SIM_PUK;
			lte_fatal(m, "the SIM is PUK-locked; unlock it with the PUK in another device");
		} else {
			char why[160];
			snprintf(why, sizeof(why), "AT+CPIN?: %s %.100s", at_result_name(r->result),
				 r->err_text);
			lte_fail_retry(m, why);
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
			lte_fatal(m, "the SIM refused the PIN from pin_file; not trying it again (fix "
				 "pin_file and restart lte-modemd)");
		} else if (!m->cfg.pin[0]) {
			lte_fatal(m, "the SIM asks for a PIN and no pin_file is configured");
		} else if (m->pin_tries > 0) {
			/* The PIN went out and no OK came back: it may have
			 * cost an attempt; sending it again could lock the
			 * SIM. */
			m->pin_rejected = true;
			lte_fatal(m, "the SIM still asks for the PIN after it was sent; not trying it "
				 "again (check pin_file and restart lte-modemd)");
		} else {
			lte_start_pin(m);
		}
		return;
	case AT_SIM_PUK:
		lte_fatal(m, "the SIM is PUK-locked; unlock it with the PUK in another device");
		return;
	case AT_SIM_OTHER_LOCK:
		lte_fatal(m, "the SIM or modem is locked by something other than the SIM PIN");
		return;
	default:
		lte_fail_retry(m, "AT+CPIN?: no SIM status in the answer");
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
	lte_fatal(m, why);
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
		lte_bearer_lost(m, "network registration lost");
		break;
	case PH_ATTACH:
	case PH_WAIT_BEARER:
	case PH_PARAMS:
		lte_set_error(m, "network registration lost while attaching");
		lte_start_search(m);
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
		lte_start_params(m);
	else if (m->ph == PH_CONNECTED && stat != 1)
		lte_bearer_lost(m, "^NDISSTATQRY: the NDIS connection is down");
}

static void h_cgact_q(struct lte_modem *m, const struct at_response *r)
{
	for (int i = 0; i < r->nlines; i++) {
		int cid, state;
		if (at_parse_cgact(r->line[i], &cid, &state) == 0 && cid == m->cfg.cid) {
			if (m->ph == PH_CONNECTED && state == 0)
				lte_bearer_lost(m, "+CGACT?: the PDP context is no longer active");
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

void lte_on_urc(void *arg, const char *line)
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
				lte_start_attach(m);
		}
	} else if (at_after(line, "+CGEV:")) {
		if (at_parse_cgev(line, &ev, &cid) == 0 &&
		    (ev == AT_CGEV_DETACH || (ev == AT_CGEV_PDN_DEACT && (cid < 0 || cid == m->cfg.cid)))) {
			char why[160];
			snprintf(why, sizeof(why), "the network ended the bearer (%.100s)", line);
			if (m->ph == PH_CONNECTED)
				lte_bearer_lost(m, why);
			else if (m->ph == PH_WAIT_BEARER || m->ph == PH_PARAMS)
				lte_fail_retry(m, why);
		}
	} else if (at_after(line, "^NDISSTAT:")) {
		if (hw_parse_ndisstat(line, ndis_type(m), &stat, &err) == 0) {
			char why[160];
			snprintf(why, sizeof(why), "^NDISSTAT: the NDIS connection is down (error %d)",
				 err);
			/* the URC often overtakes the OK of ^NDISDUP itself */
			if (stat == 1 && (m->ph == PH_WAIT_BEARER || m->ph == PH_ATTACH))
				lte_start_params(m);
			else if (stat == 0 && m->ph == PH_CONNECTED)
				lte_bearer_lost(m, why);
			else if (stat == 0 && (m->ph == PH_WAIT_BEARER || m->ph == PH_ATTACH) && err > 0)
				lte_fail_retry(m, why);
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
