#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"

int hgw_tun_open(const char *name, char actual[IFNAMSIZ])
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_err("TUN %s: open /dev/net/tun: %s", name, strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		log_err("TUN %s: TUNSETIFF: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (actual)
		snprintf(actual, IFNAMSIZ, "%s", ifr.ifr_name);
	return fd;
}
