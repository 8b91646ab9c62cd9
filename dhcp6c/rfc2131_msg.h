/* DHCPv4 message codec (RFC 2131 section 2, options RFC 2132, long
 * options RFC 3396, classless static routes RFC 3442) and the IPv4/UDP
 * framing (RFC 791, 768) the client needs on a packet socket.
 *
 * Options are gathered per code first, concatenating repeated instances
 * (RFC 3396) across the options field and, with option 52, the file and
 * sname fields; then each is decoded from its gathered bytes.  Everything
 * goes through hgw_rd, so a hostile packet can only fail the parse. */
#ifndef HGW_RFC2131_MSG_H
#define HGW_RFC2131_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	D4_DISCOVER = 1, D4_OFFER = 2, D4_REQUEST = 3, D4_DECLINE = 4, D4_ACK = 5, D4_NAK = 6,
	D4_RELEASE = 7, D4_INFORM = 8,
};

enum {
	D4O_PAD = 0, D4O_SUBNET_MASK = 1, D4O_ROUTER = 3, D4O_DNS = 6, D4O_HOSTNAME = 12,
	D4O_DOMAIN = 15, D4O_MTU = 26, D4O_BROADCAST = 28, D4O_NTP = 42, D4O_REQUESTED_IP = 50,
	D4O_LEASE_TIME = 51, D4O_OVERLOAD = 52, D4O_MSG_TYPE = 53, D4O_SERVER_ID = 54,
	D4O_PRL = 55, D4O_MESSAGE = 56, D4O_MAX_SIZE = 57, D4O_T1 = 58, D4O_T2 = 59,
	D4O_VENDOR_CLASS = 60, D4O_CLIENT_ID = 61, D4O_USER_CLASS = 77, D4O_CLASSLESS_ROUTES = 121,
	D4O_VIVSO = 125, D4O_END = 255,
};

#define D4_MAX_SERVERS 8
#define D4_MAX_ROUTES 32
#define D4_BOOTP_LEN 236   /* fixed header up to and without the cookie */
#define D4_INFINITY 0xffffffffu

struct d4_route {
	struct in_addr dst, via;
	uint8_t plen;
};

struct d4_msg {
	uint8_t op, htype, hlen;
	uint32_t xid;
	uint16_t secs, flags;
	struct in_addr ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	int type;                 /* option 53, 0 if absent */
	bool has_server_id, has_mask, has_lease, has_t1, has_t2;
	struct in_addr server_id, mask;
	uint32_t lease, t1, t2;   /* seconds */
	int n_routers, n_dns, n_ntp, n_routes;
	struct in_addr routers[D4_MAX_SERVERS], dns[D4_MAX_SERVERS], ntp[D4_MAX_SERVERS];
	struct d4_route routes[D4_MAX_ROUTES];
	bool routes_bad;          /* option 121 present but malformed: ignored whole */
	char domain[256];
	uint16_t mtu;             /* 0 if absent or below 68 */
	char message[128];        /* option 56, for logs */
};

/* Parses a BOOTP/DHCP payload (UDP payload).  Returns 0 or -1 with a
 * static reason in *why. */
int d4_parse(const uint8_t *p, size_t len, struct d4_msg *m, const char **why);

struct d4_req {
	uint8_t type;
	uint32_t xid;
	uint16_t secs;
	bool broadcast_flag;
	uint8_t htype, hlen;
	const uint8_t *chaddr;           /* hlen bytes */
	struct in_addr ciaddr;           /* Renew/Rebind/Release */
	struct in_addr requested;        /* option 50, 0 = absent */
	struct in_addr server_id;        /* option 54, 0 = absent */
	const uint8_t *client_id;        /* option 61 payload, NULL = none */
	size_t client_id_len;
	const char *hostname;            /* option 12, NULL = none */
	const uint8_t *vendor_class;     /* option 60 */
	size_t vendor_class_len;
	const uint8_t *vivso;            /* option 125 payload (RFC 3925) */
	size_t vivso_len;
	const uint8_t *prl;              /* option 55 */
	size_t prl_len;
	const char *message;             /* option 56 (Decline reason) */
};

/* Builds the DHCP payload; returns its length (at least 300 bytes, the
 * BOOTP minimum some relays insist on) or 0 if cap is too small. */
size_t d4_build(const struct d4_req *r, uint8_t *buf, size_t cap);

/* IPv4 + UDP framing for the packet socket.  Builds header + payload into
 * buf; returns the total length or 0. */
size_t d4_frame(uint8_t *buf, size_t cap, struct in_addr src, struct in_addr dst, uint16_t sport,
		uint16_t dport, const uint8_t *payload, size_t len, uint16_t ip_id);
/* Checks an IPv4 packet for UDP to port dport; on success points *payload
 * at the UDP payload and returns its length, else -1 (why set).
 * check_udp_sum=false skips the UDP checksum (a veth peer's checksum
 * offload leaves it unfinished; the kernel tells us, see sock4.c). */
long d4_unframe(const uint8_t *pkt, size_t len, uint16_t dport, bool check_udp_sum,
		const uint8_t **payload, struct in_addr *src, const char **why);

const char *d4_type_name(int type);

#endif
