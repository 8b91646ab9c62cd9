/* MD5 (RFC 1321), only for CHAP-MD5 (RFC 1994): no new library for one
 * hash of a few dozen bytes per login. */
#ifndef PPPOED_MD5_H
#define PPPOED_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
	uint32_t h[4];
	uint64_t len;
	uint8_t buf[64];
};

void md5_init(struct md5 *m);
void md5_update(struct md5 *m, const void *p, size_t n);
void md5_final(struct md5 *m, uint8_t out[16]);

#endif
