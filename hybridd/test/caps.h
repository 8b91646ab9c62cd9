/* Test helper: the control messages of the real Speedport captures. */
#ifndef HYBRIDD_TEST_CAPS_H
#define HYBRIDD_TEST_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "../frame.h"

#define CAP_LTE "hybridd/test/data/rmnet0.pcap"
#define CAP_DSL "hybridd/test/data/ppp256.pcap"

struct cap_pkt {
	unsigned frame; /* 1-based frame number as tshark shows it */
	struct gre_frame f;
	uint8_t data[2048];
	size_t len; /* frame length */
};

/* Loads every GRE frame of a capture; returns the count (<= max) or -1. */
int cap_load(const char *path, struct cap_pkt *out, int max);
/* The packet with tshark frame number n, or NULL. */
const struct cap_pkt *cap_frame(const struct cap_pkt *p, int n, unsigned frame);

#endif
