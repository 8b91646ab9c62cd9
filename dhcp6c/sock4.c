/* DHCPv4 sockets; see sock4.h. */
#include "sock4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "rfc2131_msg.h"

/* Accept IPv4 UDP to port 68, unfragmented (cooked packets start at the
 * IP header).  Everything else never wakes us. */
static struct sock_filter bpf[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),               /* protocol */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),               /* flags/fragment */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),              /* X = IHL*4 */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),               /* UDP dst port */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int sock4_open(struct sock4 *s, const char *ifname, int ifindex, bool ether)
{
	memset(s, 0, sizeof(*s));
	s->udp = -1;
	s->arp = -1;
	s->ifindex = ifindex;
	s->ether = ether;
	s->pkt = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (s->pkt < 0) {
		log_err("dhcp4 packet socket: %s", strerror(errno));
		return -1;
	}
	struct sock_fprog prog = { sizeof(bpf) / sizeof(bpf[0]), bpf };
	int one = 1;
	if (setsockopt(s->pkt, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(s->pkt, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0) {
		log_err("dhcp4 packet socket options: %s", strerror(errno));
		goto fail;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				   .sll_ifindex = ifindex };
	if (bind(s->pkt, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		log_err("dhcp4 bind packet socket to %s: %s", ifname, strerror(errno));
		goto fail;
	}
	s->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->udp >= 0) {
		setsockopt(s->udp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(68) };
		if (setsockopt(s->udp, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			       (socklen_t)strlen(ifname)) < 0 ||
		    bind(s->udp, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			/* Not fatal: unicast falls back to the packet socket. */
			log_info("dhcp4 UDP socket on %s: %s", ifname, strerror(errno));
			close(s->udp);
			s->udp = -1;
		}
	}
	if (ether) {
		s->arp = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
		struct sockaddr_ll al = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
					  .sll_ifindex = ifindex };
		if (s->arp >= 0 && bind(s->arp, (struct sockaddr *)&al, sizeof(al)) < 0) {
			close(s->arp);
			s->arp = -1;
		}
		if (s->arp < 0)
			log_info("dhcp4: no ARP socket on %s (%s): no conflict check", ifname,
				 strerror(errno));
	}
	return 0;
fail:
	close(s->pkt);
	s->pkt = -1;
	return -1;
}

void sock4_close(struct sock4 *s)
{
	if (s->pkt >= 0)
		close(s->pkt);
	if (s->udp >= 0)
		close(s->udp);
	if (s->arp >= 0)
		close(s->arp);
	s->pkt = s->udp = s->arp = -1;
}

int sock4_send(struct sock4 *s, const uint8_t *payload, size_t len, struct in_addr src,
	       struct in_addr dst, bool unicast, bool src_local)
{
	/* Only when the address is on the interface: otherwise the kernel
	 * would send from 0.0.0.0 (SO_BINDTODEVICE makes any destination
	 * look on-link). */
	if (unicast && s->ether && s->udp >= 0 && src_local) {
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(67), .sin_addr = dst };
		if (sendto(s->udp, payload, len, 0, (struct sockaddr *)&to, sizeof(to)) >= 0)
			return 0;
		log_info("dhcp4 unicast to the server failed (%s); using the packet socket",
			 strerror(errno));
	}
	uint8_t frame[1600];
	size_t n = d4_frame(frame, sizeof(frame), src, dst, 68, 67, payload, len, s->ip_id++);
	if (!n)
		return -1;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = s->ifindex };
	if (s->ether) {
		/* Broadcast frame.  A unicast that could not use the UDP
		 * socket (the lease is not applied yet, so no ARP from us)
		 * also goes to the broadcast MAC: the server accepts its own
		 * IP in a broadcast frame, every other host drops it. */
		to.sll_halen = 6;
		memset(to.sll_addr, 0xff, 6);
	}
	if (sendto(s->pkt, frame, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		log_warn("dhcp4 send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

long sock4_recv(struct sock4 *s, uint8_t *buf, size_t cap, const uint8_t **payload)
{
	struct sockaddr_ll from;
	char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(s->pkt, &mh, MSG_DONTWAIT);
	if (n < 0)
		return -1;
	if (from.sll_pkttype == PACKET_OUTGOING)
		return 0; /* our own transmissions */
	if (mh.msg_flags & MSG_TRUNC)
		return 0;
	bool csum_ok_to_check = true;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			/* Checksum offload from a local peer (veth): the
			 * UDP checksum is not filled in yet. */
			if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
				csum_ok_to_check = false;
		}
	}
	const char *why;
	long l = d4_unframe(buf, (size_t)n, 68, csum_ok_to_check, payload, NULL, &why);
	if (l < 0) {
		log_debug("dhcp4: dropped a packet: %s", why);
		return 0;
	}
	return l;
}

void sock4_drain_udp(struct sock4 *s)
{
	char buf[2048];
	while (s->udp >= 0 && recv(s->udp, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/* ARP for IPv4 over Ethernet (RFC 826): 28 bytes after the link header. */
int sock4_arp_probe(struct sock4 *s, const uint8_t mac[6], struct in_addr addr)
{
	if (s->arp < 0)
		return -1;
	uint8_t p[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	memcpy(p + 8, mac, 6);   /* sender MAC; sender IP 0.0.0.0 (a probe) */
	memcpy(p + 24, &addr, 4); /* target IP; target MAC zero */
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				  .sll_ifindex = s->ifindex, .sll_halen = 6 };
	memset(to.sll_addr, 0xff, 6);
	if (sendto(s->arp, p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		log_warn("dhcp4 ARP probe: %s", strerror(errno));
		return -1;
	}
	return 0;
}

bool sock4_arp_conflict(struct sock4 *s, const uint8_t mac[6], struct in_addr addr)
{
	bool conflict = false;
	uint8_t p[64];
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t n;
	while (s->arp >= 0 &&
	       (n = recvfrom(s->arp, p, sizeof(p), MSG_DONTWAIT, (struct sockaddr *)&from, &fl)) >= 0) {
		fl = sizeof(from);
		if (n < 28 || from.sll_pkttype == PACKET_OUTGOING || p[0] != 0 || p[1] != 1 ||
		    p[2] != 8 || p[3] != 0 || p[4] != 6 || p[5] != 4)
			continue;
		if (memcmp(p + 8, mac, 6) == 0)
			continue; /* ours */
		struct in_addr spa, tpa;
		memcpy(&spa, p + 14, 4);
		memcpy(&tpa, p + 24, 4);
		/* RFC 5227 2.1.1: someone using it, or probing for it too. */
		if (spa.s_addr == addr.s_addr || (spa.s_addr == 0 && tpa.s_addr == addr.s_addr))
			conflict = true;
	}
	return conflict;
}
