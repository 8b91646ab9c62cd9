/* Reorder buffer; see reorder.h. */
#include "reorder.h"

#include <stdlib.h>
#include <string.h>

int rb_init(struct rb *b, unsigned nslots, unsigned slot_size, uint32_t timeout_ms)
{
	memset(b, 0, sizeof(*b));
	if (!nslots || (nslots & (nslots - 1)))
		return -1;
	b->slots = calloc(nslots, sizeof(*b->slots));
	b->data = malloc((size_t)nslots * slot_size);
	if (!b->slots || !b->data) {
		rb_free(b);
		return -1;
	}
	b->nslots = nslots;
	b->slot_size = slot_size;
	b->timeout_ms = timeout_ms;
	return 0;
}

void rb_free(struct rb *b)
{
	free(b->slots);
	free(b->data);
	b->slots = NULL;
	b->data = NULL;
}

void rb_set_timeout(struct rb *b, uint32_t timeout_ms)
{
	b->timeout_ms = timeout_ms;
}

void rb_set_max(struct rb *b, uint32_t max_ms)
{
	b->max_ms = max_ms;
	if (b->learned_ms > max_ms)
		b->learned_ms = max_ms;
}

uint32_t rb_timeout(const struct rb *b)
{
	if (b->timeout_ms == 0 && b->max_ms == 0)
		return 0;
	return b->learned_ms > b->timeout_ms ? b->learned_ms : b->timeout_ms;
}

void rb_reset(struct rb *b)
{
	for (unsigned i = 0; i < b->nslots; i++)
		b->slots[i].used = false;
	b->started = false;
	b->buffered = 0;
}

static struct rb_slot *slot(struct rb *b, uint32_t seq)
{
	return &b->slots[seq & (b->nslots - 1)];
}

static uint8_t *slot_data(struct rb *b, uint32_t seq)
{
	return b->data + (size_t)(seq & (b->nslots - 1)) * b->slot_size;
}

/* Delivers the run of buffered packets starting at next. */
static void flush_run(struct rb *b, rb_deliver_fn fn, void *arg)
{
	for (;;) {
		struct rb_slot *s = slot(b, b->next);
		if (!s->used || s->seq != b->next)
			break;
		s->used = false;
		b->buffered--;
		fn(arg, slot_data(b, b->next), s->len);
		b->next++;
	}
}

/* The wait restarts from the arrival of the first packet after the gap
 * (the lowest buffered sequence number).  Arrival order follows sequence
 * order closely, so this is the oldest in practice, and it is found in a
 * step or two instead of a scan of the whole ring per packet. */
static void recompute_wait(struct rb *b)
{
	if (!b->buffered)
		return;
	for (uint32_t i = 1; i < b->nslots; i++) {
		struct rb_slot *s = slot(b, b->next + i);
		if (s->used && s->seq == b->next + i) {
			b->wait_since = s->arrived_ms;
			return;
		}
	}
}

/* Skips the gap at next: jump to the lowest buffered sequence number. */
static bool skip_gap(struct rb *b, rb_deliver_fn fn, void *arg)
{
	for (uint32_t i = 1; i < b->nslots; i++) {
		struct rb_slot *s = slot(b, b->next + i);
		if (s->used && s->seq == b->next + i) {
			b->lost += i;
			b->skip_lo = b->next;
			b->skip_hi = b->next + i;
			b->skip_ms = b->now_ms;
			b->next += i;
			flush_run(b, fn, arg);
			return true;
		}
	}
	/* cannot happen while the counters are right; never spin */
	for (unsigned i = 0; i < b->nslots; i++)
		b->slots[i].used = false;
	b->buffered = 0;
	return false;
}

void rb_push(struct rb *b, uint32_t seq, const uint8_t *pkt, size_t len, int64_t now_ms,
	     rb_deliver_fn fn, void *arg)
{
	b->now_ms = now_ms;
	if (len > b->slot_size) {
		b->too_big++;
		return;
	}
	if (!b->started) {
		b->started = true;
		b->next = seq;
	}
	int32_t d = (int32_t)(seq - b->next);
	if (d < 0) {
		/* already delivered or skipped: a duplicate or too late */
		b->late++;
		if ((int32_t)(seq - b->skip_lo) >= 0 && (int32_t)(seq - b->skip_hi) < 0 &&
		    b->max_ms) {
			/* we gave up on it too early: wait longer from now on */
			if (now_ms - b->skip_ms > b->late_max_ms)
				b->late_max_ms = now_ms - b->skip_ms;
			uint32_t t = rb_timeout(b);
			t = t < 5 ? 10 : t * 2;
			b->learned_ms = t > b->max_ms ? b->max_ms : t;
			b->decay_ms = now_ms;
			b->raised++;
			b->skip_hi = b->skip_lo; /* once per gap */
		}
		return;
	}
	if (d == 0) {
		b->in_order++;
		/* decay the learned timeout slowly, 1 ms per 100 ms: a skew
		 * that showed up once is likely to come back under load */
		if (b->learned_ms && now_ms - b->decay_ms >= 100) {
			b->learned_ms--;
			b->decay_ms = now_ms;
		}
		fn(arg, pkt, len);
		b->next++;
		bool had = b->buffered > 0;
		flush_run(b, fn, arg);
		if (had && b->buffered)
			recompute_wait(b);
		return;
	}
	if ((uint32_t)d >= b->nslots) {
		/* Far ahead (a long outage, or the far end restarted its
		 * counter): give up on the gap, deliver what we hold in order
		 * and restart at this packet. */
		b->jumps++;
		while (b->buffered && skip_gap(b, fn, arg))
			;
		b->next = seq;
		b->in_order++;
		fn(arg, pkt, len);
		b->next++;
		return;
	}
	struct rb_slot *s = slot(b, seq);
	if (s->used) {
		b->duplicates++;
		return;
	}
	s->used = true;
	s->seq = seq;
	s->len = (uint16_t)len;
	s->arrived_ms = now_ms;
	memcpy(slot_data(b, seq), pkt, len);
	if (!b->buffered++)
		b->wait_since = now_ms;
	b->reordered++;
	if (rb_timeout(b) == 0) {
		/* reordering off: never hold anything */
		skip_gap(b, fn, arg);
	}
}

int64_t rb_tick(struct rb *b, int64_t now_ms, rb_deliver_fn fn, void *arg)
{
	int64_t to = rb_timeout(b);
	b->now_ms = now_ms;
	while (b->buffered && now_ms - b->wait_since >= to) {
		b->timeouts++;
		skip_gap(b, fn, arg);
		recompute_wait(b);
	}
	return b->buffered ? b->wait_since + to : INT64_MAX;
}

uint32_t rb_timeout_from_rtt(int32_t rtt_a_ms, int32_t rtt_b_ms, uint32_t margin_ms,
			     uint32_t min_ms, uint32_t max_ms)
{
	uint32_t t;
	if (rtt_a_ms < 0 || rtt_b_ms < 0)
		t = max_ms; /* unknown: be generous until measured */
	else
		t = (uint32_t)abs(rtt_a_ms - rtt_b_ms) + margin_ms;
	if (t < min_ms)
		t = min_ms;
	if (t > max_ms)
		t = max_ms;
	return t;
}
