/* RFC 1661 section 4: the option-negotiation automaton. */
#include "rfc1661.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

/* Actions, as named in RFC 1661 4.4. */
enum {
	A_NONE, A_TLU, A_TLD, A_TLS, A_TLF, A_IRC, A_ZRC, A_SCR, A_SCA, A_SCN, A_STR, A_STA,
	A_SCJ, A_SER,
};

struct cell {
	int8_t next;     /* -1: "-", the event cannot happen in this state */
	uint8_t act[3];  /* in order */
};

#define X { -1, { 0 } }
#define T(n, ...) { n, { __VA_ARGS__ } }

/* RFC 1661 4.1 "State Transition Table", columns Initial (0) .. Opened (9).
 * The "r" (restart option) and "p" (passive option) variants are not used:
 * a client always actively opens. */
static const struct cell table[FSM_N_EVENTS][FSM_N_STATES] = {
	/*                 0 Initial    1 Starting         2 Closed           3 Stopped                4 Closing        5 Stopping       6 Req-Sent         7 Ack-Rcvd        8 Ack-Sent         9 Opened */
	[EV_UP]        = { T(2),        T(6, A_IRC, A_SCR), X,                X,                       X,               X,               X,                 X,                X,                 X },
	[EV_DOWN]      = { X,           X,                 T(0),             T(1, A_TLS),             T(0),            T(1),            T(1),              T(1),             T(1),              T(1, A_TLD) },
	[EV_OPEN]      = { T(1, A_TLS), T(1),              T(6, A_IRC, A_SCR), T(3),                  T(5),            T(5),            T(6),              T(7),             T(8),              T(9) },
	[EV_CLOSE]     = { T(0),        T(0, A_TLF),       T(2),             T(2),                    T(4),            T(4),            T(4, A_IRC, A_STR), T(4, A_IRC, A_STR), T(4, A_IRC, A_STR), T(4, A_TLD, A_IRC, A_STR) },
	[EV_TO_PLUS]   = { X,           X,                 X,                X,                       T(4, A_STR),     T(5, A_STR),     T(6, A_SCR),       T(6, A_SCR),      T(8, A_SCR),       X },
	[EV_TO_MINUS]  = { X,           X,                 X,                X,                       T(2, A_TLF),     T(3, A_TLF),     T(3, A_TLF),       T(3, A_TLF),      T(3, A_TLF),       X },
	[EV_RCR_PLUS]  = { X,           X,                 T(2, A_STA),      T(8, A_IRC, A_SCR, A_SCA), T(4),          T(5),            T(8, A_SCA),       T(9, A_SCA, A_TLU), T(8, A_SCA),     T(8, A_TLD, A_SCR, A_SCA) },
	[EV_RCR_MINUS] = { X,           X,                 T(2, A_STA),      T(6, A_IRC, A_SCR, A_SCN), T(4),          T(5),            T(6, A_SCN),       T(7, A_SCN),      T(6, A_SCN),       T(6, A_TLD, A_SCR, A_SCN) },
	[EV_RCA]       = { X,           X,                 T(2, A_STA),      T(3, A_STA),             T(4),            T(5),            T(7, A_IRC),       T(6, A_SCR),      T(9, A_IRC, A_TLU), T(6, A_TLD, A_SCR) },
	[EV_RCN]       = { X,           X,                 T(2, A_STA),      T(3, A_STA),             T(4),            T(5),            T(6, A_IRC, A_SCR), T(6, A_SCR),     T(8, A_IRC, A_SCR), T(6, A_TLD, A_SCR) },
	[EV_RTR]       = { X,           X,                 T(2, A_STA),      T(3, A_STA),             T(4, A_STA),     T(5, A_STA),     T(6, A_STA),       T(6, A_STA),      T(6, A_STA),       T(5, A_TLD, A_ZRC, A_STA) },
	[EV_RTA]       = { X,           X,                 T(2),             T(3),                    T(2, A_TLF),     T(3, A_TLF),     T(6),              T(6),             T(8),              T(6, A_TLD, A_SCR) },
	[EV_RUC]       = { X,           X,                 T(2, A_SCJ),      T(3, A_SCJ),             T(4, A_SCJ),     T(5, A_SCJ),     T(6, A_SCJ),       T(7, A_SCJ),      T(8, A_SCJ),       T(9, A_SCJ) },
	[EV_RXJ_PLUS]  = { X,           X,                 T(2),             T(3),                    T(4),            T(5),            T(6),              T(6),             T(8),              T(9) },
	[EV_RXJ_MINUS] = { X,           X,                 T(2, A_TLF),      T(3, A_TLF),             T(2, A_TLF),     T(3, A_TLF),     T(3, A_TLF),       T(3, A_TLF),      T(3, A_TLF),       T(5, A_TLD, A_IRC, A_STR) },
	[EV_RXR]       = { X,           X,                 T(2),             T(3),                    T(4),            T(5),            T(6),              T(7),             T(8),              T(9, A_SER) },
};

const char *fsm_state_name(enum fsm_state s)
{
	static const char *const n[] = { "Initial", "Starting", "Closed", "Stopped", "Closing",
					 "Stopping", "Req-Sent", "Ack-Rcvd", "Ack-Sent", "Opened" };
	return (unsigned)s < FSM_N_STATES ? n[s] : "?";
}

const char *fsm_event_name(enum fsm_event e)
{
	static const char *const n[] = { "Up", "Down", "Open", "Close", "TO+", "TO-",
					 "RCR+", "RCR-", "RCA", "RCN", "RTR", "RTA", "RUC",
					 "RXJ+", "RXJ-", "RXR" };
	return (unsigned)e < FSM_N_EVENTS ? n[e] : "?";
}

void fsm_init(struct fsm *f, const struct fsm_proto *p, void *owner, void *proto_state,
	      const struct hgw_clock *clock,
	      void (*send)(void *owner, uint16_t proto, const uint8_t *pkt, size_t len))
{
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->owner = owner;
	f->proto_state = proto_state;
	f->clock = clock;
	f->send = send;
	f->state = FSM_INITIAL;
	f->timer_at = INT64_MAX;
	/* RFC 1661 4.6 defaults */
	f->restart_ms = 3000;
	f->max_terminate = 2;
	f->max_configure = 10;
	f->max_failure = 5;
	f->next_id = 1;
}

void fsm_send(struct fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len)
{
	uint8_t pkt[1500];
	if (len > sizeof(pkt) - 4)
		len = sizeof(pkt) - 4;
	pkt[0] = code;
	pkt[1] = id;
	pkt[2] = (uint8_t)((len + 4) >> 8);
	pkt[3] = (uint8_t)(len + 4);
	if (len)
		memcpy(pkt + 4, data, len);
	f->send(f->owner, f->p->proto, pkt, len + 4);
}

static void start_timer(struct fsm *f)
{
	f->timer_at = hgw_now_ms(f->clock) + f->restart_ms;
}

static void scr(struct fsm *f)
{
	uint8_t opts[1400];
	struct hgw_wr w = hgw_wr_init(opts, sizeof(opts));
	f->p->build_req(f, &w);
	f->req_id = f->next_id++;
	f->answered = false;
	fsm_send(f, CP_CONF_REQ, f->req_id, opts, hgw_wr_ok(&w) ? hgw_wr_len(&w) : 0);
	f->restart_count--;
	start_timer(f);
}

static void str(struct fsm *f)
{
	fsm_send(f, CP_TERM_REQ, f->next_id++, (const uint8_t *)f->why, strlen(f->why));
	f->restart_count--;
	start_timer(f);
}

static void run(struct fsm *f, int action, int from, int next)
{
	switch (action) {
	case A_TLU:
		f->p->tlu(f);
		break;
	case A_TLD:
		f->p->tld(f);
		break;
	case A_TLS:
		f->p->tls(f);
		break;
	case A_TLF:
		f->p->tlf(f);
		break;
	case A_IRC:
		/* Max-Terminate for a Terminate-Request, else Max-Configure. */
		f->restart_count = (next == FSM_CLOSING || next == FSM_STOPPING) ? f->max_terminate
										 : f->max_configure;
		/* A negotiation starting afresh (not a renegotiation from
		 * Opened, nor a retry) begins from our initial wishes. */
		if (next != FSM_CLOSING && next != FSM_STOPPING) {
			f->nak_count = 0;
			if (from == FSM_STARTING || from == FSM_CLOSED || from == FSM_STOPPED)
				f->p->reset(f);
		}
		break;
	case A_ZRC:
		f->restart_count = 0;
		start_timer(f);
		break;
	case A_SCR:
		scr(f);
		break;
	case A_SCA: /* Ack carries the request's options unchanged */
		fsm_send(f, CP_CONF_ACK, f->rx_id, f->rx_pkt + 4, f->rx_len - 4);
		break;
	case A_SCN:
		if (f->ans_code == CP_CONF_NAK)
			f->nak_count++;
		fsm_send(f, f->ans_code, f->rx_id, f->ans, f->ans_len);
		break;
	case A_STR:
		str(f);
		break;
	case A_STA:
		fsm_send(f, CP_TERM_ACK, f->rx_id, NULL, 0);
		break;
	case A_SCJ: /* the rejected packet, cut to fit a minimal MRU */
		fsm_send(f, CP_CODE_REJ, f->next_id++, f->rx_pkt,
			 f->rx_len > 1400 ? 1400 : f->rx_len);
		break;
	case A_SER:
		if (f->p->ser)
			f->p->ser(f, f->rx_id, hgw_rd_init(f->rx_pkt + 4, f->rx_len - 4));
		break;
	}
}

void fsm_event(struct fsm *f, enum fsm_event ev)
{
	enum fsm_state from = f->state;
	const struct cell *c = &table[ev][from];
	if (f->trace)
		f->trace(f->owner, f, from, ev);
	if (c->next < 0) {
		log_debug("%s: event %s ignored in state %s", f->p->name, fsm_event_name(ev),
			  fsm_state_name(from));
		return;
	}
	/* The state changes first so that callbacks (tlu, tlf) see where
	 * the automaton is going, as the RFC's "action/state" reads. */
	f->state = (enum fsm_state)c->next;
	for (int i = 0; i < 4 && i < (int)sizeof(c->act) && c->act[i]; i++)
		run(f, c->act[i], from, c->next);
	if (f->state == FSM_INITIAL || f->state == FSM_STARTING || f->state == FSM_CLOSED ||
	    f->state == FSM_STOPPED || f->state == FSM_OPENED)
		f->timer_at = INT64_MAX;
	if (from != f->state)
		log_debug("%s: %s -> %s on %s", f->p->name, fsm_state_name(from),
			  fsm_state_name(f->state), fsm_event_name(ev));
}

void fsm_up(struct fsm *f) { fsm_event(f, EV_UP); }
void fsm_down(struct fsm *f) { fsm_event(f, EV_DOWN); }
void fsm_open(struct fsm *f) { fsm_event(f, EV_OPEN); }

void fsm_close(struct fsm *f, const char *why)
{
	snprintf(f->why, sizeof(f->why), "%s", why ? why : "");
	fsm_event(f, EV_CLOSE);
}

void fsm_timer(struct fsm *f)
{
	if (f->timer_at == INT64_MAX || hgw_now_ms(f->clock) < f->timer_at)
		return;
	f->timer_at = INT64_MAX;
	fsm_event(f, f->restart_count > 0 ? EV_TO_PLUS : EV_TO_MINUS);
}

void fsm_input(struct fsm *f, const uint8_t *pkt, size_t len)
{
	struct hgw_rd r = hgw_rd_init(pkt, len);
	uint8_t code = hgw_rd_u8(&r);
	uint8_t id = hgw_rd_u8(&r);
	uint16_t plen = hgw_rd_u16(&r);
	/* RFC 1661 5: shorter than the header or than its Length: discard;
	 * octets past the Length are padding. */
	if (!hgw_rd_ok(&r) || plen < 4 || plen > len) {
		log_info("%s: dropped a malformed packet (%zu bytes)", f->p->name, len);
		return;
	}
	/* Before Up (or after Down) nothing is received (RFC 1661 4.2). */
	if (f->state == FSM_INITIAL || f->state == FSM_STARTING)
		return;
	f->rx_id = id;
	f->rx_pkt = pkt;
	f->rx_len = plen;
	struct hgw_rd opts = hgw_rd_init(pkt + 4, plen - 4u);
	int ev = -1;
	switch (code) {
	case CP_CONF_REQ: {
		struct hgw_wr w = hgw_wr_init(f->ans, sizeof(f->ans));
		int res = f->p->recv_req(f, opts, &w, f->nak_count < f->max_failure);
		if (res < 0) {
			log_info("%s: dropped a malformed Configure-Request", f->p->name);
			break;
		}
		f->ans_code = (uint8_t)res;
		f->ans_len = hgw_wr_ok(&w) ? hgw_wr_len(&w) : 0;
		ev = res == CP_CONF_ACK ? EV_RCR_PLUS : EV_RCR_MINUS;
		break;
	}
	case CP_CONF_ACK:
	case CP_CONF_NAK:
	case CP_CONF_REJ: {
		/* Answers to an older request or in states with no request
		 * outstanding are stale: silently discarded (5.2-5.4). */
		if (id != f->req_id || f->answered || (f->state != FSM_REQ_SENT && f->state != FSM_ACK_RCVD &&
					f->state != FSM_ACK_SENT && f->state != FSM_OPENED &&
					f->state != FSM_CLOSED && f->state != FSM_STOPPED))
			break;
		bool own = f->state != FSM_CLOSED && f->state != FSM_STOPPED;
		int ok = 0;
		if (own)
			ok = code == CP_CONF_ACK ? f->p->recv_ack(f, opts)
			     : code == CP_CONF_NAK ? f->p->recv_nak(f, opts)
						   : f->p->recv_rej(f, opts);
		if (ok < 0) {
			log_info("%s: dropped an invalid Configure-%s", f->p->name,
				 code == CP_CONF_ACK ? "Ack" : code == CP_CONF_NAK ? "Nak" : "Reject");
			break;
		}
		if (own)
			f->answered = true;
		ev = code == CP_CONF_ACK ? EV_RCA : EV_RCN;
		break;
	}
	case CP_TERM_REQ: {
		size_t n = plen - 4u < sizeof(f->why) - 1 ? plen - 4u : sizeof(f->why) - 1;
		for (size_t i = 0; i < n; i++)
			f->why[i] = (pkt[4 + i] < 0x20 || pkt[4 + i] >= 0x7f) ? '?' : (char)pkt[4 + i];
		f->why[n] = 0;
		ev = EV_RTR;
		break;
	}
	case CP_TERM_ACK:
		ev = EV_RTA;
		break;
	case CP_CODE_REJ: {
		/* 5.6: rejecting one of the configuration or termination
		 * codes makes the protocol unusable. */
		uint8_t rejected = hgw_rd_u8(&opts);
		ev = (hgw_rd_ok(&opts) && rejected >= CP_CONF_REQ && rejected <= CP_CODE_REJ)
			     ? EV_RXJ_MINUS
			     : EV_RXJ_PLUS;
		log_info("%s: peer rejected code %u", f->p->name, rejected);
		break;
	}
	default:
		if (code > CP_CODE_REJ && code <= f->p->max_code && f->p->recv_other)
			ev = f->p->recv_other(f, code, id, opts);
		else
			ev = EV_RUC;
	}
	if (ev >= 0)
		fsm_event(f, (enum fsm_event)ev);
	f->rx_pkt = NULL;
	f->rx_len = 0;
}
