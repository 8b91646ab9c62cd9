/* DHCPv6 client socket; see sock6.h. */
#include "sock6.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

int sock6_open(const char *ifname, int ifindex, const struct in6_addr *ll)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		log_err("dhcp6 socket: %s", strerror(errno));
		return -1;
	}
	int one = 1, hops = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
	/* A server's answer must come in on this link and no other. */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0) {
		log_err("dhcp6 SO_BINDTODEVICE %s: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(546),
				   .sin6_addr = *ll, .sin6_scope_id = (uint32_t)ifindex };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, ll, a, sizeof(a));
		hgw_log(errno == EADDRNOTAVAIL ? HGW_LOG_DEBUG : HGW_LOG_ERR,
			"dhcp6 bind [%s%%%s]:546: %s", a, ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int sock6_send(int fd, int ifindex, const uint8_t *p, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(547),
				   .sin6_scope_id = (uint32_t)ifindex };
	inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
	if (sendto(fd, p, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		log_warn("dhcp6 send: %s", strerror(errno));
		return -1;
	}
	return 0;
}
