/* Clocks, randomness and backoff, injected so protocol code can be driven by
 * tests: every state machine takes a struct hgw_clock and a struct hgw_rng
 * from its caller instead of calling clock_gettime() or getrandom(). */
#ifndef HGW_CLOCK_H
#define HGW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct hgw_clock {
	/* Monotonic milliseconds: for timers and intervals. */
	int64_t (*mono_ms)(void *ctx);
	/* Wall-clock Unix seconds: for absolute lease times in state files. */
	int64_t (*wall_s)(void *ctx);
	void *ctx;
};

static inline int64_t hgw_now_ms(const struct hgw_clock *c) { return c->mono_ms(c->ctx); }
static inline int64_t hgw_wall_s(const struct hgw_clock *c) { return c->wall_s(c->ctx); }

/* The real clocks (CLOCK_MONOTONIC, CLOCK_REALTIME). */
extern const struct hgw_clock hgw_clock_real;

/* A clock that only moves when a test says so. */
struct hgw_fake_clock {
	struct hgw_clock clock;
	int64_t mono_ms;
	int64_t wall_ms;
};
void hgw_fake_clock_init(struct hgw_fake_clock *f, int64_t wall_s);
void hgw_fake_clock_advance(struct hgw_fake_clock *f, int64_t ms);

struct hgw_rng {
	uint32_t (*u32)(void *ctx);
	void *ctx;
};
/* getrandom(2)-backed. */
extern const struct hgw_rng hgw_rng_system;
/* Deterministic xorshift for tests; state must be non-zero. */
struct hgw_fake_rng {
	struct hgw_rng rng;
	uint64_t state;
};
void hgw_fake_rng_init(struct hgw_fake_rng *f, uint64_t seed);

static inline uint32_t hgw_rand(const struct hgw_rng *r) { return r->u32(r->ctx); }
/* Uniform integer in [lo, hi] (inclusive); lo <= hi. */
int64_t hgw_rand_range(const struct hgw_rng *r, int64_t lo, int64_t hi);

/* Exponential backoff with jitter, for every "try again later" in hgw
 * (PADI, reconnects, HAAP Deny, modem re-attach).  Each delay is the current
 * base scaled by a random factor in [1 - jitter, 1 + jitter]; the base grows
 * by factor_pct per attempt up to max_ms.  Jitter keeps a fleet of routers
 * from retrying in lock-step after a provider outage. */
struct hgw_backoff {
	uint32_t initial_ms;
	uint32_t max_ms;
	uint16_t factor_pct; /* 200 doubles */
	uint16_t jitter_pct; /* 0..100 */
	uint32_t base_ms;    /* next base, 0 = not started */
	uint32_t attempts;
};
void hgw_backoff_init(struct hgw_backoff *b, uint32_t initial_ms, uint32_t max_ms,
		      uint16_t factor_pct, uint16_t jitter_pct);
/* Delay before the next attempt; advances the backoff. */
uint32_t hgw_backoff_next(struct hgw_backoff *b, const struct hgw_rng *rng);
/* After a success: start again from initial_ms. */
void hgw_backoff_reset(struct hgw_backoff *b);

#endif
