/* Upstream scheduler for the bond, I/O-free: which tunnel(s) carry the
 * next packet.
 *
 * bonding: RFC 8157 4.3, an RFC 2697 single-rate three-colour marker
 *   (colour-blind) with CIR = DSL upstream bandwidth minus bypass traffic;
 *   green and yellow go to DSL, red overflows to LTE.
 * redundant: every packet on both tunnels (the receiver drops duplicates by
 *   sequence number), for real-time traffic.
 * backup: DSL only; LTE only while DSL is down.
 * A tunnel that is down takes nothing: its share moves at once. */
#ifndef HYBRIDD_SCHED_H
#define HYBRIDD_SCHED_H

#include <stdbool.h>
#include <stdint.h>

enum sched_mode { SCHED_BONDING, SCHED_REDUNDANT, SCHED_BACKUP };
#define SCHED_LTE 1u
#define SCHED_DSL 2u

struct sched {
	enum sched_mode mode;
	uint64_t cir_bps;  /* committed rate of DSL, bits/s; 0 = unlimited */
	uint64_t cbs, ebs; /* committed and excess burst sizes, bytes */
	double tc, te;     /* token buckets, bytes */
	int64_t last_ns;
	uint64_t green, yellow, red;
};

void sched_init(struct sched *s, enum sched_mode mode);
/* Sets the DSL rate; burst_ms sizes the buckets (Telekom attribute 57). */
void sched_set_rate(struct sched *s, uint64_t cir_bps, uint32_t burst_ms);
/* Returns a mask of SCHED_LTE/SCHED_DSL for a packet of len bytes at
 * now_ns, given which tunnels are up; 0 = nowhere to send. */
unsigned sched_pick(struct sched *s, unsigned len, int64_t now_ns, bool lte_up, bool dsl_up);
const char *sched_mode_name(enum sched_mode m);

#endif
