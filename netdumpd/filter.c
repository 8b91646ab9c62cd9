/* The control-traffic filter; see filter.h.
 *
 * Offsets used below:
 *  - PPPoE session (EtherType 0x8864): 14 Ethernet + 6 PPPoE header, so the
 *    PPP protocol is ether[20:2] and an IPv6 header starts at ether[22]
 *    (next header ether[28], ICMPv6 type ether[62], UDP dst port ether[64:2]).
 *    PPPoE never negotiates protocol-field compression (RFC 2516 §7).
 *  - GRE (RFC 2784/2890): 4 bytes, plus 4 for each of the C, K and S flags
 *    (0x80, 0x20, 0x10 of the first byte).  RFC 8157 control messages use
 *    protocol type 0xB7EA in the RFC and 0x0101 in Telekom's network; the
 *    tunnel's DHCP rides in GRE data packets (0x0800 / 0x86DD), so it is
 *    found by looking through the GRE header at the inner UDP port.
 *    The inner IPv4 header is taken to be 20 bytes (DHCP packets carry no
 *    IP options): reading the inner IHL too needs a load through a
 *    computed offset through another, which libpcap's optimiser turns
 *    into a program the kernel's classic-BPF checker refuses.
 *  - IPv6 offsets assume no extension header before ICMPv6/GRE/UDP: that is
 *    how RS/RA/NS/NA, DHCPv6 and the bonding tunnel are sent.
 * ICMP echo is left out on purpose: a ping flood is data. */
#include "filter.h"

#include <stdio.h>
#include <string.h>

/* GRE header length at byte offset B of the given protocol's header. */
#define GREH(P, B) "(4 + ((" P "[" B "] & 0x80) >> 5) + ((" P "[" B "] & 0x20) >> 3) + ((" P \
	"[" B "] & 0x10) >> 2))"
#define V4H "((ip[0] & 0xf) * 4)"
/* inner packet start, relative to the outer IP header */
#define IN6 "(40 + " GREH("ip6", "40") ")"
#define IN4 "(" V4H " + " GREH("ip", V4H) ")"

const struct filter_clause filter_clauses[] = {
	{ "arp", "arp", false, "ARP" },
	{ "dhcp4", "udp dst port 67 or udp dst port 68", false, "DHCPv4 (and BOOTP relays)" },
	{ "dhcp6", "udp dst port 546 or udp dst port 547", false, "DHCPv6" },
	{ "icmp", "icmp and icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply", false,
	  "ICMPv4 except echo (errors, redirects, router discovery)" },
	{ "icmp6", "icmp6 and (icmp6[0] < 128 or (icmp6[0] >= 133 and icmp6[0] <= 137))", false,
	  "ICMPv6 errors, RS, RA, NS, NA, redirect" },
	{ "pppoe-discovery", "ether proto 0x8863", true, "PPPoE discovery (PADI/PADO/PADR/PADS/PADT)" },
	{ "ppp-control",
	  "ether proto 0x8864 and (ether[20:2] = 0xc021 or ether[20:2] = 0xc023 or "
	  "ether[20:2] = 0xc223 or ether[20:2] = 0x8021 or ether[20:2] = 0x8057)",
	  true, "PPP LCP, PAP, CHAP, IPCP, IPv6CP inside PPPoE sessions (not PPP data)" },
	{ "ppp-ipv6-control",
	  "ether proto 0x8864 and ether[20:2] = 0x0057 and "
	  "((ether[28] = 58 and (ether[62] < 128 or (ether[62] >= 133 and ether[62] <= 137))) or "
	  "(ether[28] = 17 and (ether[64:2] = 546 or ether[64:2] = 547)))",
	  true, "RA/RS/NS/NA, ICMPv6 errors and DHCPv6 inside PPPoE sessions" },
	/* One clause per outer family: split into "control" and "dhcp"
	 * clauses, libpcap's optimiser merges them into a program the kernel
	 * refuses (the unit test attaches every link type's filter to a
	 * socket to catch exactly this). */
	{ "rfc8157",
	  "(ip6 proto 47 and (ip6[42:2] = 0x0101 or ip6[42:2] = 0xb7ea or "
	  "(ip6[42:2] = 0x0800 and ip6[" IN6 " + 9] = 17 and "
	  "(ip6[" IN6 " + 22:2] = 67 or ip6[" IN6 " + 22:2] = 68)) or "
	  "(ip6[42:2] = 0x86dd and ip6[" IN6 " + 6] = 17 and "
	  "(ip6[" IN6 " + 42:2] = 546 or ip6[" IN6 " + 42:2] = 547)))) or "
	  "(ip proto 47 and (ip[" V4H " + 2:2] = 0x0101 or ip[" V4H " + 2:2] = 0xb7ea or "
	  "(ip[" V4H " + 2:2] = 0x0800 and ip[" IN4 " + 9] = 17 and "
	  "(ip[" IN4 " + 22:2] = 67 or ip[" IN4 " + 22:2] = 68)) or "
	  "(ip[" V4H " + 2:2] = 0x86dd and ip[" IN4 " + 6] = 17 and "
	  "(ip[" IN4 " + 42:2] = 546 or ip[" IN4 " + 42:2] = 547))))",
	  false,
	  "RFC 8157 bonding control (GRE protocol 0x0101 or 0xB7EA) and the DHCPv4/DHCPv6 inside "
	  "the GRE tunnel, over IPv6 or IPv4; not the tunnel's data" },
	{ "sip", "udp port 5060 or tcp port 5060", false, "SIP signalling" },
	{ NULL, NULL, false, NULL },
};

int filter_compile(int dlt, int snaplen, const char *expr, struct bpf_program *prog, char *err)
{
	pcap_t *p = pcap_open_dead(dlt, snaplen);
	if (!p) {
		snprintf(err, PCAP_ERRBUF_SIZE, "link type %d not supported", dlt);
		return -1;
	}
	int rc = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0)
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
	pcap_close(p);
	return rc < 0 ? -1 : 0;
}

static bool compiles(int dlt, const char *expr)
{
	struct bpf_program prog;
	char err[PCAP_ERRBUF_SIZE];
	if (filter_compile(dlt, 65535, expr, &prog, err) < 0)
		return false;
	pcap_freecode(&prog);
	return true;
}

/* Appends "(expr)" to buf, joined with " or ". */
static int append(char *buf, size_t size, size_t *len, const char *expr)
{
	int n = snprintf(buf + *len, size - *len, "%s(%s)", *len ? " or " : "", expr);
	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

int filter_build(int dlt, const char *user, const char *extra, char *buf, size_t size)
{
	size_t len = 0;
	int used = 0;
	if (!size)
		return -1;
	buf[0] = '\0';
	if (user) {
		if (compiles(dlt, user)) {
			if (append(buf, size, &len, user) < 0)
				return -1;
			used++;
		}
	} else {
		for (const struct filter_clause *c = filter_clauses; c->name; c++) {
			if (c->ethernet && dlt != DLT_EN10MB)
				continue;
			if (!compiles(dlt, c->expr))
				continue;
			if (append(buf, size, &len, c->expr) < 0)
				return -1;
			used++;
		}
	}
	if (extra && compiles(dlt, extra)) {
		if (append(buf, size, &len, extra) < 0)
			return -1;
		used++;
	}
	return used;
}

bool filter_match(const struct bpf_program *prog, const unsigned char *pkt, unsigned caplen,
		  unsigned origlen)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = origlen };
	return pcap_offline_filter(prog, &h, pkt) != 0;
}
