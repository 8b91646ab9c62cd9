/* AAAA query and answer; see dns_aaaa.h. */
#include "dns_aaaa.h"

#include <ctype.h>
#include <string.h>

#include "pkt.h"

static void put_name(struct hgw_wr *w, const char *name)
{
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > 63) {
			w->err = true;
			return;
		}
		hgw_wr_u8(w, (uint8_t)n);
		hgw_wr_bytes(w, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	hgw_wr_u8(w, 0);
}

size_t dns_aaaa_query(uint8_t *buf, size_t cap, uint16_t id, const char *name)
{
	if (!name[0] || strlen(name) > 253)
		return 0;
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u16(&w, id);
	hgw_wr_u16(&w, 0x0100); /* RD */
	hgw_wr_u16(&w, 1);
	hgw_wr_u16(&w, 0);
	hgw_wr_u16(&w, 0);
	hgw_wr_u16(&w, 0);
	put_name(&w, name);
	hgw_wr_u16(&w, 28); /* AAAA */
	hgw_wr_u16(&w, 1);  /* IN */
	return hgw_wr_ok(&w) ? hgw_wr_len(&w) : 0;
}

/* Skips a (possibly compressed) name. */
static void skip_name(struct hgw_rd *r)
{
	for (int labels = 0; labels < 128; labels++) {
		uint8_t l = hgw_rd_u8(r);
		if (!hgw_rd_ok(r) || l == 0)
			return;
		if ((l & 0xc0) == 0xc0) {
			hgw_rd_u8(r);
			return;
		}
		if (l & 0xc0) {
			r->err = true;
			return;
		}
		hgw_rd_skip(r, l);
	}
	r->err = true;
}

/* The question must be ours (case-insensitive, uncompressed as we sent it). */
static int question_is(struct hgw_rd *r, const char *name)
{
	const char *p = name;
	for (int labels = 0; labels < 128; labels++) {
		uint8_t l = hgw_rd_u8(r);
		if (!hgw_rd_ok(r) || (l & 0xc0))
			return 0;
		if (l == 0)
			return *p == 0;
		const uint8_t *lab = hgw_rd_ptr(r, l);
		if (!lab)
			return 0;
		for (unsigned i = 0; i < l; i++, p++)
			if (!*p || tolower((unsigned char)*p) != tolower(lab[i]))
				return 0;
		if (*p == '.')
			p++;
		else if (*p)
			return 0;
	}
	return 0;
}

int dns_aaaa_answer(const uint8_t *buf, size_t len, uint16_t id, const char *name,
		    struct in6_addr *out)
{
	struct hgw_rd r = hgw_rd_init(buf, len);
	uint16_t rid = hgw_rd_u16(&r), flags = hgw_rd_u16(&r);
	uint16_t qd = hgw_rd_u16(&r), an = hgw_rd_u16(&r);
	hgw_rd_skip(&r, 4);
	if (!hgw_rd_ok(&r) || rid != id || !(flags & 0x8000) || qd != 1)
		return -1;
	if (!question_is(&r, name))
		return -1;
	uint16_t qt = hgw_rd_u16(&r), qc = hgw_rd_u16(&r);
	if (!hgw_rd_ok(&r) || qt != 28 || qc != 1)
		return -1;
	if ((flags & 0xf) != 0) /* NXDOMAIN, SERVFAIL, ... */
		return 0;
	for (unsigned i = 0; i < an; i++) {
		skip_name(&r);
		uint16_t type = hgw_rd_u16(&r), cls = hgw_rd_u16(&r);
		hgw_rd_u32(&r);
		uint16_t rdlen = hgw_rd_u16(&r);
		const uint8_t *rd = hgw_rd_ptr(&r, rdlen);
		if (!hgw_rd_ok(&r))
			return -1;
		/* CNAMEs come first in a chain; take the first AAAA */
		if (type == 28 && cls == 1 && rdlen == 16) {
			memcpy(out, rd, 16);
			return 1;
		}
	}
	return 0;
}
