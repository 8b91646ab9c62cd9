/* Lease files in the data dir, shared by dhcp6c and dhcp4c.
 *
 * A lease is the server's last accepted answer kept verbatim (hex) plus
 * the Unix time it arrived: re-parsing the packet after a restart goes
 * through the same checked parser as on the wire, and every absolute time
 * follows from the arrival time.  Written atomically (hgw_state_publish). */
#ifndef HGW_LEASE_H
#define HGW_LEASE_H

#include <stddef.h>
#include <stdint.h>

/* Saves dir/name; returns 0 or -1 (logged). */
int lease_save(const char *dir, const char *name, const char *writer, const uint8_t *pkt,
	       size_t len, int64_t obtained);
/* Loads dir/name into pkt (cap bytes); returns the length, 0 if absent,
 * -1 if unusable (logged). */
long lease_load(const char *dir, const char *name, uint8_t *pkt, size_t cap, int64_t *obtained);
int lease_remove(const char *dir, const char *name);

#endif
