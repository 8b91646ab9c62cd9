/* DHCPv4 client sockets.
 *
 * Why a packet socket, also on a TUN: before it is bound the client has
 * no address, and servers answer unicast to the address they offer
 * (Telekom's in-tunnel server does, with the broadcast flag clear; see
 * the Speedport capture).  The kernel drops such packets before any UDP
 * or raw IP socket sees them, because the address is not local yet.  An
 * AF_PACKET socket sees every packet on the device.  We use it in cooked
 * mode (SOCK_DGRAM), which hands us the IP packet on every link type: on
 * Ethernet the kernel adds the link header to the address we give
 * (ff:ff:ff:ff:ff:ff), on TUN, PPP and GRE there is none.  We build and
 * check the IPv4 and UDP headers ourselves (rfc2131_msg.c).
 *
 * Unicast from a bound client (Renew, Release) goes through an ordinary
 * UDP socket on Ethernet, where the kernel resolves the server's MAC;
 * on links without a MAC the packet socket sends it too, which also works
 * before anyone (netlinkd) has put the address on the interface. */
#ifndef HGW_SOCK4_H
#define HGW_SOCK4_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sock4 {
	int pkt;          /* AF_PACKET, SOCK_DGRAM, ETH_P_IP, filtered to UDP port 68 */
	int udp;          /* AF_INET UDP :68 bound to the device, for unicast on Ethernet */
	int arp;          /* AF_PACKET ETH_P_ARP, Ethernet only: the conflict check */
	int ifindex;
	bool ether;       /* the link has Ethernet framing */
	uint16_t ip_id;
};

int sock4_open(struct sock4 *s, const char *ifname, int ifindex, bool ether);
void sock4_close(struct sock4 *s);
/* Sends a DHCP payload; unicast selects the UDP socket on Ethernet when
 * src_local says src is configured on the interface. */
int sock4_send(struct sock4 *s, const uint8_t *payload, size_t len, struct in_addr src,
	       struct in_addr dst, bool unicast, bool src_local);
/* Receives one DHCP payload from the packet socket into buf; returns its
 * length, 0 for a packet to ignore, -1 when there is nothing more. */
long sock4_recv(struct sock4 *s, uint8_t *buf, size_t cap, const uint8_t **payload);
/* ARP (RFC 5227 probe: sender IP 0.0.0.0) for addr from mac. */
int sock4_arp_probe(struct sock4 *s, const uint8_t mac[6], struct in_addr addr);
/* Reads pending ARP packets; returns true if another host (not mac)
 * claims addr (as sender, or probing for it). */
bool sock4_arp_conflict(struct sock4 *s, const uint8_t mac[6], struct in_addr addr);
/* The UDP socket also gets copies of unicast replies: throw them away
 * (the packet socket saw them). */
void sock4_drain_udp(struct sock4 *s);

#endif
