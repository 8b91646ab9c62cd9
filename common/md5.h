/* MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), for the protocols that mandate
 * them: CHAP-MD5 (RFC 1994) in pppoed and the DHCPv6 Reconfigure Key
 * Authentication Protocol (RFC 8415 section 20.4) in dhcp6c.  Small and
 * written from the RFC, so no crypto library for a few hashes per login.
 * Not for anything that needs collision resistance. */
#ifndef HGW_MD5_H
#define HGW_MD5_H

#include <stddef.h>
#include <stdint.h>

struct hgw_md5 {
	uint32_t h[4];
	uint64_t len;
	uint8_t buf[64];
};

void hgw_md5_init(struct hgw_md5 *m);
void hgw_md5_update(struct hgw_md5 *m, const void *p, size_t n);
void hgw_md5_final(struct hgw_md5 *m, uint8_t out[16]);
/* One buffer at once. */
void hgw_md5(const void *data, size_t len, uint8_t out[16]);
void hgw_hmac_md5(const uint8_t *key, size_t klen, const void *data, size_t len, uint8_t out[16]);

#endif
