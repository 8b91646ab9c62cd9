/* Test helper: loads GRE frames from a pcap with libpcap. */
#include "caps.h"

#include <pcap/pcap.h>
#include <string.h>

int cap_load(const char *path, struct cap_pkt *out, int max)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc)
		return -1;
	int dlt = pcap_datalink(pc), n = 0;
	unsigned frame = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (n < max && pcap_next_ex(pc, &h, &d) == 1) {
		frame++;
		if (h->caplen > sizeof(out[n].data))
			continue;
		memcpy(out[n].data, d, h->caplen);
		out[n].len = h->caplen;
		if (frame_gre(dlt, out[n].data, out[n].len, &out[n].f) < 0)
			continue;
		out[n].frame = frame;
		n++;
	}
	pcap_close(pc);
	return n;
}

const struct cap_pkt *cap_frame(const struct cap_pkt *p, int n, unsigned frame)
{
	for (int i = 0; i < n; i++)
		if (p[i].frame == frame)
			return &p[i];
	return NULL;
}
