/* What the clients need to know about their interface, and a netlink
 * socket that says "something about links or addresses changed" so they
 * can follow it (the tunnel, a PPP unit or an LTE device come and go). */
#ifndef HGW_IFACE_H
#define HGW_IFACE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct iface_info {
	int index;           /* 0 = does not exist */
	bool up;             /* IFF_UP and IFF_RUNNING (carrier) */
	uint16_t arptype;    /* ARPHRD_* */
	uint8_t hw[32];
	int hwlen;           /* 0 on TUN, PPP, GRE: no MAC */
	bool has_ll;
	struct in6_addr ll;  /* a non-tentative link-local address */
	bool has_v4;
	struct in_addr v4;   /* first IPv4 address on it */
};

/* Fills info for ifname (index 0 if it does not exist). */
void iface_get(const char *ifname, struct iface_info *info);
/* IPv6 addresses on ifindex whose duplicate address detection failed
 * (IFA_F_DADFAILED); returns how many were put in out (up to max). */
int iface_dadfailed6(int ifindex, struct in6_addr *out, int max);
/* A non-blocking rtnetlink socket subscribed to link and address events,
 * or -1.  The caller only drains it (iface_drain) and re-reads iface_get. */
int iface_watch_open(void);
void iface_drain(int fd);

#endif
