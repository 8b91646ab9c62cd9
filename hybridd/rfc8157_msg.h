/* RFC 8157 (GRE tunnel bonding) control messages: parse and build.
 *
 * I/O-free: works on the GRE packet (the bytes after the outer IP header)
 * that the raw IPPROTO_GRE socket delivers.  The attribute list as it came
 * off the wire is the canonical representation (unknown attributes are kept,
 * in order, so a message can be re-encoded byte for byte); the well-known
 * attributes are additionally decoded into typed fields with a presence bit.
 *
 * Telekom's dialect (what the real HAAPs speak, see shared/docs/rfc8157.md):
 * GRE protocol 0x0101 instead of the RFC's 0xB7EA, tunnel types LTE = 0 and
 * DSL = 8 instead of 2 and 1, every message ends in attribute 255 (length 0),
 * extra attributes 53/54/56/57/59/65 and message type 10. */
#ifndef HYBRIDD_RFC8157_MSG_H
#define HYBRIDD_RFC8157_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

#define RFC8157_PROTO_TELEKOM 0x0101
#define RFC8157_PROTO_RFC 0xB7EA
#define RFC8157_GRE_FLAGS_CTRL 0x2000 /* K=1, S=0, Ver=0 */

enum rfc8157_type {
	RFC8157_SETUP_REQUEST = 1,
	RFC8157_SETUP_ACCEPT = 2,
	RFC8157_SETUP_DENY = 3,
	RFC8157_HELLO = 4,
	RFC8157_TEAR_DOWN = 5,
	RFC8157_NOTIFY = 6,
	RFC8157_LINK_DETECTION = 10, /* Telekom specific, content unknown */
};

/* Tunnel types on the wire: Telekom (default) and RFC numbering. */
#define RFC8157_TT_LTE_TELEKOM 0
#define RFC8157_TT_DSL_TELEKOM 8
#define RFC8157_TT_LTE_RFC 2
#define RFC8157_TT_DSL_RFC 1

enum rfc8157_attr_type {
	A_H_IPV4 = 1,
	A_H_IPV6 = 2,
	A_CIN = 3,
	A_SESSION_ID = 4,
	A_TIMESTAMP = 5,
	A_BYPASS_RATE = 6,
	A_DSL_SYNC_RATE = 7,
	A_FILTER_LIST = 8,
	A_RTT_DIFF_THRESHOLD = 9,
	A_BYPASS_CHECK_INTERVAL = 10,
	A_SWITCH_TO_DSL = 11,
	A_OVERFLOW_TO_LTE = 12,
	A_PREFIX_BY_HAAP = 13,
	A_ACTIVE_HELLO_INTERVAL = 14,
	A_HELLO_RETRY_TIMES = 15,
	A_IDLE_TIMEOUT = 16,
	A_ERROR_CODE = 17,
	A_DSL_LINK_FAILURE = 18,
	A_LTE_LINK_FAILURE = 19,
	A_BONDING_KEY = 20,
	A_PREFIX_TO_HOST = 21,
	A_DSL_UP_BW = 22,
	A_DSL_DOWN_BW = 23,
	A_RTT_VIOLATION = 24,
	A_RTT_COMPLIANCE = 25,
	A_DIAG_BONDING = 26,
	A_DIAG_DSL = 27,
	A_DIAG_LTE = 28,
	A_DIAG_END = 29,
	A_FILTER_ACK = 30,
	A_IDLE_HELLO_INTERVAL = 31,
	A_NO_TRAFFIC_INTERVAL = 32,
	A_SWITCH_ACTIVE = 33,
	A_SWITCH_IDLE = 34,
	A_TUNNEL_VERIFICATION = 35,
	A_DSL_LINE_TYPE = 53,    /* Telekom */
	A_BRAS_NAME = 54,        /* Telekom */
	A_MAX_REORDER_TIME = 56, /* Telekom */
	A_UP_BURST_TIME = 57,    /* Telekom */
	A_DSL_UP_SYNC_RATE = 59, /* Telekom */
	A_TELEKOM_65 = 65,       /* Telekom, meaning unknown */
	A_FIN = 255,
};

#define RFC8157_CIN_LEN 40
#define RFC8157_BRAS_LEN 32
#define RFC8157_MAX_ATTRS 64
#define RFC8157_MAX_MSG 1400

struct rfc8157_attr {
	uint8_t type;
	uint16_t len;
	const uint8_t *val; /* points into the parsed buffer */
};

struct rfc8157_prefix {
	struct in6_addr addr;
	uint8_t len;
};

struct rfc8157_msg {
	uint16_t proto;
	uint32_t key;
	uint8_t type;  /* high nibble of the first byte */
	uint8_t ttype; /* low nibble, as on the wire */
	unsigned nattrs;
	struct rfc8157_attr attrs[RFC8157_MAX_ATTRS];
	unsigned unknown; /* attributes this codec has no meaning for */
	uint64_t present[4]; /* bit per attribute type */

	/* decoded values of the attributes present */
	struct in_addr h4;
	struct in6_addr h6;
	char cin[RFC8157_CIN_LEN + 1];
	uint32_t session_id;
	uint32_t ts_sec, ts_ms;
	uint32_t bypass_rate, dsl_sync_rate, dsl_up_sync_rate;
	const uint8_t *filter_list; /* raw value, parse with rfc8157_filter_parse */
	uint16_t filter_list_len;
	uint32_t rtt_threshold, bypass_interval, active_hello, hello_retry, idle_timeout;
	uint32_t error_code, bonding_key;
	struct rfc8157_prefix prefix_haap, prefix_host;
	uint32_t dsl_up_bw, dsl_down_bw, rtt_violation, rtt_compliance;
	uint32_t filter_ack_commit;
	uint8_t filter_ack_code;
	uint32_t idle_hello, no_traffic;
	uint32_t dsl_line_type;
	char bras[RFC8157_BRAS_LEN + 1];
	uint32_t max_reorder, up_burst, telekom65;
};

static inline bool rfc8157_has(const struct rfc8157_msg *m, unsigned type)
{
	return (m->present[(type & 255) / 64] >> (type % 64)) & 1;
}

/* Parses one control message.  protos: the two protocol types accepted
 * (pass the same value twice for one).  Returns 0, or -1 with *why set to a
 * static reason (truncated header, attribute past the end, bad length for a
 * known attribute, not a control message, ...). */
int rfc8157_parse(const uint8_t *buf, size_t len, uint16_t proto_a, uint16_t proto_b,
		  struct rfc8157_msg *m, const char **why);

/* A quick check whether a GRE packet is a control message (proto matches),
 * as opposed to bonded data. */
bool rfc8157_is_control(const uint8_t *buf, size_t len, uint16_t proto);

/* Names for logs and --decode. */
const char *rfc8157_type_name(unsigned type);
const char *rfc8157_attr_name(unsigned type);
const char *rfc8157_error_text(uint32_t code);
/* Is this a fixed-length attribute, and of which length (-1: variable). */
int rfc8157_attr_fixed_len(unsigned type);

/* Builder.  begin writes the GRE header and type byte; the attr_* calls
 * append TLVs; end appends the 255 terminator (when fin) and returns the
 * length, or 0 when the buffer was too small. */
void rfc8157_begin(struct hgw_wr *w, uint16_t proto, uint32_t key, uint8_t type, uint8_t ttype);
void rfc8157_attr(struct hgw_wr *w, uint8_t type, const void *val, uint16_t len);
void rfc8157_attr_u32(struct hgw_wr *w, uint8_t type, uint32_t v);
void rfc8157_attr_flag(struct hgw_wr *w, uint8_t type);
void rfc8157_attr_prefix(struct hgw_wr *w, uint8_t type, const struct rfc8157_prefix *p);
/* Zero-padded string of exactly width bytes (CIN 40, BRAS 32). */
void rfc8157_attr_padstr(struct hgw_wr *w, uint8_t type, const char *s, uint16_t width);
size_t rfc8157_end(struct hgw_wr *w, bool fin);
/* Re-encodes a parsed message from its attribute list (byte-identical to
 * the input when the input was well-formed). */
size_t rfc8157_encode(const struct rfc8157_msg *m, uint8_t *buf, size_t cap);

/* Filter list package (attribute 8, RFC 8157 5.6.2). */
#define RFC8157_FILTER_MAX_ITEMS 64
#define RFC8157_FILTER_STR 256
enum rfc8157_filter_type {
	F_FQDN = 1, F_DSCP, F_DST_PORT, F_DST_IP, F_DST_IP_PORT, F_SRC_PORT, F_SRC_IP,
	F_SRC_IP_PORT, F_SRC_MAC, F_PROTOCOL, F_SRC_RANGE, F_DST_RANGE, F_SRC_RANGE_PORT,
	F_DST_RANGE_PORT, F_COMBINATION,
};
struct rfc8157_filter_item {
	uint16_t type;
	uint16_t enabled;
	char desc[RFC8157_FILTER_STR];
	char value[RFC8157_FILTER_STR];
};
struct rfc8157_filter_list {
	uint32_t commit;
	uint16_t packet_sum, packet_id;
	unsigned nitems;
	struct rfc8157_filter_item items[RFC8157_FILTER_MAX_ITEMS];
};
int rfc8157_filter_parse(const uint8_t *val, size_t len, struct rfc8157_filter_list *fl,
			 const char **why);
const char *rfc8157_filter_type_name(unsigned type);

#endif
