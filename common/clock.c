#include "clock.h"

#include <sys/random.h>
#include <time.h>

static int64_t real_mono_ms(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_wall_s(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

const struct hgw_clock hgw_clock_real = { real_mono_ms, real_wall_s, NULL };

static int64_t fake_mono_ms(void *ctx)
{
	return ((struct hgw_fake_clock *)ctx)->mono_ms;
}

static int64_t fake_wall_s(void *ctx)
{
	return ((struct hgw_fake_clock *)ctx)->wall_ms / 1000;
}

void hgw_fake_clock_init(struct hgw_fake_clock *f, int64_t wall_s)
{
	f->clock.mono_ms = fake_mono_ms;
	f->clock.wall_s = fake_wall_s;
	f->clock.ctx = f;
	/* Start the monotonic clock away from zero so code that treats 0 as
	 * "never" is exercised honestly. */
	f->mono_ms = 1000000;
	f->wall_ms = wall_s * 1000;
}

void hgw_fake_clock_advance(struct hgw_fake_clock *f, int64_t ms)
{
	f->mono_ms += ms;
	f->wall_ms += ms;
}

static uint32_t system_u32(void *ctx)
{
	(void)ctx;
	uint32_t v = 0;
	/* getrandom on a small buffer only fails before the pool is seeded at
	 * early boot with GRND_NONBLOCK; we block instead (at most once). */
	while (getrandom(&v, sizeof(v), 0) != sizeof(v))
		;
	return v;
}

const struct hgw_rng hgw_rng_system = { system_u32, NULL };

static uint32_t fake_u32(void *ctx)
{
	struct hgw_fake_rng *f = ctx;
	uint64_t x = f->state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	f->state = x;
	return (uint32_t)(x >> 16);
}

void hgw_fake_rng_init(struct hgw_fake_rng *f, uint64_t seed)
{
	f->rng.u32 = fake_u32;
	f->rng.ctx = f;
	f->state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

int64_t hgw_rand_range(const struct hgw_rng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;
	uint64_t v = (uint64_t)hgw_rand(r) << 32 | hgw_rand(r);
	return span ? lo + (int64_t)(v % span) : lo + (int64_t)v;
}

void hgw_backoff_init(struct hgw_backoff *b, uint32_t initial_ms, uint32_t max_ms,
		      uint16_t factor_pct, uint16_t jitter_pct)
{
	b->initial_ms = initial_ms ? initial_ms : 1;
	b->max_ms = max_ms < b->initial_ms ? b->initial_ms : max_ms;
	b->factor_pct = factor_pct < 100 ? 100 : factor_pct;
	b->jitter_pct = jitter_pct > 100 ? 100 : jitter_pct;
	hgw_backoff_reset(b);
}

void hgw_backoff_reset(struct hgw_backoff *b)
{
	b->base_ms = b->initial_ms;
	b->attempts = 0;
}

uint32_t hgw_backoff_next(struct hgw_backoff *b, const struct hgw_rng *rng)
{
	uint64_t base = b->base_ms;
	int64_t j = (int64_t)(base * b->jitter_pct / 100);
	int64_t d = (int64_t)base + (j ? hgw_rand_range(rng, -j, j) : 0);
	uint64_t next = base * b->factor_pct / 100;
	b->base_ms = next > b->max_ms ? b->max_ms : (uint32_t)next;
	b->attempts++;
	return d < 1 ? 1 : (uint32_t)d;
}
