/* The capture ring: the recent control packets of every interface, bounded by
 * packet count and by bytes, oldest dropped first.
 *
 * All memory (the index and the byte arena) is allocated and touched once in
 * ring_init, so the daemon's footprint is fixed after start-up however busy
 * the wire gets.  Packets get consecutive sequence numbers; a reader (an SSH
 * client) is nothing but a sequence number into the ring, so backlog and live
 * are the same walk and can have neither a gap nor a duplicate, and a reader
 * that falls behind the oldest packet knows exactly how many it lost.
 * No I/O, no globals. */
#ifndef NETDUMPD_RING_H
#define NETDUMPD_RING_H

#include <stddef.h>
#include <stdint.h>

/* Packet flags (pcapng epb_flags direction bits). */
#define RING_F_INBOUND 0x1u
#define RING_F_OUTBOUND 0x2u

struct ring_pkt {
	uint64_t ts_ns;   /* Unix time in nanoseconds */
	uint32_t off;     /* in the arena */
	uint32_t caplen;  /* bytes stored */
	uint32_t origlen; /* bytes on the wire */
	uint16_t ifid;    /* interface registry id (ifreg.h) */
	uint16_t flags;
};

struct ring {
	struct ring_pkt *idx;
	uint32_t max_pkts;
	uint8_t *data;
	uint32_t max_bytes;
	uint64_t first_seq; /* oldest packet held */
	uint64_t next_seq;  /* sequence number the next packet gets */
	uint32_t wpos;      /* where the next packet's bytes go */
	uint64_t bytes;     /* payload bytes held (caplen sum) */
	uint64_t dropped;   /* packets pushed out to make room */
	uint64_t rejected;  /* packets refused (larger than the arena) */
	/* Told of every packet leaving the ring (interface reference counts). */
	void (*on_evict)(void *arg, const struct ring_pkt *p);
	void *evict_arg;
};

/* Arena granularity: every packet occupies a multiple of this. */
#define RING_ALIGN 8u

/* Allocates and touches all memory.  max_bytes is rounded down to
 * RING_ALIGN.  Returns 0 or -1 (out of memory or absurd sizes). */
int ring_init(struct ring *r, uint32_t max_pkts, uint32_t max_bytes);
void ring_free(struct ring *r);

/* Appends a packet, dropping the oldest ones as needed.  Returns its
 * sequence number, or UINT64_MAX if it can never fit (caplen > arena). */
uint64_t ring_push(struct ring *r, uint64_t ts_ns, uint16_t ifid, uint16_t flags,
		   const uint8_t *data, uint32_t caplen, uint32_t origlen);

static inline uint64_t ring_count(const struct ring *r) { return r->next_seq - r->first_seq; }

/* The packet with sequence number seq and its bytes, or NULL if it is not
 * (or no longer) in the ring. */
const struct ring_pkt *ring_get(const struct ring *r, uint64_t seq, const uint8_t **data);

/* Memory held by the ring (index + arena), for the status file. */
size_t ring_memory(const struct ring *r);

#endif
