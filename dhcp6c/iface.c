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
#include <linux/if_addr.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/time.h>
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

int iface_dadfailed6(int ifindex, struct in6_addr *out, int max)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return 0;
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = { .nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETADDR,
			  .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		  .ifa = { .ifa_family = AF_INET6 } };
	int n = 0;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		close(fd);
		return 0;
	}
	static char buf[16384];
	for (bool done = false; !done;) {
		struct timeval tv = { 1, 0 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (h->nlmsg_type != RTM_NEWADDR ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
				continue;
			struct ifaddrmsg *ifa = NLMSG_DATA(h);
			if (ifa->ifa_family != AF_INET6 || (int)ifa->ifa_index != ifindex)
				continue;
			uint32_t flags = ifa->ifa_flags;
			struct in6_addr addr;
			bool have = false;
			int alen = (int)IFA_PAYLOAD(h);
			for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				if (a->rta_type == IFA_ADDRESS && RTA_PAYLOAD(a) == 16) {
					memcpy(&addr, RTA_DATA(a), 16);
					have = true;
				} else if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) == 4) {
					memcpy(&flags, RTA_DATA(a), 4);
				}
			}
			if (have && (flags & IFA_F_DADFAILED) && n < max)
				out[n++] = addr;
		}
	}
	close(fd);
	return n;
}
