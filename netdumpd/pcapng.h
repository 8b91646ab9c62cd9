/* pcapng writer (draft-ietf-opsawg-pcapng): the blocks a live capture stream
 * needs, written into caller-provided memory.  No I/O, no globals.
 *
 * Blocks are written big-endian (the Byte-Order Magic tells readers which
 * order a section uses, and hgw_wr is big-endian); Wireshark, tshark and
 * capinfos read either order. */
#ifndef NETDUMPD_PCAPNG_H
#define NETDUMPD_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1A2B3C4Du

/* EPB flags: direction in the two low bits (1 inbound, 2 outbound). */
#define PCAPNG_EPB_INBOUND 1u
#define PCAPNG_EPB_OUTBOUND 2u

/* Section Header Block with shb_userappl = app.  Returns bytes written or
 * 0 if it does not fit in cap. */
size_t pcapng_shb(uint8_t *buf, size_t cap, const char *app);

/* Interface Description Block: link type, snaplen, if_name, and
 * if_tsresol = 9 (timestamps in nanoseconds). */
size_t pcapng_idb(uint8_t *buf, size_t cap, uint16_t linktype, uint32_t snaplen,
		  const char *name);

struct pcapng_epb_opts {
	const char *comment; /* opt_comment, NULL = none */
	uint32_t flags;      /* epb_flags, 0 = not written */
	uint64_t dropcount;  /* epb_dropcount, written when non-zero */
};

/* Enhanced Packet Block; ts_ns is nanoseconds since the epoch (matching
 * if_tsresol 9).  opts may be NULL. */
size_t pcapng_epb(uint8_t *buf, size_t cap, uint32_t if_id, uint64_t ts_ns,
		  const uint8_t *data, uint32_t caplen, uint32_t origlen,
		  const struct pcapng_epb_opts *opts);

/* Size pcapng_epb would need (to check room before writing). */
size_t pcapng_epb_size(uint32_t caplen, const struct pcapng_epb_opts *opts);
size_t pcapng_idb_size(const char *name);

#endif
