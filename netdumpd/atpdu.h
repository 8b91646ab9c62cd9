/* The modem's AT dialogue as packets.
 *
 * lte-modemd (or anything else that talks AT) sends each line it writes or
 * reads as one datagram to netdumpd's AT socket: '>' then the command it
 * sent, or '<' then the line the modem answered (the format of lte.json's
 * at_log, secrets already redacted by the sender).  netdumpd stores each
 * line in the ring as a packet on a pseudo-interface "at" whose link type
 * is Wireshark's Upper-PDU export (LINKTYPE_WIRESHARK_UPPER_PDU, 252) naming
 * the "at" dissector, so Wireshark shows the dialogue decoded, interleaved
 * in time with the packets it caused, with the direction in epb_flags.
 * No I/O, no globals. */
#ifndef NETDUMPD_ATPDU_H
#define NETDUMPD_ATPDU_H

#include <stddef.h>
#include <stdint.h>

#define LINKTYPE_WIRESHARK_UPPER_PDU 252
#define ATPDU_MAX_LINE 512

/* Turns one datagram into the packet bytes; *outbound is set for a line
 * sent to the modem.  Returns the length, or 0 if the datagram is not a
 * dialogue line (empty, unknown direction, too long, control bytes). */
size_t atpdu_build(const uint8_t *dgram, size_t len, uint8_t *buf, size_t cap, int *outbound);

#endif
