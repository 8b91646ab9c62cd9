/* IPCP (RFC 1332) with the DNS addresses of RFC 1877, and IPv6CP
 * (RFC 5072): the network-layer option sets, plugged into the automaton. */
#ifndef PPPOED_IPCP_H
#define PPPOED_IPCP_H

#include "rfc1661.h"

enum { IPCP_ADDR = 3, IPCP_DNS1 = 129, IPCP_DNS2 = 131 };
enum { IPV6CP_IID = 1 };

struct ipcp {
	bool ask_dns;         /* policy: request DNS servers */
	uint32_t hint;        /* address to ask for first (remembered), 0 = none */
	/* our request */
	bool req_addr, req_dns[2];
	uint32_t want_addr, want_dns[2];
	/* results (host byte order), valid after This-Layer-Up */
	uint32_t addr, peer, dns[2];
};

struct ipv6cp {
	uint64_t hint;        /* identifier to ask for first (remembered), 0 = random */
	const struct hgw_rng *rng;
	bool req_iid;
	uint64_t want_iid;
	uint64_t iid, peer_iid;
};

extern const struct fsm_proto ipcp_proto, ipv6cp_proto;

#endif
