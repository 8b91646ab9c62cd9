/* DHCPv4 codec and IPv4/UDP framing; see rfc2131_msg.h. */
#include "rfc2131_msg.h"

#include <stdio.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"

#define MAGIC 0x63825363u

const char *d4_type_name(int type)
{
	static const char *const n[] = { "?", "DISCOVER", "OFFER", "REQUEST", "DECLINE",
					 "ACK", "NAK", "RELEASE", "INFORM" };
	return type > 0 && type <= 8 ? n[type] : "unknown";
}

/* Per-code gathered option data (RFC 3396 concatenation). */
struct gathered {
	uint8_t buf[2048];
	size_t used;
	uint16_t off[256], len[256];
	bool seen[256];
	int order[256]; /* codes in first-seen order */
	int n_order;
};

/* Appends instances of options from one area; returns false on a
 * malformed area.  *overload receives option 52's value. */
static bool gather(struct gathered *g, struct hgw_rd r, int *overload)
{
	while (hgw_rd_left(&r) > 0) {
		uint8_t code = hgw_rd_u8(&r);
		if (code == D4O_PAD)
			continue;
		if (code == D4O_END)
			return true;
		uint8_t len = hgw_rd_u8(&r);
		const uint8_t *p = hgw_rd_ptr(&r, len);
		if (!p)
			return false;
		if (code == D4O_OVERLOAD) {
			if (len == 1 && overload)
				*overload = p[0];
			continue;
		}
		if (!g->seen[code]) {
			/* Instances of one option must be contiguous in buf:
			 * a later code starts after it, so a repeat after
			 * another option is appended by moving nothing but
			 * recording a fresh copy at the end. */
			g->seen[code] = true;
			g->order[g->n_order++] = code;
			g->off[code] = (uint16_t)g->used;
			g->len[code] = 0;
		} else if (g->off[code] + g->len[code] != g->used) {
			/* Not the last one written: copy what we have to the end. */
			if (g->used + g->len[code] > sizeof(g->buf))
				return false;
			memmove(g->buf + g->used, g->buf + g->off[code], g->len[code]);
			g->off[code] = (uint16_t)g->used;
			g->used += g->len[code];
		}
		if (g->used + len > sizeof(g->buf))
			return false;
		memcpy(g->buf + g->used, p, len);
		g->used += len;
		g->len[code] = (uint16_t)(g->len[code] + len);
	}
	/* RFC 2131: the options field ends with END; a missing END at the
	 * very end of the packet is common enough (padding cut) to accept. */
	return true;
}

static void addrs(struct hgw_rd r, struct in_addr *out, int *n)
{
	while (hgw_rd_left(&r) >= 4 && *n < D4_MAX_SERVERS)
		hgw_rd_bytes(&r, &out[(*n)++], 4);
}

static void text(struct hgw_rd r, char *out, size_t cap)
{
	size_t n = hgw_rd_left(&r), k = 0;
	const uint8_t *p = hgw_rd_ptr(&r, n);
	for (size_t i = 0; p && i < n && k + 1 < cap; i++) {
		if (p[i] == 0)
			break; /* some servers NUL-terminate */
		/* Keep state files and logs printable. */
		out[k++] = (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') ? (char)p[i] : '?';
	}
	out[k] = 0;
}

/* RFC 3442: width byte, significant octets of the destination, router. */
static void routes(struct hgw_rd r, struct d4_msg *m)
{
	while (hgw_rd_left(&r) > 0) {
		uint8_t plen = hgw_rd_u8(&r);
		if (plen > 32) {
			m->routes_bad = true;
			break;
		}
		struct d4_route rt = { .plen = plen };
		uint8_t dst[4] = { 0 };
		hgw_rd_bytes(&r, dst, (plen + 7) / 8);
		hgw_rd_bytes(&r, &rt.via, 4);
		if (!hgw_rd_ok(&r)) {
			m->routes_bad = true;
			break;
		}
		memcpy(&rt.dst, dst, 4);
		if (m->n_routes < D4_MAX_ROUTES)
			m->routes[m->n_routes++] = rt;
	}
	if (m->routes_bad)
		m->n_routes = 0; /* 3442: a malformed option is ignored whole */
}

static uint32_t u32(struct hgw_rd r, bool *has)
{
	uint32_t v = hgw_rd_u32(&r);
	*has = hgw_rd_ok(&r) && hgw_rd_left(&r) == 0;
	return *has ? v : 0;
}

int d4_parse(const uint8_t *p, size_t len, struct d4_msg *m, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	memset(m, 0, sizeof(*m));
	struct hgw_rd r = hgw_rd_init(p, len);
	m->op = hgw_rd_u8(&r);
	m->htype = hgw_rd_u8(&r);
	m->hlen = hgw_rd_u8(&r);
	hgw_rd_u8(&r); /* hops */
	m->xid = hgw_rd_u32(&r);
	m->secs = hgw_rd_u16(&r);
	m->flags = hgw_rd_u16(&r);
	hgw_rd_bytes(&r, &m->ciaddr, 4);
	hgw_rd_bytes(&r, &m->yiaddr, 4);
	hgw_rd_bytes(&r, &m->siaddr, 4);
	hgw_rd_bytes(&r, &m->giaddr, 4);
	hgw_rd_bytes(&r, m->chaddr, 16);
	struct hgw_rd sname = hgw_rd_sub(&r, 64), file = hgw_rd_sub(&r, 128);
	uint32_t cookie = hgw_rd_u32(&r);
	if (!hgw_rd_ok(&r)) {
		*why = "shorter than a BOOTP header";
		return -1;
	}
	if (cookie != MAGIC) {
		*why = "no DHCP magic cookie";
		return -1;
	}
	if (m->hlen > 16) {
		*why = "hardware address length over 16";
		return -1;
	}
	struct gathered g;
	memset(&g, 0, sizeof(g));
	int overload = 0;
	if (!gather(&g, r, &overload)) {
		*why = "option runs past the end";
		return -1;
	}
	/* RFC 2131 4.1: file first, then sname. */
	if ((overload & 1) && !gather(&g, file, NULL)) {
		*why = "malformed overloaded file field";
		return -1;
	}
	if ((overload & 2) && !gather(&g, sname, NULL)) {
		*why = "malformed overloaded sname field";
		return -1;
	}
	for (int i = 0; i < g.n_order; i++) {
		int code = g.order[i];
		struct hgw_rd v = hgw_rd_init(g.buf + g.off[code], g.len[code]);
		bool ok;
		switch (code) {
		case D4O_MSG_TYPE:
			m->type = g.len[code] == 1 ? hgw_rd_u8(&v) : 0;
			break;
		case D4O_SERVER_ID:
			if (g.len[code] == 4) {
				hgw_rd_bytes(&v, &m->server_id, 4);
				m->has_server_id = true;
			}
			break;
		case D4O_SUBNET_MASK:
			if (g.len[code] == 4) {
				hgw_rd_bytes(&v, &m->mask, 4);
				m->has_mask = true;
			}
			break;
		case D4O_ROUTER:
			addrs(v, m->routers, &m->n_routers);
			break;
		case D4O_DNS:
			addrs(v, m->dns, &m->n_dns);
			break;
		case D4O_NTP:
			addrs(v, m->ntp, &m->n_ntp);
			break;
		case D4O_DOMAIN:
			text(v, m->domain, sizeof(m->domain));
			break;
		case D4O_MESSAGE:
			text(v, m->message, sizeof(m->message));
			break;
		case D4O_LEASE_TIME:
			m->lease = u32(v, &m->has_lease);
			break;
		case D4O_T1:
			m->t1 = u32(v, &m->has_t1);
			break;
		case D4O_T2:
			m->t2 = u32(v, &m->has_t2);
			break;
		case D4O_MTU: {
			uint16_t mtu = hgw_rd_u16(&v);
			ok = hgw_rd_ok(&v) && mtu >= 68; /* RFC 2132 9.3.1 minimum */
			m->mtu = ok ? mtu : 0;
			break;
		}
		case D4O_CLASSLESS_ROUTES:
			routes(v, m);
			break;
		default:
			break;
		}
	}
	if (m->type < D4_DISCOVER || m->type > D4_INFORM) {
		*why = "no valid DHCP message type";
		return -1;
	}
	return 0;
}

static void opt(struct hgw_wr *w, uint8_t code, const void *p, size_t len)
{
	/* Longer than 255: split per RFC 3396. */
	const uint8_t *b = p;
	do {
		size_t n = len > 255 ? 255 : len;
		hgw_wr_u8(w, code);
		hgw_wr_u8(w, (uint8_t)n);
		hgw_wr_bytes(w, b, n);
		b += n;
		len -= n;
	} while (len > 0);
}

size_t d4_build(const struct d4_req *r, uint8_t *buf, size_t cap)
{
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u8(&w, 1); /* BOOTREQUEST */
	hgw_wr_u8(&w, r->htype);
	hgw_wr_u8(&w, r->hlen);
	hgw_wr_u8(&w, 0);
	hgw_wr_u32(&w, r->xid);
	hgw_wr_u16(&w, r->secs);
	hgw_wr_u16(&w, r->broadcast_flag ? 0x8000 : 0);
	hgw_wr_bytes(&w, &r->ciaddr, 4);
	hgw_wr_zero(&w, 12); /* yiaddr, siaddr, giaddr */
	uint8_t ch[16] = { 0 };
	if (r->chaddr && r->hlen <= 16)
		memcpy(ch, r->chaddr, r->hlen);
	hgw_wr_bytes(&w, ch, 16);
	hgw_wr_zero(&w, 64 + 128);
	hgw_wr_u32(&w, MAGIC);
	uint8_t t = r->type;
	opt(&w, D4O_MSG_TYPE, &t, 1);
	if (r->client_id && r->client_id_len)
		opt(&w, D4O_CLIENT_ID, r->client_id, r->client_id_len);
	if (r->requested.s_addr)
		opt(&w, D4O_REQUESTED_IP, &r->requested, 4);
	if (r->server_id.s_addr)
		opt(&w, D4O_SERVER_ID, &r->server_id, 4);
	if (r->message)
		opt(&w, D4O_MESSAGE, r->message, strlen(r->message));
	/* Release and Decline carry nothing more (RFC 2131 table 5). */
	if (r->type == D4_DISCOVER || r->type == D4_REQUEST || r->type == D4_INFORM) {
		uint8_t ms[2] = { 1500 >> 8, 1500 & 0xff };
		opt(&w, D4O_MAX_SIZE, ms, 2);
		if (r->hostname && *r->hostname)
			opt(&w, D4O_HOSTNAME, r->hostname, strlen(r->hostname));
		if (r->vendor_class && r->vendor_class_len)
			opt(&w, D4O_VENDOR_CLASS, r->vendor_class, r->vendor_class_len);
		if (r->vivso && r->vivso_len)
			opt(&w, D4O_VIVSO, r->vivso, r->vivso_len);
		if (r->prl && r->prl_len)
			opt(&w, D4O_PRL, r->prl, r->prl_len);
	}
	hgw_wr_u8(&w, D4O_END);
	while (hgw_wr_ok(&w) && hgw_wr_len(&w) < 300)
		hgw_wr_u8(&w, D4O_PAD);
	return hgw_wr_ok(&w) ? hgw_wr_len(&w) : 0;
}

size_t d4_frame(uint8_t *buf, size_t cap, struct in_addr src, struct in_addr dst, uint16_t sport,
		uint16_t dport, const uint8_t *payload, size_t len, uint16_t ip_id)
{
	if (len > 65535 - 28)
		return 0;
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u8(&w, 0x45);
	hgw_wr_u8(&w, 0x10); /* DSCP as dhclient/udhcpc: low delay; harmless */
	hgw_wr_u16(&w, (uint16_t)(28 + len));
	hgw_wr_u16(&w, ip_id);
	hgw_wr_u16(&w, 0);
	hgw_wr_u8(&w, 64);
	hgw_wr_u8(&w, IPPROTO_UDP);
	size_t csum_at = hgw_wr_reserve(&w, 2);
	hgw_wr_bytes(&w, &src, 4);
	hgw_wr_bytes(&w, &dst, 4);
	hgw_wr_u16(&w, sport);
	hgw_wr_u16(&w, dport);
	hgw_wr_u16(&w, (uint16_t)(8 + len));
	size_t ucsum_at = hgw_wr_reserve(&w, 2);
	hgw_wr_bytes(&w, payload, len);
	if (!hgw_wr_ok(&w))
		return 0;
	hgw_wr_patch_u16(&w, csum_at, 0);
	hgw_wr_patch_u16(&w, csum_at, hgw_csum(buf, 20));
	hgw_wr_patch_u16(&w, ucsum_at, 0);
	uint32_t s = hgw_csum_pseudo4(&src, &dst, IPPROTO_UDP, (uint16_t)(8 + len));
	uint16_t uc = hgw_csum_fold(hgw_csum_add(s, buf + 20, 8 + len));
	hgw_wr_patch_u16(&w, ucsum_at, uc ? uc : 0xffff); /* 0 means "none" in UDP */
	return hgw_wr_len(&w);
}

long d4_unframe(const uint8_t *pkt, size_t len, uint16_t dport, bool check_udp_sum,
		const uint8_t **payload, struct in_addr *src, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	struct hgw_rd r = hgw_rd_init(pkt, len);
	uint8_t vihl = hgw_rd_u8(&r);
	hgw_rd_u8(&r);
	uint16_t tot = hgw_rd_u16(&r);
	hgw_rd_u16(&r);
	uint16_t frag = hgw_rd_u16(&r);
	hgw_rd_u8(&r);
	uint8_t proto = hgw_rd_u8(&r);
	hgw_rd_u16(&r);
	struct in_addr s, d;
	hgw_rd_bytes(&r, &s, 4);
	hgw_rd_bytes(&r, &d, 4);
	if (!hgw_rd_ok(&r) || (vihl >> 4) != 4) {
		*why = "not IPv4";
		return -1;
	}
	size_t ihl = (size_t)(vihl & 15) * 4;
	if (ihl < 20 || tot < ihl + 8 || tot > len) {
		*why = "bad IPv4 lengths";
		return -1;
	}
	if (proto != IPPROTO_UDP || (frag & 0x3fff)) {
		*why = "not an unfragmented UDP packet";
		return -1;
	}
	if (hgw_csum(pkt, ihl) != 0) {
		*why = "bad IPv4 header checksum";
		return -1;
	}
	struct hgw_rd u = hgw_rd_init(pkt + ihl, tot - ihl);
	hgw_rd_u16(&u);
	uint16_t dp = hgw_rd_u16(&u), ulen = hgw_rd_u16(&u), sum = hgw_rd_u16(&u);
	if (dp != dport) {
		*why = "not for our port";
		return -1;
	}
	if (ulen < 8 || ulen > tot - ihl) {
		*why = "bad UDP length";
		return -1;
	}
	if (check_udp_sum && sum != 0) {
		uint32_t ps = hgw_csum_pseudo4(&s, &d, IPPROTO_UDP, ulen);
		if (hgw_csum_fold(hgw_csum_add(ps, pkt + ihl, ulen)) != 0) {
			*why = "bad UDP checksum";
			return -1;
		}
	}
	*payload = pkt + ihl + 8;
	if (src)
		*src = s;
	return (long)ulen - 8;
}
