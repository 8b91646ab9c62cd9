/* Walking the options of a Configure packet (RFC 1661 6): type, length
 * (counting the two header octets), value.  A length below 2 or past the
 * end makes the whole list malformed. */
#ifndef PPPOED_PPP_OPTS_H
#define PPPOED_PPP_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

struct ppp_opt {
	uint8_t type, len;     /* len = value length */
	struct hgw_rd v;
	const uint8_t *raw;    /* the whole option, header included */
};

/* Returns 1 with the next option, 0 at the end, -1 if malformed. */
static inline int ppp_opt_next(struct hgw_rd *r, struct ppp_opt *o)
{
	if (hgw_rd_left(r) == 0)
		return hgw_rd_ok(r) ? 0 : -1;
	o->raw = r->p + r->off;
	o->type = hgw_rd_u8(r);
	uint8_t len = hgw_rd_u8(r);
	if (!hgw_rd_ok(r) || len < 2 || (size_t)(len - 2) > hgw_rd_left(r))
		return -1;
	o->len = (uint8_t)(len - 2);
	o->v = hgw_rd_sub(r, o->len);
	return 1;
}

/* Three answers built at once while judging a request: at the end the
 * strongest wins (Reject over Nak over Ack), per RFC 1661 5.3/5.4. */
struct ppp_judge {
	uint8_t nak[1400], rej[1400];
	struct hgw_wr wn, wj;
};

static inline void ppp_judge_init(struct ppp_judge *j)
{
	j->wn = hgw_wr_init(j->nak, sizeof(j->nak));
	j->wj = hgw_wr_init(j->rej, sizeof(j->rej));
}

static inline void ppp_judge_rej(struct ppp_judge *j, const struct ppp_opt *o)
{
	hgw_wr_bytes(&j->wj, o->raw, o->len + 2u);
}

/* Nak with a value, or Reject when Naks are exhausted (Max-Failure). */
static inline void ppp_judge_nak(struct ppp_judge *j, const struct ppp_opt *o, bool may_nak,
				 const void *val, uint8_t n)
{
	if (!may_nak) {
		ppp_judge_rej(j, o);
		return;
	}
	hgw_wr_u8(&j->wn, o->type);
	hgw_wr_u8(&j->wn, (uint8_t)(n + 2));
	hgw_wr_bytes(&j->wn, val, n);
}

/* Writes the answer into w and returns its code (2 Ack, 3 Nak, 4 Reject). */
static inline int ppp_judge_end(struct ppp_judge *j, struct hgw_wr *w)
{
	if (hgw_wr_len(&j->wj)) {
		hgw_wr_bytes(w, j->rej, hgw_wr_len(&j->wj));
		return 4;
	}
	if (hgw_wr_len(&j->wn)) {
		hgw_wr_bytes(w, j->nak, hgw_wr_len(&j->wn));
		return 3;
	}
	return 2;
}

#endif
