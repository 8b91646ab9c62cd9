/* The Ethernet side: AF_PACKET sockets for PPPoE discovery and session
 * frames on one interface, and the TUN device of the userspace data plane. */
#ifndef PPPOED_LINK_H
#define PPPOED_LINK_H

#include <stdint.h>
#include <sys/types.h>

/* Opens a packet socket bound to ifname for ethertype, non-blocking,
 * ignoring our own outgoing frames.  Returns the fd or -1 (logged). */
int link_open(const char *ifname, uint16_t ethertype, int *ifindex, uint8_t mac[6]);
/* Sends one Ethernet frame: header built from dst, src, ethertype. */
int link_send(int fd, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype,
	      const uint8_t *hdr, size_t hdr_len, const uint8_t *payload, size_t len);

/* Creates (attaches) the TUN device name, IFF_TUN|IFF_NO_PI, non-blocking. */

#endif
