/* Bench sender: COUNT frames on IFNAME at RATE pps (0 = as fast as possible).
 * kind arp: 60-byte ARP requests (control); kind udp: 1000-byte UDP to port 9 (data). */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
	if (argc < 5) return 2;
	long count = atol(argv[2]); double rate = atof(argv[3]); int arp = strcmp(argv[4], "arp") == 0;
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_ifindex = if_nametoindex(argv[1]), .sll_halen = 6 };
	unsigned char f[1042]; memset(f, 0, sizeof f); size_t len;
	memset(f, 0xff, 6); f[6] = 2; f[11] = 9;
	if (arp) { f[12] = 8; f[13] = 6; f[15] = 1; f[16] = 8; f[18] = 6; f[19] = 4; f[21] = 1; len = 60; }
	else { f[12] = 8; f[13] = 0; f[14] = 0x45; f[16] = 0x04; f[17] = 0x04; f[22] = 64; f[23] = 17;
	       f[26] = 192; f[28] = 2; f[29] = 2; f[30] = 192; f[32] = 2; f[33] = 1; f[36] = 0x30; f[37] = 0x39; f[38] = 0; f[39] = 9; f[40] = 0x03; f[41] = 0xf0; len = 1042; }
	double t0 = now();
	for (long i = 0; i < count; i++) {
		memcpy(f + (arp ? 38 : 50), &i, sizeof i);
		if (sendto(fd, f, len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("send"); i--; usleep(100); continue; }
		if (rate > 0) { double due = t0 + (i + 1) / rate; while (now() < due) ; }
	}
	printf("%ld frames in %.3f s\n", count, now() - t0);
	return 0;
}
