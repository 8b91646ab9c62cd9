/* Bounded big-endian packet reader and writer.
 *
 * Every protocol parser in hgw reads through hgw_rd and every builder writes
 * through hgw_wr.  Both carry a sticky error flag: a read past the end (or a
 * write past the buffer) sets it, returns zero / does nothing, and every later
 * call is a no-op.  Parsers therefore read a whole structure and check
 * hgw_rd_ok() once, instead of testing lengths before each field, and a
 * truncated packet can never make them read out of bounds. */
#ifndef HGW_PKT_H
#define HGW_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hgw_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

static inline struct hgw_rd hgw_rd_init(const void *p, size_t len)
{
	struct hgw_rd r = { .p = p, .len = len, .off = 0, .err = false };
	return r;
}

static inline bool hgw_rd_ok(const struct hgw_rd *r) { return !r->err; }
static inline size_t hgw_rd_left(const struct hgw_rd *r) { return r->err ? 0 : r->len - r->off; }
static inline bool hgw_rd_done(const struct hgw_rd *r) { return !r->err && r->off == r->len; }

uint8_t hgw_rd_u8(struct hgw_rd *r);
uint16_t hgw_rd_u16(struct hgw_rd *r);
uint32_t hgw_rd_u24(struct hgw_rd *r);
uint32_t hgw_rd_u32(struct hgw_rd *r);
uint64_t hgw_rd_u64(struct hgw_rd *r);
/* Copies n bytes into dst (dst may be NULL to only skip). */
bool hgw_rd_bytes(struct hgw_rd *r, void *dst, size_t n);
bool hgw_rd_skip(struct hgw_rd *r, size_t n);
/* Pointer to the next n bytes without copying, or NULL (and error) if short. */
const uint8_t *hgw_rd_ptr(struct hgw_rd *r, size_t n);
/* Splits off the next n bytes as an independent reader (for TLV values):
 * a short outer buffer fails both readers. */
struct hgw_rd hgw_rd_sub(struct hgw_rd *r, size_t n);

struct hgw_wr {
	uint8_t *p;
	size_t cap;
	size_t off;
	bool err;
};

static inline struct hgw_wr hgw_wr_init(void *p, size_t cap)
{
	struct hgw_wr w = { .p = p, .cap = cap, .off = 0, .err = false };
	return w;
}

static inline bool hgw_wr_ok(const struct hgw_wr *w) { return !w->err; }
static inline size_t hgw_wr_len(const struct hgw_wr *w) { return w->off; }

void hgw_wr_u8(struct hgw_wr *w, uint8_t v);
void hgw_wr_u16(struct hgw_wr *w, uint16_t v);
void hgw_wr_u24(struct hgw_wr *w, uint32_t v);
void hgw_wr_u32(struct hgw_wr *w, uint32_t v);
void hgw_wr_u64(struct hgw_wr *w, uint64_t v);
void hgw_wr_bytes(struct hgw_wr *w, const void *src, size_t n);
void hgw_wr_zero(struct hgw_wr *w, size_t n);
/* Reserves n bytes to be filled later (a length field written once the body
 * is known); returns the offset, or SIZE_MAX on overflow. */
size_t hgw_wr_reserve(struct hgw_wr *w, size_t n);
/* Patches a big-endian u16/u8 at an offset returned by hgw_wr_reserve. */
void hgw_wr_patch_u16(struct hgw_wr *w, size_t at, uint16_t v);
void hgw_wr_patch_u8(struct hgw_wr *w, size_t at, uint8_t v);

#endif
