/* Kernel PPPoE: AF_PPPOX + /dev/ppp (Documentation/networking/ppp_generic
 * in the kernel tree).  This machine's kernel has no PPP, so this file is
 * built and exercised only in the VM harness. */
#include "kernel.h"

/* glibc's network headers first: linux/libc-compat.h then skips the
 * kernel's duplicates of them. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_pppox.h>
#include <linux/ppp-ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"

bool kppp_available(void)
{
	int s = socket(AF_PPPOX, SOCK_STREAM | SOCK_CLOEXEC, PX_PROTO_OE);
	if (s < 0)
		return false;
	close(s);
	return access("/dev/ppp", R_OK | W_OK) == 0;
}

void kppp_close(struct kppp *k)
{
	if (k->unit_fd >= 0)
		close(k->unit_fd);
	if (k->chan >= 0)
		close(k->chan);
	if (k->pppox >= 0)
		close(k->pppox);
	k->unit_fd = k->chan = k->pppox = -1;
	k->unit = -1;
}

int kppp_open(struct kppp *k, const char *eth, uint16_t sid, const uint8_t ac[6], int unit,
	      uint16_t mru)
{
	k->pppox = k->chan = k->unit_fd = -1;
	k->pppox = socket(AF_PPPOX, SOCK_STREAM | SOCK_CLOEXEC, PX_PROTO_OE);
	if (k->pppox < 0) {
		log_err("pppoe: AF_PPPOX socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_pppox sp;
	memset(&sp, 0, sizeof(sp));
	sp.sa_family = AF_PPPOX;
	sp.sa_protocol = PX_PROTO_OE;
	sp.sa_addr.pppoe.sid = htons(sid);
	memcpy(sp.sa_addr.pppoe.remote, ac, ETH_ALEN);
	snprintf(sp.sa_addr.pppoe.dev, sizeof(sp.sa_addr.pppoe.dev), "%s", eth);
	int chindex;
	if (connect(k->pppox, (struct sockaddr *)&sp, sizeof(sp)) < 0 ||
	    ioctl(k->pppox, PPPIOCGCHAN, &chindex) < 0) {
		log_err("pppoe: connecting the PPPoE socket: %s", strerror(errno));
		goto fail;
	}
	k->chan = open("/dev/ppp", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (k->chan < 0 || ioctl(k->chan, PPPIOCATTCHAN, &chindex) < 0) {
		log_err("pppoe: attaching the PPP channel: %s", strerror(errno));
		goto fail;
	}
	k->unit_fd = open("/dev/ppp", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	k->unit = unit;
	if (k->unit_fd < 0 || ioctl(k->unit_fd, PPPIOCNEWUNIT, &k->unit) < 0) {
		/* The unit number may be taken: let the kernel choose. */
		k->unit = -1;
		if (k->unit_fd < 0 || ioctl(k->unit_fd, PPPIOCNEWUNIT, &k->unit) < 0) {
			log_err("pppoe: creating a PPP unit: %s", strerror(errno));
			goto fail;
		}
	}
	if (ioctl(k->chan, PPPIOCCONNECT, &k->unit) < 0) {
		log_err("pppoe: connecting channel to unit: %s", strerror(errno));
		goto fail;
	}
	snprintf(k->ifname, sizeof(k->ifname), "ppp%d", k->unit);
	kppp_set_mtu_mru(k, mru);
	log_notice("pppoe: kernel session on %s (channel %d)", k->ifname, chindex);
	return 0;
fail:
	kppp_close(k);
	return -1;
}

void kppp_set_mtu_mru(struct kppp *k, uint16_t mru)
{
	int v = mru;
	if (k->unit_fd >= 0)
		ioctl(k->unit_fd, PPPIOCSMRU, &v);
}

int kppp_send(struct kppp *k, const uint8_t *frame, size_t len)
{
	if (len < 2)
		return -1;
	uint16_t proto = (uint16_t)(frame[0] << 8 | frame[1]);
	/* Link-level protocols (>= 0xc000: LCP, PAP, CHAP) go through the
	 * channel, network control protocols through the unit (as pppd). */
	int fd = proto >= 0xc000 ? k->chan : k->unit_fd;
	if (fd < 0)
		return -1;
	if (write(fd, frame, len) < 0) {
		log_info("pppoe: write to /dev/ppp: %s", strerror(errno));
		return -1;
	}
	return 0;
}
