/* DHCP Unique Identifiers (RFC 8415 section 11) and the IAID.
 *
 * A DUID names the device, not the interface, and must not change: it is
 * made once and kept in the data dir (dhcp6c.duid, hex).  dhcp4c uses the
 * same DUID in its client identifier when asked to (RFC 4361). */
#ifndef HGW_DUID_H
#define HGW_DUID_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "rfc8415_msg.h"

/* DUID_ANY: for duid_load_or_create, whatever kind is saved. */
enum duid_type { DUID_ANY = 0, DUID_LLT = 1, DUID_EN = 2, DUID_LL = 3, DUID_UUID = 4 };

/* Parses "llt", "ll", "en", "uuid"; 0 if unknown. */
int duid_type_parse(const char *s);

/* Builds a DUID.  hw/hwlen: the link-layer address (LLT/LL) with its ARP
 * hardware type (1 = Ethernet); when hwlen is 0 a random locally
 * administered Ethernet address stands in (a TUN or PPP link has none).
 * time_wall: Unix seconds for LLT.  enterprise: for EN; its identifier is
 * 8 random bytes.  UUID: random version 4 (RFC 6355). */
void duid_make(struct d6_duid *d, int type, uint16_t hwtype, const uint8_t *hw, size_t hwlen,
	       int64_t time_wall, uint32_t enterprise, const struct hgw_rng *rng);

/* Loads dir/dhcp6c.duid if present and of the wanted type (DUID_ANY: any),
 * else makes one (DUID_ANY: an LLT) and saves it.  Safe when two daemons
 * call it at once on a fresh dir: both end up with the same DUID.
 * Returns 0 or -1 (logged). */
int duid_load_or_create(const char *dir, int type, uint16_t hwtype, const uint8_t *hw,
			size_t hwlen, uint32_t enterprise, struct d6_duid *out);

/* Stable IAID for an interface: FNV-1a of its name (same name, same IAID,
 * across restarts and reboots, no state needed). */
uint32_t iaid_for(const char *ifname);

/* Hex helpers shared with the lease files and state files. */
void hex_encode(const uint8_t *p, size_t n, char *out); /* out: 2n+1 */
/* Returns the number of bytes, or -1 on a bad string or overflow. */
long hex_decode(const char *s, uint8_t *out, size_t cap);

#endif
