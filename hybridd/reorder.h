/* Downstream reorder buffer for the bond (RFC 8157 4.4, RFC 2890 3.2),
 * I/O-free.
 *
 * Both tunnels carry one sequence space, so one buffer serves the bond.
 * Packets are copied into a preallocated ring indexed by sequence number
 * (no allocation per packet).  In-order packets go out at once; a packet
 * after a gap waits until the gap fills or until the oldest waiting packet
 * has waited `timeout_ms`, then the gap is skipped (the packet was lost, or
 * is later than the RTT difference says it could be).  Duplicates (the
 * "redundant" mode sends every packet on both links) and packets older than
 * the delivery point are dropped.  Sequence numbers wrap at 2^32. */
#ifndef HYBRIDD_REORDER_H
#define HYBRIDD_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*rb_deliver_fn)(void *arg, const uint8_t *pkt, size_t len);

struct rb_slot {
	uint32_t seq;
	uint16_t len;
	bool used;
	int64_t arrived_ms;
};

struct rb {
	unsigned nslots;   /* power of two */
	unsigned slot_size;
	struct rb_slot *slots;
	uint8_t *data;     /* nslots * slot_size */
	bool started;
	uint32_t next;     /* next sequence number to deliver */
	unsigned buffered;
	int64_t wait_since; /* arrival of the oldest buffered packet */
	uint32_t timeout_ms;  /* from the RTT difference (set by the caller) */
	uint32_t max_ms;      /* bound of the learned timeout */
	uint32_t learned_ms;  /* raised when a packet we gave up on arrives */
	int64_t decay_ms;     /* last change of learned_ms */
	uint32_t skip_lo, skip_hi; /* the last gap we skipped: [lo, hi) */
	int64_t skip_ms;           /* when */
	int64_t late_max_ms;
	int64_t now_ms;            /* time of the current push/tick */       /* how long after its skip a packet came, at most */
	/* counters */
	uint64_t in_order, reordered, duplicates, late, lost, timeouts, too_big, jumps, raised;
};

/* nslots must be a power of two.  Returns 0 or -1 (out of memory). */
int rb_init(struct rb *b, unsigned nslots, unsigned slot_size, uint32_t timeout_ms);
void rb_free(struct rb *b);
void rb_set_timeout(struct rb *b, uint32_t timeout_ms);
/* The timeout may grow up to max_ms when packets arrive after their gap
 * was skipped (the RTT difference under-estimated the one-way skew, or the
 * skew changed faster than Hellos measure it); it decays back slowly. */
void rb_set_max(struct rb *b, uint32_t max_ms);
/* The timeout in force: max(RTT-derived, learned). */
uint32_t rb_timeout(const struct rb *b);
/* Forget everything (new session). */
void rb_reset(struct rb *b);
/* One sequenced packet arrived at now_ms. */
void rb_push(struct rb *b, uint32_t seq, const uint8_t *pkt, size_t len, int64_t now_ms,
	     rb_deliver_fn fn, void *arg);
/* Releases what waited too long; returns the next deadline or INT64_MAX. */
int64_t rb_tick(struct rb *b, int64_t now_ms, rb_deliver_fn fn, void *arg);

/* Reorder timeout from the two tunnels' RTTs: the difference (the later
 * path's one-way excess is at most that), plus a margin, bounded. */
uint32_t rb_timeout_from_rtt(int32_t rtt_a_ms, int32_t rtt_b_ms, uint32_t margin_ms,
			     uint32_t min_ms, uint32_t max_ms);

#endif
