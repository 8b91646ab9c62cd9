/* The authentication phase of a client: CHAP-MD5 (RFC 1994) and PAP
 * (RFC 1334 section 2).  I/O-free; packets leave through send. */
#ifndef PPPOED_AUTH_H
#define PPPOED_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

enum auth_result { AUTH_PENDING, AUTH_OK, AUTH_FAILED };

struct auth {
	uint16_t proto;        /* PPP_PAP or PPP_CHAP, 0 = none */
	const char *user;
	const char *secret;
	const struct hgw_clock *clock;
	void *owner;
	void (*send)(void *owner, uint16_t proto, const uint8_t *pkt, size_t len);
	/* PAP retransmission (RFC 1334: the peer does not) */
	uint32_t restart_ms;
	int max_tries, tries;
	uint8_t id;
	int64_t timer_at;
	enum auth_result result;
	char message[256];     /* the AC's message, sanitised */
	uint32_t challenges;
};

void auth_start(struct auth *a, uint16_t proto);
/* A PAP or CHAP packet from the peer (code onward). */
void auth_input(struct auth *a, const uint8_t *pkt, size_t len);
void auth_timer(struct auth *a);
/* CHAP-MD5: MD5(identifier || secret || challenge), RFC 1994 4.1. */
void chap_md5(uint8_t id, const char *secret, const uint8_t *chal, size_t chal_len, uint8_t out[16]);

#endif
