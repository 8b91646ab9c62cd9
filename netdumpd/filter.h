/* Which packets are control traffic: the built-in capture filter as a table
 * of BPF clauses, one per protocol, assembled per link type.
 *
 * The expression is compiled by libpcap into the kernel socket filter, so a
 * data flood never reaches userspace.  A clause that makes no sense on a
 * link type (ARP on a TUN device, raw Ethernet offsets on a Linux cooked
 * capture) is left out of that link type's expression rather than making
 * the whole filter fail.  No I/O, no globals. */
#ifndef NETDUMPD_FILTER_H
#define NETDUMPD_FILTER_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>

struct filter_clause {
	const char *name; /* short protocol name, for the docs and logs */
	const char *expr; /* BPF (pcap-filter(7)) expression */
	bool ethernet;    /* uses Ethernet byte offsets: DLT_EN10MB only */
	const char *doc;
};

/* The built-in clauses, ended by { NULL }. */
extern const struct filter_clause filter_clauses[];

/* Builds the expression for a link type into buf: the built-in clauses
 * that compile for dlt (or user if non-NULL, replacing them), plus extra
 * OR-ed on if non-NULL.  Returns the number of clauses used (0 = nothing
 * to capture on this link type), -1 if buf is too small. */
int filter_build(int dlt, const char *user, const char *extra, char *buf, size_t size);

/* Compiles expr for dlt and snaplen (no capture handle needed).  Returns 0,
 * or -1 with libpcap's message in err (PCAP_ERRBUF_SIZE). */
int filter_compile(int dlt, int snaplen, const char *expr, struct bpf_program *prog, char *err);

/* Does the compiled program accept this packet? */
bool filter_match(const struct bpf_program *prog, const unsigned char *pkt, unsigned caplen,
		  unsigned origlen);

#endif
