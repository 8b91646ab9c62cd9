/* Interface registry: the interfaces packets in the ring came from.
 *
 * Each captured interface (name + link type) gets a small id that ring
 * packets carry; a client stream turns ids into pcapng Interface Description
 * Blocks the first time it needs one.  An entry is kept while an open
 * capture or any packet in the ring refers to it, so an interface that went
 * away still describes its packets in the backlog; a free entry is reused
 * with a new generation, so a stream never confuses the old and new user
 * of an id.  No I/O, no globals. */
#ifndef NETDUMPD_IFREG_H
#define NETDUMPD_IFREG_H

#include <stdint.h>

#include "ring.h"

#define IFREG_MAX 256
#define IFREG_NONE UINT16_MAX

struct ifreg_entry {
	char name[32];
	int dlt;          /* libpcap DLT_ value (for compiling filters) */
	int linktype;     /* LINKTYPE_ value written to pcapng */
	uint32_t snaplen;
	uint32_t refs;    /* open capture + packets in the ring */
	uint32_t gen;     /* bumped on every reuse */
	uint64_t packets; /* captured since the entry was made */
};

struct ifreg {
	struct ifreg_entry e[IFREG_MAX];
};

void ifreg_init(struct ifreg *g);
/* Finds the live entry for (name, linktype) or makes one, taking a
 * reference.  Returns the id or IFREG_NONE if all entries are in use. */
uint16_t ifreg_get(struct ifreg *g, const char *name, int dlt, uint32_t snaplen);
/* The file-format LINKTYPE_ for a libpcap DLT_ (they differ for raw IP). */
int ifreg_linktype(int dlt);
void ifreg_ref(struct ifreg *g, uint16_t id);
void ifreg_unref(struct ifreg *g, uint16_t id);
/* For ring.on_evict: drops the packet's reference. */
void ifreg_on_evict(void *arg, const struct ring_pkt *p);
static inline const struct ifreg_entry *ifreg_at(const struct ifreg *g, uint16_t id)
{
	return id < IFREG_MAX && g->e[id].refs ? &g->e[id] : 0;
}

#endif
