/* RFC 8415 section 15 retransmission; see rfc8415_rt.h. */
#include "rfc8415_rt.h"

#define S 1000u
/* Section 7.6, as the table there lists them (milliseconds). */
const struct d6_rt_params d6_rt_solicit = { 1 * S, 3600 * S, 0, 0 };
const struct d6_rt_params d6_rt_request = { 1 * S, 30 * S, 10, 0 };
const struct d6_rt_params d6_rt_renew = { 10 * S, 600 * S, 0, 0 };
const struct d6_rt_params d6_rt_rebind = { 10 * S, 600 * S, 0, 0 };
const struct d6_rt_params d6_rt_release = { 1 * S, 0, 4, 0 };
const struct d6_rt_params d6_rt_decline = { 1 * S, 0, 4, 0 };
const struct d6_rt_params d6_rt_inforeq = { 1 * S, 3600 * S, 0, 0 };

/* base + RAND*base with RAND in [lo, hi] thousandths. */
static uint32_t jitter(uint32_t base, int lo, int hi, const struct hgw_rng *rng)
{
	int64_t r = hgw_rand_range(rng, lo, hi);
	int64_t v = (int64_t)base + (int64_t)base * r / 1000;
	return v < 1 ? 1 : (uint32_t)v;
}

void d6_rt_start(struct d6_rt *t, const struct d6_rt_params *p, int64_t now, bool first_solicit,
		 uint32_t mrd_ms, const struct hgw_rng *rng)
{
	t->p = *p;
	if (mrd_ms)
		t->p.mrd_ms = mrd_ms;
	t->start_ms = now;
	t->count = 1;
	t->rt_ms = first_solicit ? jitter(p->irt_ms, 1, 100, rng) : jitter(p->irt_ms, -100, 100, rng);
	t->next_ms = now + t->rt_ms;
	int64_t dl = d6_rt_deadline(t);
	if (t->next_ms > dl)
		t->next_ms = dl;
}

int64_t d6_rt_deadline(const struct d6_rt *t)
{
	return t->p.mrd_ms ? t->start_ms + t->p.mrd_ms : INT64_MAX;
}

bool d6_rt_next(struct d6_rt *t, int64_t now, const struct hgw_rng *rng)
{
	if (t->p.mrc && t->count >= t->p.mrc)
		return false;
	int64_t dl = d6_rt_deadline(t);
	if (now >= dl)
		return false;
	uint64_t rt = 2ull * t->rt_ms;
	rt = rt + (uint64_t)((int64_t)t->rt_ms * hgw_rand_range(rng, -100, 100) / 1000);
	if (t->p.mrt_ms && rt > t->p.mrt_ms)
		rt = jitter(t->p.mrt_ms, -100, 100, rng);
	if (rt > UINT32_MAX)
		rt = UINT32_MAX;
	t->rt_ms = (uint32_t)rt;
	t->count++;
	t->next_ms = now + t->rt_ms;
	/* The last wait is cut at MRD: the exchange ends exactly then. */
	if (t->next_ms > dl)
		t->next_ms = dl;
	return true;
}
