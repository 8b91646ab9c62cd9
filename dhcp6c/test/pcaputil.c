/* See pcaputil.h.  Independent of the code under test on purpose: plain
 * byte offsets, no hgw_rd. */
#include "pcaputil.h"

#include <pcap/pcap.h>
#include <string.h>

static int udp(const uint8_t *p, size_t n, const uint16_t *ports, struct udp_pl *o)
{
	if (n < 8)
		return 0;
	uint16_t sp = (uint16_t)(p[0] << 8 | p[1]), dp = (uint16_t)(p[2] << 8 | p[3]);
	size_t ul = (size_t)(p[4] << 8 | p[5]);
	if (ul < 8 || ul > n)
		return 0;
	for (const uint16_t *q = ports; *q; q++) {
		if (sp == *q || dp == *q) {
			if (ul - 8 > sizeof(o->data))
				return 0;
			o->sport = sp;
			o->dport = dp;
			o->len = ul - 8;
			memcpy(o->data, p + 8, ul - 8);
			return 1;
		}
	}
	return 0;
}

static int ip(const uint8_t *p, size_t n, const uint16_t *ports, struct udp_pl *o, int depth);

static int gre(const uint8_t *p, size_t n, const uint16_t *ports, struct udp_pl *o, int depth)
{
	if (n < 4 || depth > 2)
		return 0;
	uint16_t fl = (uint16_t)(p[0] << 8 | p[1]), proto = (uint16_t)(p[2] << 8 | p[3]);
	size_t h = 4 + ((fl & 0x8000) ? 4 : 0) + ((fl & 0x2000) ? 4 : 0) + ((fl & 0x1000) ? 4 : 0);
	if (h > n || (proto != 0x0800 && proto != 0x86dd))
		return 0;
	return ip(p + h, n - h, ports, o, depth + 1);
}

static int ip(const uint8_t *p, size_t n, const uint16_t *ports, struct udp_pl *o, int depth)
{
	if (n < 20)
		return 0;
	if ((p[0] >> 4) == 4) {
		size_t ihl = (size_t)(p[0] & 15) * 4;
		if (ihl < 20 || ihl > n)
			return 0;
		if (p[9] == 17)
			return udp(p + ihl, n - ihl, ports, o);
		if (p[9] == 47)
			return gre(p + ihl, n - ihl, ports, o, depth);
		return 0;
	}
	if ((p[0] >> 4) == 6 && n >= 40) {
		if (p[6] == 17)
			return udp(p + 40, n - 40, ports, o);
		if (p[6] == 47)
			return gre(p + 40, n - 40, ports, o, depth);
	}
	return 0;
}

int pcap_udp_payloads(const char *path, const uint16_t *ports, struct udp_pl *out, int max)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc)
		return -1;
	int dlt = pcap_datalink(pc), n = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (n < max && pcap_next_ex(pc, &h, &d) == 1) {
		size_t off = 0, len = h->caplen;
		if (dlt == DLT_EN10MB) {
			off = 14;
			if (len >= 18 && d[12] == 0x81 && d[13] == 0x00)
				off = 18;
		} else if (dlt == DLT_LINUX_SLL) {
			off = 16;
		} else if (dlt != DLT_RAW) {
			continue;
		}
		if (off >= len)
			continue;
		n += ip(d + off, len - off, ports, &out[n], 0);
	}
	pcap_close(pc);
	return n;
}
