/* Internet checksum (RFC 1071) and the UDP/ICMPv6 pseudo-headers.
 *
 * Raw-socket protocols (DHCP on a tunnel without a MAC, PPPoE in userspace,
 * the GRE data plane) build their own IP/UDP headers, so the checksum lives
 * here once.  Sums are accumulated in 32 bits and folded at the end. */
#ifndef HGW_CSUM_H
#define HGW_CSUM_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Adds data to a running sum (call repeatedly; odd lengths are only allowed
 * on the last piece, as in RFC 1071). */
uint32_t hgw_csum_add(uint32_t sum, const void *data, size_t len);
/* Folds a running sum to 16 bits and complements it (network byte order
 * value to store as is into a big-endian field via hgw_wr_u16). */
uint16_t hgw_csum_fold(uint32_t sum);
/* Checksum of one buffer. */
uint16_t hgw_csum(const void *data, size_t len);

/* Pseudo-header sums for upper-layer checksums. len is the upper-layer
 * length in host order, proto the IP protocol number. */
uint32_t hgw_csum_pseudo4(const struct in_addr *src, const struct in_addr *dst, uint8_t proto,
			  uint16_t len);
uint32_t hgw_csum_pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
			  uint8_t proto, uint32_t len);

#endif
