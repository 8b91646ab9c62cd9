/* The sockets of the bond: one raw IPPROTO_GRE socket per WAN link (bound
 * to the link's address and device, so what we send leaves through that
 * link whatever the routing table says, and only packets to that address
 * come back), and the TUN device that carries the bonded traffic.
 *
 * Control messages found on the sockets are handed to a callback (the
 * state machine); data packets go through the reorder buffer to the TUN.
 * Upstream: packets read from the TUN get one GRE header with the bond's
 * single sequence counter and go out on the tunnel(s) the scheduler picks.
 * Batched: recvmmsg/sendmmsg, up to DP_BATCH packets per system call, into
 * buffers allocated once at start. */
#ifndef HYBRIDD_DATAPLANE_H
#define HYBRIDD_DATAPLANE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "reorder.h"
#include "rfc8157_client.h"
#include "sched.h"

#define DP_BATCH 64
#define DP_BUF 2048
#define DP_GRE_HDR 12

typedef void (*dp_control_fn)(void *arg, enum hc_tun t, const struct in6_addr *src,
			      const uint8_t *buf, size_t len);

struct dp_link {
	int fd;                 /* -1 = closed */
	struct in6_addr local;
	char ifname[16];
	bool up;                /* the tunnel is up: data may use it */
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes, tx_errors;
};

struct dp {
	uint16_t ctrl_proto;
	int tun_fd;
	char tun_name[16];
	struct dp_link l[HC_NTUN];
	bool have_session;
	uint32_t key;
	struct in6_addr haap;
	uint32_t seq;           /* the bond's one upstream counter */
	struct rb rb;
	struct sched sched;
	dp_control_fn control;
	void *control_arg;
	/* batch buffers, allocated once */
	uint8_t (*rxbuf)[DP_BUF];
	uint8_t (*txbuf)[DP_BUF];
	uint8_t (*txhdr)[HC_NTUN][DP_GRE_HDR];
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_in6 *names;
	/* counters */
	uint64_t tun_rx, tun_tx, no_tunnel, wrong_key, unsequenced, short_pkts, tun_errors;
	uint64_t batches_rx, batches_tx;
	bool traffic; /* user data seen since the last check */
};

int dp_init(struct dp *d, uint16_t ctrl_proto, unsigned reorder_slots, uint32_t reorder_ms,
	    dp_control_fn control, void *arg);
void dp_free(struct dp *d);
/* Creates (attaches) the TUN device; returns its fd or -1. */
int dp_open_tun(struct dp *d, const char *name);
/* (Re)opens link t's socket on local/ifname, or closes it (local NULL). */
int dp_link_set(struct dp *d, enum hc_tun t, const struct in6_addr *local, const char *ifname);
/* The session's key and HAAP; refreshes the socket filters. */
void dp_session(struct dp *d, bool have, uint32_t key, const struct in6_addr *haap);
/* Sends one control message on link t. */
int dp_send_control(struct dp *d, enum hc_tun t, const struct in6_addr *dst, const uint8_t *buf,
		    size_t len);
/* Event handlers: a link socket or the TUN is readable. */
void dp_rx(struct dp *d, enum hc_tun t, int64_t now_ms);
void dp_tun_rx(struct dp *d, int64_t now_ns);
/* Reorder timeout; returns the next deadline (ms) or INT64_MAX. */
int64_t dp_tick(struct dp *d, int64_t now_ms);

#endif
