/* A minimal DNS client codec (RFC 1035, RFC 3596) for one job: the HAAP
 * name's AAAA record, asked of the ISP's DNS servers over the LTE link
 * (Telekom's haap.t-online.de resolves to the nearest HAAP cluster only
 * through its own resolvers).  I/O-free. */
#ifndef HYBRIDD_DNS_AAAA_H
#define HYBRIDD_DNS_AAAA_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Builds a recursive AAAA query; returns its length or 0 (bad name). */
size_t dns_aaaa_query(uint8_t *buf, size_t cap, uint16_t id, const char *name);
/* Parses an answer to that query: 1 with the first AAAA in *out, 0 when
 * the answer has none (NXDOMAIN, no data), -1 when it is not an answer to
 * our query or malformed. */
int dns_aaaa_answer(const uint8_t *buf, size_t len, uint16_t id, const char *name,
		    struct in6_addr *out);

#endif
