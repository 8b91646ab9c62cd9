/* The kernel data plane: an AF_PPPOX socket for the session, its PPP
 * channel and a PPP unit (pppN) from /dev/ppp, as pppd's rp-pppoe plugin
 * does.  Control frames then travel through the channel (LCP, PAP, CHAP)
 * and unit (IPCP, IPv6CP) file descriptors; IP traffic stays in the kernel. */
#ifndef PPPOED_KERNEL_H
#define PPPOED_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kppp {
	int pppox, chan, unit_fd;
	int unit;
	char ifname[16];
};

/* Can this kernel do it (PPPoE socket family and /dev/ppp)? */
bool kppp_available(void);
/* Connects session sid with the AC on eth; asks for unit number unit.
 * Returns 0 or -1 (logged, everything closed). */
int kppp_open(struct kppp *k, const char *eth, uint16_t sid, const uint8_t ac[6], int unit,
	      uint16_t mru);
/* Writes a PPP frame (protocol + information) to the right descriptor. */
int kppp_send(struct kppp *k, const uint8_t *frame, size_t len);
void kppp_set_mtu_mru(struct kppp *k, uint16_t mru);
void kppp_close(struct kppp *k);

#endif
