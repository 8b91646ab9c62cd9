/* Test helper: the UDP payloads of a capture, wherever they sit (Ethernet,
 * Linux cooked, raw IP, inside GRE over IPv4/IPv6), read with libpcap. */
#ifndef HGW_TEST_PCAPUTIL_H
#define HGW_TEST_PCAPUTIL_H

#include <stddef.h>
#include <stdint.h>

struct udp_pl {
	uint16_t sport, dport;
	size_t len;
	uint8_t data[1600];
};

/* Fills up to max payloads whose source or destination port is one of
 * ports (ended by 0); returns the count or -1 if the file cannot be read. */
int pcap_udp_payloads(const char *path, const uint16_t *ports, struct udp_pl *out, int max);

#endif
