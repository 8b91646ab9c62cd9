/* TUN devices: the userspace data planes (pppoed without kernel PPP,
 * hybridd's bond) each own one.  Opening is the one place a protocol daemon
 * creates a network device (design.md: only its own data-plane device). */
#ifndef HGW_TUN_H
#define HGW_TUN_H

#include <net/if.h>

/* Opens (creating if needed) the layer-3 TUN device name, without packet
 * information headers, non-blocking and close-on-exec.  The kernel's name
 * for it is copied to actual when not NULL.  Returns the fd or -1 (logged). */
int hgw_tun_open(const char *name, char actual[IFNAMSIZ]);

#endif
