/* The DHCPv6 client socket: UDP, port 546, bound to the interface's
 * link-local address and to the device (SO_BINDTODEVICE), sending to
 * All_DHCP_Relay_Agents_and_Servers (ff02::1:2) port 547 on that link.
 * Nothing here needs a MAC address, so it works the same on Ethernet, PPP,
 * TUN and ip6gre devices: the kernel does the link framing. */
#ifndef HGW_SOCK6_H
#define HGW_SOCK6_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Returns the socket or -1 (logged; EADDRNOTAVAIL while the link-local
 * address is still tentative is logged at debug level). */
int sock6_open(const char *ifname, int ifindex, const struct in6_addr *ll);
int sock6_send(int fd, int ifindex, const uint8_t *p, size_t len);

#endif
