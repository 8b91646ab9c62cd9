/* Packet sockets and the TUN device. */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "log.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

int link_open(const char *ifname, uint16_t ethertype, int *ifindex, uint8_t mac[6])
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ethertype));
	if (fd < 0) {
		log_err("pppoe: packet socket: %s", strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		log_err("pppoe: interface %s: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		log_err("pppoe: %s: no hardware address: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ethertype),
		.sll_ifindex = *ifindex,
	};
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		log_err("pppoe: bind to %s: %s", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	int one = 1;
	/* Our own frames would otherwise come back to us (kernel >= 4.20;
	 * the receive path also drops frames from our own MAC). */
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* Room for bursts: the FORCE variants pass net.core.rmem_max (we
	 * hold CAP_NET_ADMIN); the plain ones are the fallback. */
	int buf = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return fd;
}

int link_send(int fd, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype,
	      const uint8_t *hdr, size_t hdr_len, const uint8_t *payload, size_t len)
{
	uint8_t eth[14];
	memcpy(eth, dst, 6);
	memcpy(eth + 6, src, 6);
	eth[12] = (uint8_t)(ethertype >> 8);
	eth[13] = (uint8_t)ethertype;
	struct iovec iov[3] = {
		{ eth, 14 },
		{ (void *)hdr, hdr_len },
		{ (void *)payload, len },
	};
	ssize_t n = writev(fd, iov, 3);
	if (n < 0) {
		log_info("pppoe: send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

