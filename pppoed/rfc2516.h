/* PPPoE (RFC 2516) framing: discovery packets with their tags, and the
 * session header.  No I/O: buffers in, buffers out.  RFC 4638's
 * PPP-Max-Payload tag is carried here too.  All lengths are checked through
 * hgw_rd, so a tag that claims to run past the frame end is refused. */
#ifndef PPPOED_RFC2516_H
#define PPPOED_RFC2516_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPPOE_ETH_DISC 0x8863
#define PPPOE_ETH_SESS 0x8864
#define PPPOE_HDR_LEN 6
/* The largest PPPoE payload that fits a standard 1500-byte Ethernet MTU. */
#define PPPOE_STD_PAYLOAD 1494
#define PPPOE_STD_MRU 1492

enum pppoe_code {
	PPPOE_PADI = 0x09,
	PPPOE_PADO = 0x07,
	PPPOE_PADR = 0x19,
	PPPOE_PADS = 0x65,
	PPPOE_PADT = 0xa7,
	PPPOE_SESSION = 0x00,
};

enum pppoe_tag {
	PPPOE_TAG_END = 0x0000,
	PPPOE_TAG_SERVICE_NAME = 0x0101,
	PPPOE_TAG_AC_NAME = 0x0102,
	PPPOE_TAG_HOST_UNIQ = 0x0103,
	PPPOE_TAG_AC_COOKIE = 0x0104,
	PPPOE_TAG_VENDOR = 0x0105,
	PPPOE_TAG_RELAY_SID = 0x0110,
	PPPOE_TAG_PPP_MAX_PAYLOAD = 0x0120, /* RFC 4638 */
	PPPOE_TAG_SERVICE_NAME_ERROR = 0x0201,
	PPPOE_TAG_AC_SYSTEM_ERROR = 0x0202,
	PPPOE_TAG_GENERIC_ERROR = 0x0203,
};

/* Opaque tag values we must echo back (Host-Uniq, AC-Cookie,
 * Relay-Session-Id) are kept up to this size; a longer one makes the packet
 * refused rather than silently cut (echoing half a cookie is useless). */
#define PPPOE_BLOB_MAX 128
#define PPPOE_NAME_MAX 128

struct pppoe_blob {
	bool present;
	uint16_t len;
	uint8_t b[PPPOE_BLOB_MAX];
};

struct pppoe_tags {
	bool has_service;   /* Service-Name present (empty = any) */
	char service[PPPOE_NAME_MAX + 1];
	bool has_ac_name;
	char ac_name[PPPOE_NAME_MAX + 1];
	struct pppoe_blob host_uniq, cookie, relay;
	uint16_t max_payload; /* 0 = tag absent */
	uint16_t error_tag;   /* first error tag seen, 0 = none */
	char error[PPPOE_NAME_MAX + 1]; /* its text (may be empty) */
	/* Every Service-Name offered in a PADO, for selection by name. */
	int n_services;
	char services[8][PPPOE_NAME_MAX + 1];
};

struct pppoe_disc {
	uint8_t code;
	uint16_t sid;
	struct pppoe_tags t;
};

/* Parses a discovery packet (the Ethernet payload).  Returns 0, or -1 with
 * a reason in *why.  Trailing bytes past the PPPoE length (Ethernet padding)
 * are ignored, as RFC 2516 requires. */
int pppoe_disc_parse(const uint8_t *p, size_t len, struct pppoe_disc *d, const char **why);

/* Builds a discovery packet.  Tags written: Service-Name (always, as PADI
 * and PADR must carry one), AC-Name if has_ac_name, Host-Uniq, AC-Cookie,
 * Relay-Session-Id when present, PPP-Max-Payload when non-zero, an error tag
 * when error_tag is set.  Returns the length or 0 if cap is too small. */
size_t pppoe_disc_build(uint8_t *buf, size_t cap, uint8_t code, uint16_t sid,
			const struct pppoe_tags *t);

/* Session header: returns 0 and the PPP frame (protocol + information)
 * inside, or -1 with a reason. */
int pppoe_sess_parse(const uint8_t *p, size_t len, uint16_t *sid, const uint8_t **ppp,
		     size_t *ppp_len, const char **why);
/* Writes the 6-byte session header for a PPP frame of ppp_len bytes. */
void pppoe_sess_header(uint8_t *hdr, uint16_t sid, size_t ppp_len);

const char *pppoe_code_name(uint8_t code);
const char *pppoe_tag_name(uint16_t tag);

#endif
