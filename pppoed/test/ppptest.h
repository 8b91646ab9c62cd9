/* Helpers for pppoed's unit tests: a fake clock and rng, a recorder for the
 * packets an automaton sends, and byte builders for the peer's packets. */
#ifndef PPPOED_PPPTEST_H
#define PPPOED_PPPTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"

#define PT_MAX 64
struct pt_sent {
	uint16_t proto;
	uint8_t pkt[1500];
	size_t len;
};

struct pt {
	struct hgw_fake_clock clock;
	struct hgw_fake_rng rng;
	struct pt_sent sent[PT_MAX];
	int n;
	int tlu, tld, tls, tlf;
};

void pt_init(struct pt *t);
/* fsm/auth send callback (owner = struct pt *) */
void pt_send(void *owner, uint16_t proto, const uint8_t *pkt, size_t len);
/* Builds code/id/len + data into buf; returns the length. */
size_t pt_pkt(uint8_t *buf, uint8_t code, uint8_t id, const uint8_t *data, size_t n);
/* Parses hex ("01 04 05d4") into buf; returns the length. */
size_t pt_hex(uint8_t *buf, const char *hex);
/* Silences hgw logging below errors. */
void pt_quiet(void);
/* Writes frames as a pcap (Ethernet) and runs tshark's malformed/expert
 * check on it: returns 0 clean, 1 problems (printed), -1 tshark missing. */
int pt_tshark_check(const uint8_t *const *frames, const size_t *lens, int n);

#endif
