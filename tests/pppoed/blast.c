/* Benchmark helper: sends one raw Ethernet frame (hex argument) count
 * times as fast as possible with sendmmsg, from inside a namespace.
 *   blast IFACE COUNT HEXFRAME
 * Independent of pppoed's code: it only repeats bytes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	unsigned char f[2048];
	size_t n = strlen(argv[3]) / 2;
	for (size_t i = 0; i < n && i < sizeof(f); i++)
		sscanf(argv[3] + 2 * i, "%2hhx", &f[i]);
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(argv[1]) };
	if (s < 0 || bind(s, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("socket");
		return 1;
	}
	long count = atol(argv[2]), sent = 0;
	struct mmsghdr m[64];
	struct iovec iov = { f, n };
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 64; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (sent < count) {
		int k = sendmmsg(s, m, (unsigned)(count - sent < 64 ? count - sent : 64), 0);
		if (k > 0)
			sent += k;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld %.6f\n", sent, (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
