/* Bounded big-endian reader/writer; see pkt.h for the error model. */
#include "pkt.h"

#include <string.h>

static const uint8_t *take(struct hgw_rd *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t hgw_rd_u8(struct hgw_rd *r)
{
	const uint8_t *p = take(r, 1);
	return p ? p[0] : 0;
}

uint16_t hgw_rd_u16(struct hgw_rd *r)
{
	const uint8_t *p = take(r, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t hgw_rd_u24(struct hgw_rd *r)
{
	const uint8_t *p = take(r, 3);
	return p ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2] : 0;
}

uint32_t hgw_rd_u32(struct hgw_rd *r)
{
	const uint8_t *p = take(r, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

uint64_t hgw_rd_u64(struct hgw_rd *r)
{
	uint64_t hi = hgw_rd_u32(r);
	uint64_t lo = hgw_rd_u32(r);
	return r->err ? 0 : hi << 32 | lo;
}

bool hgw_rd_bytes(struct hgw_rd *r, void *dst, size_t n)
{
	const uint8_t *p = take(r, n);
	if (!p)
		return false;
	if (dst && n)
		memcpy(dst, p, n);
	return true;
}

bool hgw_rd_skip(struct hgw_rd *r, size_t n)
{
	return take(r, n) != NULL;
}

const uint8_t *hgw_rd_ptr(struct hgw_rd *r, size_t n)
{
	return take(r, n);
}

struct hgw_rd hgw_rd_sub(struct hgw_rd *r, size_t n)
{
	const uint8_t *p = take(r, n);
	struct hgw_rd s = hgw_rd_init(p, p ? n : 0);
	s.err = p == NULL;
	return s;
}

static uint8_t *put(struct hgw_wr *w, size_t n)
{
	if (w->err || n > w->cap - w->off) {
		w->err = true;
		return NULL;
	}
	uint8_t *p = w->p + w->off;
	w->off += n;
	return p;
}

void hgw_wr_u8(struct hgw_wr *w, uint8_t v)
{
	uint8_t *p = put(w, 1);
	if (p)
		p[0] = v;
}

void hgw_wr_u16(struct hgw_wr *w, uint16_t v)
{
	uint8_t *p = put(w, 2);
	if (p) {
		p[0] = v >> 8;
		p[1] = v & 0xff;
	}
}

void hgw_wr_u24(struct hgw_wr *w, uint32_t v)
{
	uint8_t *p = put(w, 3);
	if (p) {
		p[0] = (v >> 16) & 0xff;
		p[1] = (v >> 8) & 0xff;
		p[2] = v & 0xff;
	}
}

void hgw_wr_u32(struct hgw_wr *w, uint32_t v)
{
	uint8_t *p = put(w, 4);
	if (p) {
		p[0] = v >> 24;
		p[1] = (v >> 16) & 0xff;
		p[2] = (v >> 8) & 0xff;
		p[3] = v & 0xff;
	}
}

void hgw_wr_u64(struct hgw_wr *w, uint64_t v)
{
	/* Check room first so a u64 is never half written. */
	if (w->err || 8 > w->cap - w->off) {
		w->err = true;
		return;
	}
	hgw_wr_u32(w, (uint32_t)(v >> 32));
	hgw_wr_u32(w, (uint32_t)v);
}

void hgw_wr_bytes(struct hgw_wr *w, const void *src, size_t n)
{
	uint8_t *p = put(w, n);
	if (p && n)
		memcpy(p, src, n);
}

void hgw_wr_zero(struct hgw_wr *w, size_t n)
{
	uint8_t *p = put(w, n);
	if (p && n)
		memset(p, 0, n);
}

size_t hgw_wr_reserve(struct hgw_wr *w, size_t n)
{
	size_t at = w->off;
	uint8_t *p = put(w, n);
	if (!p)
		return SIZE_MAX;
	memset(p, 0, n);
	return at;
}

void hgw_wr_patch_u16(struct hgw_wr *w, size_t at, uint16_t v)
{
	if (w->err || at == SIZE_MAX || at + 2 > w->off) {
		w->err = true;
		return;
	}
	w->p[at] = v >> 8;
	w->p[at + 1] = v & 0xff;
}

void hgw_wr_patch_u8(struct hgw_wr *w, size_t at, uint8_t v)
{
	if (w->err || at == SIZE_MAX || at + 1 > w->off) {
		w->err = true;
		return;
	}
	w->p[at] = v;
}
