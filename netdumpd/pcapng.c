/* pcapng writer; see pcapng.h.  Layout of every block: type, total length,
 * body, options (code, length, value padded to 32 bits, ended by
 * opt_endofopt), total length again. */
#include "pcapng.h"

#include <string.h>

#include "pkt.h"

#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_TSRESOL 9
#define EPB_FLAGS 2
#define EPB_DROPCOUNT 4

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }
/* Option header + padded value. */
static size_t opt_size(size_t vlen) { return 4 + pad4(vlen); }

/* Option strings are capped so that one option stays well inside a
 * 16-bit length and a block inside any sane buffer. */
#define OPT_STR_MAX 1024
static size_t str_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > OPT_STR_MAX ? OPT_STR_MAX : n;
}

static void opt(struct hgw_wr *w, uint16_t code, const void *v, size_t len)
{
	hgw_wr_u16(w, code);
	hgw_wr_u16(w, (uint16_t)len);
	hgw_wr_bytes(w, v, len);
	hgw_wr_zero(w, pad4(len) - len);
}

static size_t finish(struct hgw_wr *w, size_t total)
{
	hgw_wr_u32(w, (uint32_t)total);
	return hgw_wr_ok(w) && hgw_wr_len(w) == total ? total : 0;
}

size_t pcapng_shb(uint8_t *buf, size_t cap, const char *app)
{
	size_t alen = str_len(app);
	size_t total = 24 + (alen ? opt_size(alen) : 0) + 4 + 4;
	if (total > cap)
		return 0;
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u32(&w, PCAPNG_SHB);
	hgw_wr_u32(&w, (uint32_t)total);
	hgw_wr_u32(&w, PCAPNG_BOM);
	hgw_wr_u16(&w, 1); /* major */
	hgw_wr_u16(&w, 0); /* minor */
	hgw_wr_u64(&w, UINT64_MAX); /* section length: unknown (a stream) */
	if (alen)
		opt(&w, SHB_USERAPPL, app, alen);
	opt(&w, OPT_ENDOFOPT, NULL, 0);
	return finish(&w, total);
}

size_t pcapng_idb_size(const char *name)
{
	size_t nlen = str_len(name);
	return 16 + (nlen ? opt_size(nlen) : 0) + opt_size(1) + 4 + 4;
}

size_t pcapng_idb(uint8_t *buf, size_t cap, uint16_t linktype, uint32_t snaplen,
		  const char *name)
{
	size_t nlen = str_len(name);
	size_t total = pcapng_idb_size(name);
	if (total > cap)
		return 0;
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u32(&w, PCAPNG_IDB);
	hgw_wr_u32(&w, (uint32_t)total);
	hgw_wr_u16(&w, linktype);
	hgw_wr_u16(&w, 0);
	hgw_wr_u32(&w, snaplen);
	if (nlen)
		opt(&w, IF_NAME, name, nlen);
	uint8_t tsresol = 9; /* 10^-9 s */
	opt(&w, IF_TSRESOL, &tsresol, 1);
	opt(&w, OPT_ENDOFOPT, NULL, 0);
	return finish(&w, total);
}

size_t pcapng_epb_size(uint32_t caplen, const struct pcapng_epb_opts *o)
{
	size_t n = 28 + pad4(caplen) + 4;
	if (o) {
		size_t c = str_len(o->comment);
		if (c)
			n += opt_size(c);
		if (o->flags)
			n += opt_size(4);
		if (o->dropcount)
			n += opt_size(8);
		if (c || o->flags || o->dropcount)
			n += 4; /* opt_endofopt */
	}
	return n;
}

size_t pcapng_epb(uint8_t *buf, size_t cap, uint32_t if_id, uint64_t ts_ns,
		  const uint8_t *data, uint32_t caplen, uint32_t origlen,
		  const struct pcapng_epb_opts *o)
{
	size_t total = pcapng_epb_size(caplen, o);
	if (total > cap || total > UINT32_MAX)
		return 0;
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u32(&w, PCAPNG_EPB);
	hgw_wr_u32(&w, (uint32_t)total);
	hgw_wr_u32(&w, if_id);
	hgw_wr_u32(&w, (uint32_t)(ts_ns >> 32));
	hgw_wr_u32(&w, (uint32_t)ts_ns);
	hgw_wr_u32(&w, caplen);
	hgw_wr_u32(&w, origlen);
	hgw_wr_bytes(&w, data, caplen);
	hgw_wr_zero(&w, pad4(caplen) - caplen);
	if (o) {
		size_t c = str_len(o->comment);
		if (c)
			opt(&w, OPT_COMMENT, o->comment, c);
		if (o->flags) {
			uint8_t v[4] = { (uint8_t)(o->flags >> 24), (uint8_t)(o->flags >> 16),
					 (uint8_t)(o->flags >> 8), (uint8_t)o->flags };
			opt(&w, EPB_FLAGS, v, 4);
		}
		if (o->dropcount) {
			uint8_t v[8];
			for (int i = 0; i < 8; i++)
				v[i] = (uint8_t)(o->dropcount >> (56 - 8 * i));
			opt(&w, EPB_DROPCOUNT, v, 8);
		}
		if (c || o->flags || o->dropcount)
			opt(&w, OPT_ENDOFOPT, NULL, 0);
	}
	return finish(&w, total);
}
