/* MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), only for the DHCPv6 Reconfigure
 * Key Authentication Protocol (RFC 8415 section 20.4), which mandates
 * HMAC-MD5.  Not for anything that needs collision resistance. */
#ifndef HGW_MD5_H
#define HGW_MD5_H

#include <stddef.h>
#include <stdint.h>

void md5(const void *data, size_t len, uint8_t out[16]);
void hmac_md5(const uint8_t *key, size_t klen, const void *data, size_t len, uint8_t out[16]);

#endif
