/* Retransmission of client-initiated exchanges, RFC 8415 section 15.
 *
 *   RT for the first message = IRT + RAND*IRT
 *   RT for each later one    = 2*RTprev + RAND*RTprev
 *   if MRT != 0 and RT > MRT:  RT = MRT + RAND*MRT
 *   stop after MRC transmissions (MRC != 0) or MRD since the first (MRD != 0)
 *
 * RAND is uniform in [-0.1, +0.1]; for the first Solicit it must be strictly
 * positive so that the client waits at least IRT for Advertises (15, last
 * paragraph).  We draw RAND in thousandths from the injected RNG so tests
 * can predict every value. */
#ifndef HGW_RFC8415_RT_H
#define HGW_RFC8415_RT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

struct d6_rt_params {
	uint32_t irt_ms, mrt_ms, mrc, mrd_ms;
};

/* RFC 8415 section 7.6 parameter sets. */
extern const struct d6_rt_params d6_rt_solicit, d6_rt_request, d6_rt_renew, d6_rt_rebind,
	d6_rt_release, d6_rt_decline, d6_rt_inforeq;

struct d6_rt {
	struct d6_rt_params p;
	int64_t start_ms;  /* first transmission */
	int64_t next_ms;   /* when the next transmission is due */
	uint32_t rt_ms;    /* current RT */
	uint32_t count;    /* transmissions so far */
};

/* Starts an exchange at now (the first transmission happens now); first_solicit
 * selects the RAND > 0 rule.  mrd_ms overrides p.mrd_ms when non-zero (Renew
 * runs until T2, Rebind until the leases expire). */
void d6_rt_start(struct d6_rt *t, const struct d6_rt_params *p, int64_t now, bool first_solicit,
		 uint32_t mrd_ms, const struct hgw_rng *rng);
/* Called when next_ms has passed: returns true if another transmission is
 * allowed (count and next_ms advanced), false if MRC or MRD is exhausted. */
bool d6_rt_next(struct d6_rt *t, int64_t now, const struct hgw_rng *rng);
/* When the exchange gives up for MRD (start + MRD), or INT64_MAX. */
int64_t d6_rt_deadline(const struct d6_rt *t);

#endif
