/* The PPP option-negotiation automaton of RFC 1661 section 4, one
 * implementation shared by LCP, IPCP and IPv6CP.  States, events and actions
 * carry the RFC's names and the transition table is the RFC's table, so the
 * two can be read side by side.  What differs per protocol (which options we
 * request, which we accept, extra codes such as Echo-Request) comes in
 * through struct fsm_proto.  No I/O: packets leave through a send callback,
 * time comes from the caller's clock. */
#ifndef PPPOED_RFC1661_H
#define PPPOED_RFC1661_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "pkt.h"

enum fsm_state {
	FSM_INITIAL, FSM_STARTING, FSM_CLOSED, FSM_STOPPED, FSM_CLOSING,
	FSM_STOPPING, FSM_REQ_SENT, FSM_ACK_RCVD, FSM_ACK_SENT, FSM_OPENED,
	FSM_N_STATES
};

enum fsm_event {
	EV_UP, EV_DOWN, EV_OPEN, EV_CLOSE, EV_TO_PLUS, EV_TO_MINUS,
	EV_RCR_PLUS, EV_RCR_MINUS, EV_RCA, EV_RCN, EV_RTR, EV_RTA, EV_RUC,
	EV_RXJ_PLUS, EV_RXJ_MINUS, EV_RXR, FSM_N_EVENTS
};

enum ppp_code {
	CP_CONF_REQ = 1, CP_CONF_ACK, CP_CONF_NAK, CP_CONF_REJ, CP_TERM_REQ, CP_TERM_ACK,
	CP_CODE_REJ, CP_PROTO_REJ, CP_ECHO_REQ, CP_ECHO_REP, CP_DISC_REQ,
};

struct fsm;

struct fsm_proto {
	const char *name;     /* "LCP" */
	uint16_t proto;       /* 0xc021 */
	uint8_t max_code;     /* highest code the protocol knows (7 for NCPs, 11 LCP) */
	/* Resets our wishes for a new negotiation (This-Layer-Started). */
	void (*reset)(struct fsm *f);
	/* Writes our Configure-Request options. */
	void (*build_req)(struct fsm *f, struct hgw_wr *w);
	/* Judges the peer's Configure-Request options: writes the options of
	 * the answer into w and returns CP_CONF_ACK, CP_CONF_NAK or
	 * CP_CONF_REJ (the automaton copies the whole request for an Ack).
	 * may_nak is false after Max-Failure Naks: reject instead (4.6). */
	int (*recv_req)(struct fsm *f, struct hgw_rd opts, struct hgw_wr *w, bool may_nak);
	/* Peer's answers to our request: 0 = valid, -1 = bad (discarded). */
	int (*recv_ack)(struct fsm *f, struct hgw_rd opts);
	int (*recv_nak)(struct fsm *f, struct hgw_rd opts);
	int (*recv_rej)(struct fsm *f, struct hgw_rd opts);
	/* Codes beyond 7 (LCP).  Returns the event to feed: EV_RXR for
	 * Echo/Discard, EV_RXJ_PLUS / EV_RXJ_MINUS for Protocol-Reject, EV_RUC
	 * for unknown codes, or -1 when handled with no event. */
	int (*recv_other)(struct fsm *f, uint8_t code, uint8_t id, struct hgw_rd data);
	/* Send-Echo-Reply (the "ser" action, LCP only; NULL elsewhere). */
	void (*ser)(struct fsm *f, uint8_t id, struct hgw_rd data);
	/* This-Layer-Up/Down/Started/Finished. */
	void (*tlu)(struct fsm *f);
	void (*tld)(struct fsm *f);
	void (*tls)(struct fsm *f);
	void (*tlf)(struct fsm *f);
};

struct fsm {
	const struct fsm_proto *p;
	void *owner;          /* the session */
	void *proto_state;    /* the protocol's option state */
	const struct hgw_clock *clock;
	/* Sends one packet (code, id, length, data) of this protocol. */
	void (*send)(void *owner, uint16_t proto, const uint8_t *pkt, size_t len);
	/* Optional trace of every transition, for tests and debug logs. */
	void (*trace)(void *owner, const struct fsm *f, enum fsm_state from, enum fsm_event ev);

	enum fsm_state state;
	uint8_t next_id;      /* identifier for our next request */
	uint8_t req_id;       /* identifier of our outstanding Configure-Request */
	bool answered;        /* it was answered: duplicates are discarded */
	int restart_count;
	int nak_count;        /* Naks sent in this negotiation (Max-Failure) */
	int64_t timer_at;     /* INT64_MAX = restart timer not running */
	/* RFC 1661 4.6 counters and timer */
	uint32_t restart_ms;
	int max_terminate, max_configure, max_failure;
	/* the last Terminate reason and what the peer said */
	char why[128];
	/* the packet being processed */
	uint8_t rx_id;
	const uint8_t *rx_pkt;
	size_t rx_len;
	/* the answer being built for the peer's Configure-Request */
	uint8_t ans_code, ans_id;
	uint8_t ans[1500];
	size_t ans_len;
};

void fsm_init(struct fsm *f, const struct fsm_proto *p, void *owner, void *proto_state,
	      const struct hgw_clock *clock,
	      void (*send)(void *owner, uint16_t proto, const uint8_t *pkt, size_t len));

/* Administrative and lower-layer events. */
void fsm_up(struct fsm *f);
void fsm_down(struct fsm *f);
void fsm_open(struct fsm *f);
void fsm_close(struct fsm *f, const char *why);
/* A received packet of this protocol (code onward). */
void fsm_input(struct fsm *f, const uint8_t *pkt, size_t len);
/* The restart timer (TO+ / TO-) when due. */
void fsm_timer(struct fsm *f);
/* Feeds an event directly (RXJ- from a Protocol-Reject, tests). */
void fsm_event(struct fsm *f, enum fsm_event ev);
/* Sends a Code-Reject / Protocol-Reject style packet of this protocol. */
void fsm_send(struct fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len);

const char *fsm_state_name(enum fsm_state s);
const char *fsm_event_name(enum fsm_event e);

#endif
