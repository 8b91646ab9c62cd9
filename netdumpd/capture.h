/* Capture on every interface: one libpcap handle per interface with the
 * control filter in the kernel, packets into the ring.
 *
 * Interfaces are followed with rtnetlink link events (RTMGRP_LINK) rather
 * than by polling pcap_findalldevs(): an interface that appears (a PPP
 * unit, a TUN, a veth) is opened within milliseconds of coming up, and an
 * idle router does no work.  A slow sweep (every few seconds) re-runs the
 * same reconciliation in case an event was lost (netlink ENOBUFS). */
#ifndef NETDUMPD_CAPTURE_H
#define NETDUMPD_CAPTURE_H

#include <ev.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "ifreg.h"
#include "ring.h"

#define CAPTURE_MAX 64

struct cap {
	bool used;
	char name[16];
	int ifindex;
	pcap_t *p;
	int dlt;
	uint16_t ifid;
	struct bpf_program prog; /* the same filter, re-checked in userspace */
	bool kernel_filter;      /* attached to the socket (else userspace only) */
	ev_io io;
	uint64_t packets;
	uint64_t kdrops; /* kernel drops reported by pcap_stats */
	struct capset *set;
};

struct capset {
	struct ev_loop *loop;
	struct ring *ring;
	struct ifreg *reg;
	/* configuration */
	int snaplen;
	int buffer_bytes;
	const char *filter;       /* NULL = built-in */
	const char *extra_filter; /* NULL = none */
	json_t *include;          /* fnmatch patterns, empty = all */
	json_t *exclude;
	int ssh_port;             /* never captured: a stream must not capture itself */
	/* interfaces */
	struct cap caps[CAPTURE_MAX];
	int nl;
	ev_io nl_io;
	ev_timer settle, sweep;
	/* totals over closed captures too */
	uint64_t kdrops_closed;
	uint64_t packets;
	/* called after a batch of packets went into the ring */
	void (*on_packets)(void *arg);
	void *arg;
	/* last open failure per name, so it is logged once */
	char failed[CAPTURE_MAX][16];
};

int capture_start(struct capset *s);
void capture_stop(struct capset *s);
/* Kernel drops over all captures, open and closed. */
uint64_t capture_kdrops(struct capset *s);
/* Runs the reconciliation now (tests, after config changes). */
void capture_reconcile(struct capset *s);

#endif
