/* Capture ring; see ring.h.  The arena is a circular byte buffer in which
 * each packet is contiguous: a packet that would run past the end starts
 * again at offset 0 and the tail is left unused until the ring wraps. */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

int ring_init(struct ring *r, uint32_t max_pkts, uint32_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	max_bytes -= max_bytes % RING_ALIGN;
	if (max_pkts == 0 || max_bytes == 0)
		return -1;
	r->idx = malloc((size_t)max_pkts * sizeof(*r->idx));
	r->data = malloc(max_bytes);
	if (!r->idx || !r->data) {
		ring_free(r);
		return -1;
	}
	/* Touch every page now: the footprint must not grow under load.  A
	 * non-zero fill, because the compiler may turn malloc + memset(0)
	 * into calloc, which leaves fresh pages unmapped. */
	memset(r->data, 0xa5, max_bytes);
	memset(r->idx, 0xa5, (size_t)max_pkts * sizeof(*r->idx));
	r->max_pkts = max_pkts;
	r->max_bytes = max_bytes;
	return 0;
}

void ring_free(struct ring *r)
{
	free(r->idx);
	free(r->data);
	r->idx = NULL;
	r->data = NULL;
	r->max_pkts = r->max_bytes = 0;
}

static uint32_t span(uint32_t caplen)
{
	uint32_t s = (caplen + RING_ALIGN - 1) / RING_ALIGN * RING_ALIGN;
	return s ? s : RING_ALIGN; /* an empty packet still takes a slot of arena */
}

static struct ring_pkt *slot(const struct ring *r, uint64_t seq)
{
	return &r->idx[seq % r->max_pkts];
}

static void evict_oldest(struct ring *r)
{
	struct ring_pkt *p = slot(r, r->first_seq);
	if (r->on_evict)
		r->on_evict(r->evict_arg, p);
	r->bytes -= p->caplen;
	r->first_seq++;
	r->dropped++;
}

/* Does [at, at+len) overlap the bytes of the packets held? */
static int overlaps(const struct ring *r, uint32_t at, uint32_t len)
{
	if (ring_count(r) == 0)
		return 0;
	uint32_t tail = slot(r, r->first_seq)->off; /* oldest byte held */
	uint32_t head = r->wpos;                     /* one past the newest */
	if (tail < head) /* held: [tail, head) */
		return at < head && at + len > tail;
	/* wrapped (or exactly full): held [tail, max) and [0, head) */
	return at + len > tail || at < head;
}

uint64_t ring_push(struct ring *r, uint64_t ts_ns, uint16_t ifid, uint16_t flags,
		   const uint8_t *data, uint32_t caplen, uint32_t origlen)
{
	uint32_t len = span(caplen);
	if (len > r->max_bytes) {
		r->rejected++;
		return UINT64_MAX;
	}
	uint32_t at = r->wpos;
	if ((uint64_t)at + len > r->max_bytes)
		at = 0;
	while (ring_count(r) > 0 && (ring_count(r) >= r->max_pkts || overlaps(r, at, len)))
		evict_oldest(r);
	if (ring_count(r) == 0) {
		/* Empty: start at the beginning, so any packet that fits the
		 * arena fits now. */
		at = 0;
	}
	struct ring_pkt *p = slot(r, r->next_seq);
	p->ts_ns = ts_ns;
	p->off = at;
	p->caplen = caplen;
	p->origlen = origlen < caplen ? caplen : origlen;
	p->ifid = ifid;
	p->flags = flags;
	if (caplen)
		memcpy(r->data + at, data, caplen);
	r->wpos = at + len == r->max_bytes ? 0 : at + len;
	r->bytes += caplen;
	return r->next_seq++;
}

const struct ring_pkt *ring_get(const struct ring *r, uint64_t seq, const uint8_t **data)
{
	if (seq < r->first_seq || seq >= r->next_seq)
		return NULL;
	const struct ring_pkt *p = slot(r, seq);
	if (data)
		*data = r->data + p->off;
	return p;
}

size_t ring_memory(const struct ring *r)
{
	return (size_t)r->max_pkts * sizeof(*r->idx) + r->max_bytes;
}
