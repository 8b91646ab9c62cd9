/* Interface facts and change notification; see iface.h. */
#include "iface.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

void iface_get(const char *ifname, struct iface_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = (int)if_nametoindex(ifname);
	if (!info->index)
		return;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct ifreq ifr = { 0 };
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
			info->up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
			info->arptype = ifr.ifr_hwaddr.sa_family;
		close(fd);
	}
	struct ifaddrs *ifa, *i;
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, ifname) != 0)
			continue;
		int fam = i->ifa_addr->sa_family;
		if (fam == AF_PACKET) {
			struct sockaddr_ll *sll = (struct sockaddr_ll *)i->ifa_addr;
			/* A TUN reports hwlen 0, PPP/GRE report none either. */
			if (sll->sll_halen > 0 && sll->sll_halen <= sizeof(info->hw) &&
			    (info->arptype == ARPHRD_ETHER || info->arptype == ARPHRD_IEEE802)) {
				memcpy(info->hw, sll->sll_addr, sll->sll_halen);
				info->hwlen = sll->sll_halen;
			}
		} else if (fam == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)i->ifa_addr;
			/* getifaddrs does not report tentative addresses as
			 * such; with DAD they fail to bind (EADDRNOTAVAIL) and
			 * the caller retries. */
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) && !info->has_ll) {
				info->ll = s6->sin6_addr;
				info->has_ll = true;
			}
		} else if (fam == AF_INET && !info->has_v4) {
			info->v4 = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			info->has_v4 = true;
		}
	}
	freeifaddrs(ifa);
}

int iface_watch_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		log_err("netlink socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_IFADDR };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_err("netlink bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void iface_drain(int fd)
{
	char buf[8192];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}
