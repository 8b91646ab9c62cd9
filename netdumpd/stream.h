/* One client's pcapng stream out of the ring.  No I/O, no globals.
 *
 * A stream is a cursor (a sequence number) into the shared ring plus the
 * pcapng interface ids it has announced: the first packet of each interface
 * is preceded by that interface's Description Block, so interfaces that
 * appear after the client connected are described when they first matter.
 * Backlog and live packets are one walk of the cursor: no gap, no
 * duplicate, and nothing before the Section Header.
 *
 * A client that reads too slowly is not waited for: the ring keeps filling
 * and its cursor may fall behind the oldest packet.  The stream then skips
 * to the oldest packet and marks the gap in-band: the next packet carries
 * an opt_comment ("netdumpd: N packets lost ...") and epb_dropcount = N, so
 * Wireshark shows where and how much is missing.  The client stays
 * connected.  Its own memory is bounded by the caller's output buffer and
 * the SSH channel window. */
#ifndef NETDUMPD_STREAM_H
#define NETDUMPD_STREAM_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "ifreg.h"
#include "ring.h"

enum stream_mode {
	STREAM_ALL,     /* backlog, then live (default) */
	STREAM_BACKLOG, /* what the ring holds at the start, then end */
	STREAM_LIVE,    /* only packets captured from now on */
};

#define STREAM_MAX_DLTS 8

struct stream {
	enum stream_mode mode;
	uint64_t cursor;   /* next sequence number to send */
	uint64_t end;      /* stop before this one (BACKLOG), else UINT64_MAX */
	bool header_sent;
	/* Per registry id: the generation announced and its pcapng id + 1 (0 = not yet). */
	uint32_t if_gen[IFREG_MAX];
	uint32_t if_id[IFREG_MAX];
	uint32_t next_if_id;
	/* Optional client filter, compiled per link type on first use. */
	char *filter;
	struct {
		int dlt;
		bool ok;
		struct bpf_program prog;
	} progs[STREAM_MAX_DLTS];
	int nprogs;
	/* counters */
	uint64_t sent, lost, gaps, filtered;
	uint64_t pending_lost; /* to be reported with the next packet */
};

/* Starts a stream at the ring's current position.  filter may be NULL;
 * when given it must compile for at least one of the DLTs in check_dlts
 * (so a typo is reported at once): returns -1 with the message in err. */
int stream_init(struct stream *s, enum stream_mode mode, const char *filter,
		const struct ring *r, const int *check_dlts, int ndlts, char *err);
void stream_free(struct stream *s);

/* Writes as much of the stream as fits in buf (whole blocks only).
 * Returns the bytes written; *done is set when a backlog stream has
 * nothing more to send. */
size_t stream_fill(struct stream *s, const struct ring *r, const struct ifreg *g, uint8_t *buf,
		   size_t cap, bool *done);

#endif
