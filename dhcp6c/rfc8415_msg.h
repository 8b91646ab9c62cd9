/* DHCPv6 message codec (RFC 8415 sections 8 and 21, plus RFC 3646 DNS,
 * RFC 4075 SNTP, RFC 5908 NTP, RFC 6334 AFTR name).
 *
 * Parsing fills a flat struct d6_msg; everything the client acts on is
 * decoded, everything else is either kept raw (vendor options, for the
 * state file) or skipped.  Lengths are checked through hgw_rd, so a hostile
 * packet can only make the parse fail, never read out of bounds.  Building
 * writes the client's messages from a struct d6_req. */
#ifndef HGW_RFC8415_MSG_H
#define HGW_RFC8415_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Message types (RFC 8415 section 7.3). */
enum {
	D6_SOLICIT = 1, D6_ADVERTISE = 2, D6_REQUEST = 3, D6_CONFIRM = 4, D6_RENEW = 5,
	D6_REBIND = 6, D6_REPLY = 7, D6_RELEASE = 8, D6_DECLINE = 9, D6_RECONFIGURE = 10,
	D6_INFORMATION_REQUEST = 11,
};

/* Option codes (RFC 8415 section 21 and the others named above). */
enum {
	D6O_CLIENTID = 1, D6O_SERVERID = 2, D6O_IA_NA = 3, D6O_IA_TA = 4, D6O_IAADDR = 5,
	D6O_ORO = 6, D6O_PREFERENCE = 7, D6O_ELAPSED_TIME = 8, D6O_AUTH = 11, D6O_UNICAST = 12,
	D6O_STATUS_CODE = 13, D6O_RAPID_COMMIT = 14, D6O_USER_CLASS = 15, D6O_VENDOR_CLASS = 16,
	D6O_VENDOR_OPTS = 17, D6O_RECONF_MSG = 19, D6O_RECONF_ACCEPT = 20, D6O_DNS_SERVERS = 23,
	D6O_DOMAIN_LIST = 24, D6O_IA_PD = 25, D6O_IAPREFIX = 26, D6O_SNTP_SERVERS = 31,
	D6O_INFO_REFRESH_TIME = 32, D6O_NTP_SERVER = 56, D6O_AFTR_NAME = 64, D6O_SOL_MAX_RT = 82,
	D6O_INF_MAX_RT = 83,
};

/* Status codes (RFC 8415 section 21.13). */
enum {
	D6S_SUCCESS = 0, D6S_UNSPEC_FAIL = 1, D6S_NO_ADDRS_AVAIL = 2, D6S_NO_BINDING = 3,
	D6S_NOT_ON_LINK = 4, D6S_USE_MULTICAST = 5, D6S_NO_PREFIX_AVAIL = 6,
	D6S_NONE = -1, /* no status option present (means success) */
};

#define D6_INFINITY 0xffffffffu
#define D6_DUID_MAX 130 /* 2-byte type + up to 128 bytes (RFC 8415 section 11.1) */
#define D6_MAX_LEASES 8 /* addresses or prefixes per IA kept; more are ignored */
#define D6_MAX_SERVERS 8
#define D6_MAX_DOMAINS 8
#define D6_MAX_VENDOR 16
#define D6_VENDOR_MAX_LEN 256

struct d6_duid {
	uint16_t len;
	uint8_t b[D6_DUID_MAX];
};

/* One IA_NA address or IA_PD prefix. */
struct d6_lease {
	struct in6_addr addr;
	uint8_t plen; /* 128 for an address */
	uint32_t preferred, valid; /* seconds, D6_INFINITY = forever */
};

struct d6_ia {
	bool present;
	uint32_t iaid, t1, t2;
	int status; /* D6S_* of the IA's own status option, D6S_NONE if absent */
	int n;
	struct d6_lease l[D6_MAX_LEASES];
};

struct d6_raw {
	uint16_t code, len;
	uint8_t data[D6_VENDOR_MAX_LEN];
};

struct d6_msg {
	uint8_t type;
	uint32_t xid; /* 24 bits */
	struct d6_duid client_id, server_id;
	bool has_client_id, has_server_id;
	int status; /* top-level status code, D6S_NONE if absent */
	int preference; /* 0..255, 0 when absent (RFC 8415 section 18.2.9) */
	bool rapid_commit, reconf_accept;
	int reconf_msg; /* Reconfigure: message type to send, 0 if absent */
	struct d6_ia ia_na, ia_pd;
	int n_dns, n_ntp, n_domains;
	struct in6_addr dns[D6_MAX_SERVERS], ntp[D6_MAX_SERVERS];
	char domains[D6_MAX_DOMAINS][256];
	char aftr[256]; /* "" when absent */
	uint32_t sol_max_rt, inf_max_rt, info_refresh; /* 0 when absent */
	/* Authentication option (RFC 8415 section 21.11), kept for Reconfigure. */
	bool has_auth;
	uint8_t auth_proto, auth_alg, auth_rdm, auth_info_len;
	uint64_t auth_replay;
	uint8_t auth_info[32];
	size_t auth_info_off; /* offset of the auth information in the packet */
	/* Options published raw (vendor-specific, unknown codes >= 200). */
	int n_raw;
	struct d6_raw raw[D6_MAX_VENDOR];
};

/* Parses a whole DHCPv6 message.  Returns 0, or -1 with a short reason in
 * *why (static string).  Option order is free; a repeated singleton option
 * keeps the first.  An IA whose T1 > T2 (both non-zero) is dropped as RFC
 * 8415 section 21.4 demands; an address or prefix whose preferred lifetime
 * exceeds its valid lifetime is dropped (sections 21.6, 21.22). */
int d6_parse(const uint8_t *p, size_t len, struct d6_msg *m, const char **why);

/* What the client puts into a message it sends. */
struct d6_req {
	uint8_t type;
	uint32_t xid;
	const struct d6_duid *client_id;
	const struct d6_duid *server_id; /* NULL = none (Solicit, Rebind, Information-request) */
	uint16_t elapsed_cs; /* centiseconds, capped at 0xffff */
	bool rapid_commit, reconf_accept;
	/* IAs: *_iaid valid when the flag is set; the leases are hints in a
	 * Solicit and the bound leases in Request/Renew/Rebind/Release. */
	bool ia_na, ia_pd;
	uint32_t na_iaid, pd_iaid;
	const struct d6_ia *na, *pd; /* may be NULL: empty IA */
	uint8_t pd_hint_len; /* Solicit without a remembered prefix: ::/len, 0 = none */
	const uint16_t *oro;
	int n_oro;
	const uint8_t *vendor_class; /* RFC 8415 21.16 payload (enterprise + data), NULL = none */
	size_t vendor_class_len;
};

/* Builds a message; returns its length or 0 if buf is too small. */
size_t d6_build(const struct d6_req *r, uint8_t *buf, size_t cap);

/* Encodes a domain name in DNS wire format (RFC 1035 3.1) into w; used by
 * tests to build packets.  Returns false for a label longer than 63. */
struct hgw_wr;
bool d6_write_name(struct hgw_wr *w, const char *name);
/* Decodes one uncompressed DNS name from r into out (dotted, no final
 * dot).  Returns false on a malformed name. */
struct hgw_rd;
bool d6_read_name(struct hgw_rd *r, char *out, size_t cap);

const char *d6_type_name(int type);

#endif
