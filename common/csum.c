/* RFC 1071 checksum.  Written byte-pair wise on purpose: it is endian-neutral
 * and the compiler vectorises the loop; the data plane only checksums headers. */
#include "csum.h"

uint32_t hgw_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;
	while (len >= 2) {
		s += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	/* Fold to 16 bits (end-around carry) so callers may keep adding small
	 * values such as the protocol and length without overflow. */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t hgw_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t hgw_csum(const void *data, size_t len)
{
	return hgw_csum_fold(hgw_csum_add(0, data, len));
}

uint32_t hgw_csum_pseudo4(const struct in_addr *src, const struct in_addr *dst, uint8_t proto,
			  uint16_t len)
{
	uint32_t s = hgw_csum_add(0, src, 4);
	s = hgw_csum_add(s, dst, 4);
	return s + proto + len;
}

uint32_t hgw_csum_pseudo6(const struct in6_addr *src, const struct in6_addr *dst,
			  uint8_t proto, uint32_t len)
{
	uint32_t s = hgw_csum_add(0, src, 16);
	s = hgw_csum_add(s, dst, 16);
	s = hgw_csum_add(s, (const uint8_t[]){ len >> 24, len >> 16, len >> 8, len }, 4);
	return s + proto;
}
