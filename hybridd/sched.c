/* Upstream scheduler; see sched.h. */
#include "sched.h"

#include <string.h>

const char *sched_mode_name(enum sched_mode m)
{
	switch (m) {
	case SCHED_BONDING: return "bonding";
	case SCHED_REDUNDANT: return "redundant";
	case SCHED_BACKUP: return "backup";
	}
	return "?";
}

void sched_init(struct sched *s, enum sched_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
}

void sched_set_rate(struct sched *s, uint64_t cir_bps, uint32_t burst_ms)
{
	if (!burst_ms)
		burst_ms = 30;
	s->cir_bps = cir_bps;
	/* RFC 2697: CBS and EBS at least one MTU; sized here to burst_ms of
	 * the committed rate so a TCP burst does not spill to LTE at once. */
	s->cbs = cir_bps / 8 * burst_ms / 1000;
	if (s->cbs < 3000)
		s->cbs = 3000;
	s->ebs = s->cbs;
	s->tc = (double)s->cbs;
	s->te = (double)s->ebs;
}

/* RFC 2697 3.1: tokens arrive at CIR; Tc fills first up to CBS, the
 * overflow fills Te up to EBS. */
static void refill(struct sched *s, int64_t now_ns)
{
	if (!s->last_ns) {
		s->last_ns = now_ns;
		return;
	}
	int64_t dt = now_ns - s->last_ns;
	if (dt <= 0)
		return;
	s->last_ns = now_ns;
	double add = (double)s->cir_bps / 8.0 * (double)dt / 1e9;
	double room = (double)s->cbs - s->tc;
	if (add <= room) {
		s->tc += add;
		return;
	}
	s->tc = (double)s->cbs;
	s->te += add - room;
	if (s->te > (double)s->ebs)
		s->te = (double)s->ebs;
}

unsigned sched_pick(struct sched *s, unsigned len, int64_t now_ns, bool lte_up, bool dsl_up)
{
	if (!lte_up && !dsl_up)
		return 0;
	if (!dsl_up)
		return SCHED_LTE;
	if (!lte_up)
		return SCHED_DSL;
	switch (s->mode) {
	case SCHED_REDUNDANT:
		return SCHED_LTE | SCHED_DSL;
	case SCHED_BACKUP:
		return SCHED_DSL;
	case SCHED_BONDING:
		break;
	}
	if (!s->cir_bps) {
		s->green++;
		return SCHED_DSL;
	}
	refill(s, now_ns);
	if (s->tc >= len) {
		s->tc -= len;
		s->green++;
		return SCHED_DSL;
	}
	if (s->te >= len) {
		s->te -= len;
		s->yellow++;
		return SCHED_DSL;
	}
	s->red++;
	return SCHED_LTE;
}
