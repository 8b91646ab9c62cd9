/* Test helpers for the DHCPv6 tests: a server-message builder written
 * independently of rfc8415_msg.c's d6_build (plain byte pushes), so that
 * a misunderstanding in the codec does not cancel out in the tests. */
#ifndef HGW_TEST_UTIL6_H
#define HGW_TEST_UTIL6_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sbuf {
	uint8_t b[2048];
	size_t n;
};

static inline void s_u8(struct sbuf *s, uint8_t v) { s->b[s->n++] = v; }
static inline void s_u16(struct sbuf *s, uint16_t v) { s_u8(s, (uint8_t)(v >> 8)); s_u8(s, (uint8_t)v); }
static inline void s_u32(struct sbuf *s, uint32_t v) { s_u16(s, (uint16_t)(v >> 16)); s_u16(s, (uint16_t)v); }
static inline void s_raw(struct sbuf *s, const void *p, size_t n)
{
	if (n)
		memcpy(s->b + s->n, p, n);
	s->n += n;
}
static inline void s_hdr(struct sbuf *s, uint8_t type, uint32_t xid)
{
	s->n = 0;
	s_u8(s, type);
	s_u8(s, (uint8_t)(xid >> 16));
	s_u16(s, (uint16_t)xid);
}
static inline void s_opt(struct sbuf *s, uint16_t code, const void *p, uint16_t len)
{
	s_u16(s, code);
	s_u16(s, len);
	s_raw(s, p, len);
}
/* IA_PD with one prefix (and an optional IA status). */
static inline void s_ia_pd(struct sbuf *s, uint32_t iaid, uint32_t t1, uint32_t t2, const char *pfx,
			   uint8_t plen, uint32_t pref, uint32_t valid)
{
	s_u16(s, 25);
	s_u16(s, 12 + 29);
	s_u32(s, iaid);
	s_u32(s, t1);
	s_u32(s, t2);
	s_u16(s, 26);
	s_u16(s, 25);
	s_u32(s, pref);
	s_u32(s, valid);
	s_u8(s, plen);
	struct in6_addr a;
	inet_pton(AF_INET6, pfx, &a);
	s_raw(s, &a, 16);
}
static inline void s_ia_na(struct sbuf *s, uint32_t iaid, uint32_t t1, uint32_t t2, const char *addr,
			   uint32_t pref, uint32_t valid)
{
	s_u16(s, 3);
	s_u16(s, 12 + 28);
	s_u32(s, iaid);
	s_u32(s, t1);
	s_u32(s, t2);
	s_u16(s, 5);
	s_u16(s, 24);
	struct in6_addr a;
	inet_pton(AF_INET6, addr, &a);
	s_raw(s, &a, 16);
	s_u32(s, pref);
	s_u32(s, valid);
}
static inline void s_ia_status(struct sbuf *s, uint16_t code, uint32_t iaid, uint16_t status)
{
	s_u16(s, code);
	s_u16(s, 12 + 6);
	s_u32(s, iaid);
	s_u32(s, 0);
	s_u32(s, 0);
	s_u16(s, 13);
	s_u16(s, 2);
	s_u16(s, status);
}

#endif
