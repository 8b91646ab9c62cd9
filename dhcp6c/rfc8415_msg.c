/* DHCPv6 message codec; see rfc8415_msg.h. */
#include "rfc8415_msg.h"

#include <stdio.h>
#include <string.h>

#include "pkt.h"

const char *d6_type_name(int type)
{
	static const char *const names[] = { "?", "Solicit", "Advertise", "Request", "Confirm",
					     "Renew", "Rebind", "Reply", "Release", "Decline",
					     "Reconfigure", "Information-request" };
	return type > 0 && type <= 11 ? names[type] : "unknown";
}

bool d6_read_name(struct hgw_rd *r, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (;;) {
		uint8_t l = hgw_rd_u8(r);
		if (!hgw_rd_ok(r))
			return false;
		if (l == 0)
			break;
		if (l > 63) /* compression pointers are not allowed here (RFC 8415 10) */
			return false;
		const uint8_t *p = hgw_rd_ptr(r, l);
		if (!p || o + l + 2 > cap)
			return false;
		if (o)
			out[o++] = '.';
		for (int i = 0; i < l; i++) {
			/* Names go into JSON and logs: keep them printable. */
			if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '.')
				return false;
			out[o++] = (char)p[i];
		}
		out[o] = 0;
	}
	return o > 0;
}

bool d6_write_name(struct hgw_wr *w, const char *name)
{
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		if (l == 0 || l > 63)
			return false;
		hgw_wr_u8(w, (uint8_t)l);
		hgw_wr_bytes(w, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	hgw_wr_u8(w, 0);
	return hgw_wr_ok(w);
}

static int parse_status(struct hgw_rd v)
{
	uint16_t code = hgw_rd_u16(&v);
	/* The message text is UTF-8 for humans; we do not keep it. */
	return hgw_rd_ok(&v) ? code : D6S_UNSPEC_FAIL;
}

/* IA_NA (21.4) or IA_PD (21.21); sub-options IAADDR (21.6) / IAPREFIX (21.22). */
static bool parse_ia(struct hgw_rd v, bool pd, struct d6_ia *ia)
{
	struct d6_ia n = { .present = true, .status = D6S_NONE };
	n.iaid = hgw_rd_u32(&v);
	n.t1 = hgw_rd_u32(&v);
	n.t2 = hgw_rd_u32(&v);
	if (!hgw_rd_ok(&v))
		return false;
	while (hgw_rd_left(&v) > 0) {
		uint16_t code = hgw_rd_u16(&v), len = hgw_rd_u16(&v);
		struct hgw_rd o = hgw_rd_sub(&v, len);
		if (!hgw_rd_ok(&v))
			return false;
		if (code == D6O_STATUS_CODE) {
			if (n.status == D6S_NONE)
				n.status = parse_status(o);
		} else if ((!pd && code == D6O_IAADDR) || (pd && code == D6O_IAPREFIX)) {
			struct d6_lease l = { .plen = 128 };
			if (pd) {
				l.preferred = hgw_rd_u32(&o);
				l.valid = hgw_rd_u32(&o);
				l.plen = hgw_rd_u8(&o);
				hgw_rd_bytes(&o, &l.addr, 16);
			} else {
				hgw_rd_bytes(&o, &l.addr, 16);
				l.preferred = hgw_rd_u32(&o);
				l.valid = hgw_rd_u32(&o);
			}
			/* Nested status options inside IAADDR/IAPREFIX are ignored. */
			if (!hgw_rd_ok(&o) || l.plen > 128)
				return false;
			if (l.preferred > l.valid)
				continue; /* 21.6/21.22: MUST discard */
			if (n.n < D6_MAX_LEASES)
				n.l[n.n++] = l;
		}
	}
	/* 21.4/21.21: T1 > T2 with both non-zero means a broken server; the
	 * client MUST discard the IA. */
	if (n.t1 && n.t2 && n.t1 > n.t2)
		return true;
	*ia = n;
	return true;
}

static void parse_addrs(struct hgw_rd v, struct in6_addr *out, int *n)
{
	while (hgw_rd_left(&v) >= 16 && *n < D6_MAX_SERVERS)
		hgw_rd_bytes(&v, &out[(*n)++], 16);
}

/* NTP server option (RFC 5908): sub-options 1 (address) and 3 (FQDN); we
 * keep addresses. */
static void parse_ntp(struct hgw_rd v, struct d6_msg *m)
{
	while (hgw_rd_left(&v) >= 4) {
		uint16_t sub = hgw_rd_u16(&v), len = hgw_rd_u16(&v);
		struct hgw_rd s = hgw_rd_sub(&v, len);
		if (!hgw_rd_ok(&v))
			return;
		if ((sub == 1 || sub == 2) && len == 16 && m->n_ntp < D6_MAX_SERVERS)
			hgw_rd_bytes(&s, &m->ntp[m->n_ntp++], 16);
	}
}

static bool parse_auth(struct hgw_rd v, struct d6_msg *m, size_t off)
{
	m->auth_proto = hgw_rd_u8(&v);
	m->auth_alg = hgw_rd_u8(&v);
	m->auth_rdm = hgw_rd_u8(&v);
	m->auth_replay = hgw_rd_u64(&v);
	size_t left = hgw_rd_left(&v);
	if (!hgw_rd_ok(&v) || left > sizeof(m->auth_info))
		return false;
	m->auth_info_len = (uint8_t)left;
	m->auth_info_off = off + 4 + 11; /* option header, then protocol..replay */
	hgw_rd_bytes(&v, m->auth_info, left);
	m->has_auth = true;
	return true;
}

int d6_parse(const uint8_t *p, size_t len, struct d6_msg *m, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	memset(m, 0, sizeof(*m));
	m->status = D6S_NONE;
	m->ia_na.status = m->ia_pd.status = D6S_NONE;
	struct hgw_rd r = hgw_rd_init(p, len);
	m->type = hgw_rd_u8(&r);
	m->xid = hgw_rd_u24(&r);
	if (!hgw_rd_ok(&r)) {
		*why = "shorter than the header";
		return -1;
	}
	/* Relay messages (12, 13) never reach a client. */
	if (m->type == 0 || m->type > D6_INFORMATION_REQUEST) {
		*why = "not a client/server message type";
		return -1;
	}
	bool seen_pref = false, seen_dns = false, seen_dom = false;
	while (hgw_rd_left(&r) > 0) {
		size_t opt_off = r.off;
		uint16_t code = hgw_rd_u16(&r), olen = hgw_rd_u16(&r);
		struct hgw_rd v = hgw_rd_sub(&r, olen);
		if (!hgw_rd_ok(&r)) {
			*why = "option runs past the end";
			return -1;
		}
		switch (code) {
		case D6O_CLIENTID:
		case D6O_SERVERID: {
			struct d6_duid *d = code == D6O_CLIENTID ? &m->client_id : &m->server_id;
			bool *has = code == D6O_CLIENTID ? &m->has_client_id : &m->has_server_id;
			if (*has)
				break;
			if (olen < 3 || olen > D6_DUID_MAX) { /* type + at least one byte */
				*why = "bad DUID length";
				return -1;
			}
			d->len = olen;
			hgw_rd_bytes(&v, d->b, olen);
			*has = true;
			break;
		}
		case D6O_IA_NA:
		case D6O_IA_PD: {
			struct d6_ia *ia = code == D6O_IA_NA ? &m->ia_na : &m->ia_pd;
			if (ia->present)
				break; /* we ask for one IA of each kind */
			if (!parse_ia(v, code == D6O_IA_PD, ia)) {
				*why = "malformed IA";
				return -1;
			}
			break;
		}
		case D6O_STATUS_CODE:
			if (m->status == D6S_NONE)
				m->status = parse_status(v);
			break;
		case D6O_PREFERENCE:
			if (!seen_pref && olen == 1) {
				m->preference = hgw_rd_u8(&v);
				seen_pref = true;
			}
			break;
		case D6O_RAPID_COMMIT:
			m->rapid_commit = true;
			break;
		case D6O_RECONF_ACCEPT:
			m->reconf_accept = true;
			break;
		case D6O_RECONF_MSG:
			if (olen == 1)
				m->reconf_msg = hgw_rd_u8(&v);
			break;
		case D6O_AUTH:
			if (!m->has_auth && !parse_auth(v, m, opt_off)) {
				*why = "malformed authentication option";
				return -1;
			}
			break;
		case D6O_DNS_SERVERS:
			if (!seen_dns)
				parse_addrs(v, m->dns, &m->n_dns);
			seen_dns = true;
			break;
		case D6O_SNTP_SERVERS:
			parse_addrs(v, m->ntp, &m->n_ntp);
			break;
		case D6O_NTP_SERVER:
			parse_ntp(v, m);
			break;
		case D6O_DOMAIN_LIST:
			if (seen_dom)
				break;
			seen_dom = true;
			while (hgw_rd_left(&v) > 0 && m->n_domains < D6_MAX_DOMAINS) {
				if (!d6_read_name(&v, m->domains[m->n_domains], 256))
					break; /* keep what parsed; the rest is garbage */
				m->n_domains++;
			}
			break;
		case D6O_AFTR_NAME:
			if (!m->aftr[0] && !d6_read_name(&v, m->aftr, sizeof(m->aftr)))
				m->aftr[0] = 0;
			break;
		case D6O_SOL_MAX_RT:
			m->sol_max_rt = hgw_rd_u32(&v);
			break;
		case D6O_INF_MAX_RT:
			m->inf_max_rt = hgw_rd_u32(&v);
			break;
		case D6O_INFO_REFRESH_TIME:
			m->info_refresh = hgw_rd_u32(&v);
			break;
		default:
			/* Vendor-specific information (17) and the site/vendor
			 * range (sofutobanku's NTT options 201/202/204/210) are
			 * published raw for whoever understands them. */
			if ((code == D6O_VENDOR_OPTS || code >= 200) && m->n_raw < D6_MAX_VENDOR &&
			    olen <= D6_VENDOR_MAX_LEN) {
				struct d6_raw *x = &m->raw[m->n_raw++];
				x->code = code;
				x->len = olen;
				hgw_rd_bytes(&v, x->data, olen);
			}
			break;
		}
	}
	return 0;
}

static void put_opt_hdr(struct hgw_wr *w, uint16_t code, uint16_t len)
{
	hgw_wr_u16(w, code);
	hgw_wr_u16(w, len);
}

static void put_ia(struct hgw_wr *w, bool pd, uint32_t iaid, const struct d6_ia *ia,
		   uint8_t hint_len)
{
	hgw_wr_u16(w, pd ? D6O_IA_PD : D6O_IA_NA);
	size_t at = hgw_wr_reserve(w, 2);
	size_t start = hgw_wr_len(w);
	hgw_wr_u32(w, iaid);
	/* T1/T2 0: the client has no preference (21.4, 21.21). */
	hgw_wr_u32(w, 0);
	hgw_wr_u32(w, 0);
	int n = ia ? ia->n : 0;
	for (int i = 0; i < n; i++) {
		const struct d6_lease *l = &ia->l[i];
		if (pd) {
			put_opt_hdr(w, D6O_IAPREFIX, 25);
			hgw_wr_u32(w, l->preferred);
			hgw_wr_u32(w, l->valid);
			hgw_wr_u8(w, l->plen);
			hgw_wr_bytes(w, &l->addr, 16);
		} else {
			put_opt_hdr(w, D6O_IAADDR, 24);
			hgw_wr_bytes(w, &l->addr, 16);
			hgw_wr_u32(w, l->preferred);
			hgw_wr_u32(w, l->valid);
		}
	}
	if (pd && n == 0 && hint_len) {
		/* A prefix-length hint (RFC 8415 18.2.1): ::/len, lifetimes 0. */
		put_opt_hdr(w, D6O_IAPREFIX, 25);
		hgw_wr_u32(w, 0);
		hgw_wr_u32(w, 0);
		hgw_wr_u8(w, hint_len);
		hgw_wr_zero(w, 16);
	}
	if (at != SIZE_MAX)
		hgw_wr_patch_u16(w, at, (uint16_t)(hgw_wr_len(w) - start));
}

size_t d6_build(const struct d6_req *r, uint8_t *buf, size_t cap)
{
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u8(&w, r->type);
	hgw_wr_u24(&w, r->xid & 0xffffff);
	put_opt_hdr(&w, D6O_CLIENTID, r->client_id->len);
	hgw_wr_bytes(&w, r->client_id->b, r->client_id->len);
	if (r->server_id) {
		put_opt_hdr(&w, D6O_SERVERID, r->server_id->len);
		hgw_wr_bytes(&w, r->server_id->b, r->server_id->len);
	}
	/* Elapsed Time MUST be in every message but Release is fine too. */
	put_opt_hdr(&w, D6O_ELAPSED_TIME, 2);
	hgw_wr_u16(&w, r->elapsed_cs);
	if (r->rapid_commit)
		put_opt_hdr(&w, D6O_RAPID_COMMIT, 0);
	if (r->reconf_accept)
		put_opt_hdr(&w, D6O_RECONF_ACCEPT, 0);
	if (r->vendor_class && r->vendor_class_len) {
		put_opt_hdr(&w, D6O_VENDOR_CLASS, (uint16_t)r->vendor_class_len);
		hgw_wr_bytes(&w, r->vendor_class, r->vendor_class_len);
	}
	/* ORO: MUST NOT be in Release/Decline (RFC 8415 18.2.6/18.2.7). */
	if (r->n_oro > 0 && r->type != D6_RELEASE && r->type != D6_DECLINE) {
		put_opt_hdr(&w, D6O_ORO, (uint16_t)(2 * r->n_oro));
		for (int i = 0; i < r->n_oro; i++)
			hgw_wr_u16(&w, r->oro[i]);
	}
	if (r->ia_na)
		put_ia(&w, false, r->na_iaid, r->na, 0);
	if (r->ia_pd)
		put_ia(&w, true, r->pd_iaid, r->pd, r->type == D6_SOLICIT ? r->pd_hint_len : 0);
	return hgw_wr_ok(&w) ? hgw_wr_len(&w) : 0;
}
