/* Finds the GRE packet in a captured frame (for --decode and the tests that
 * replay real captures): Ethernet, Linux cooked (v1 and v2) and raw-IP link
 * types, IPv6 (with extension headers) or IPv4 outer headers. */
#ifndef HYBRIDD_FRAME_H
#define HYBRIDD_FRAME_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct gre_frame {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in6_addr v6;
		struct in_addr v4;
	} src, dst;
	const uint8_t *gre;
	size_t len;
};

/* dlt: the pcap link type.  Returns 0 if the frame holds GRE, -1 if not. */
int frame_gre(int dlt, const uint8_t *p, size_t len, struct gre_frame *f);

#endif
