/* netlinkd's model of kernel objects: what it wants (struct nl_desired,
 * computed from the inputs by desired.c), what the kernel has that
 * netlinkd owns (struct nl_kstate, filled by a backend), and the operations
 * that turn one into the other (struct nl_op, from diff.c).
 *
 * Objects are plain values with fixed-size arrays: no allocation, easy to
 * compare, easy to build in tests.  Interfaces are referred to by name; the
 * backend resolves names to indexes at apply time, so the reconcile logic
 * never needs the kernel. */
#ifndef NL_MODEL_H
#define NL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_IFNAMSIZ 16
#define NL_LFT_FOREVER 0xffffffffu

#define NL_MAX_LINKS 32
#define NL_MAX_ADDRS 256
#define NL_MAX_ROUTES 256
#define NL_MAX_RULES 64
#define NL_MAX_SYSCTLS 64
#define NL_MAX_TUNNELS 4
#define NL_MAX_PROBLEMS 32
#define NL_MAX_OPS 1024

/* The WANs netlinkd knows, in the order of their default-route preference
 * when the configured metrics are left at their defaults. */
enum nl_wan { NL_WAN_TUNNEL, NL_WAN_DSL, NL_WAN_LTE, NL_WAN_N };
extern const char *const nl_wan_names[NL_WAN_N];

/* A link netlinkd configures (it never deletes links it did not create). */
struct nl_link {
	char ifname[NL_IFNAMSIZ];
	uint8_t mac[6];
	bool has_mac;  /* rename the link with this MAC to ifname */
	uint32_t mtu;  /* 0 = leave alone */
	bool up;       /* bring it up (false = leave alone) */
};

struct nl_addr {
	char ifname[NL_IFNAMSIZ];
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t plen;
	uint8_t local[16];
	uint8_t peer[16];
	bool has_peer;      /* point-to-point: IFA_ADDRESS = peer */
	uint32_t preferred; /* seconds, NL_LFT_FOREVER */
	uint32_t valid;
	uint8_t proto; /* kernel dumps: IFA_PROTO (0 = none) */
};

struct nl_route {
	uint8_t family;
	uint8_t dst_len;
	uint8_t type; /* RTN_UNICAST, RTN_UNREACHABLE */
	uint8_t dst[16];
	uint8_t gw[16];
	bool has_gw;
	char oif[NL_IFNAMSIZ]; /* "" for unreachable */
	uint32_t table;
	uint32_t metric;
	uint8_t proto; /* kernel dumps: rtm_protocol */
};

struct nl_rule {
	uint8_t family;
	uint8_t src_len;
	uint8_t src[16];
	uint32_t prio;
	uint32_t table;
	uint8_t proto; /* kernel dumps: FRA_PROTOCOL */
};

/* A sysctl under /proc/sys, key with '/' separators
 * ("net/ipv6/conf/lan0/accept_ra"). */
struct nl_sysctl {
	char key[96];
	char value[16];
	char ifname[NL_IFNAMSIZ]; /* the interface it needs, "" = global */
};

/* An ip6gre device in kernel mode (RFC 8157 bonding key in ikey/okey). */
struct nl_tunnel {
	char ifname[NL_IFNAMSIZ];
	uint8_t local[16];
	uint8_t remote[16];
	uint32_t ikey, okey;
	uint32_t mtu;
};

/* The firewall: one nftables table (family inet) owned by netlinkd. */
#define NL_MAX_PFWD 32
#define NL_MAX_FW_LAN 16
struct nl_pfwd {
	uint8_t proto;     /* IPPROTO_TCP, IPPROTO_UDP */
	uint16_t port;     /* on the WAN */
	uint8_t to[4];     /* LAN host */
	uint16_t to_port;  /* 0 = same port */
};
struct nl_fw {
	bool enabled;
	char table[32];
	char lan[NL_MAX_FW_LAN][NL_IFNAMSIZ];
	int n_lan;
	char wan[NL_WAN_N][NL_IFNAMSIZ]; /* WANs up now: masquerade, forwards */
	int n_wan;
	struct nl_pfwd pf[NL_MAX_PFWD];
	int n_pf;
};
/* IFLA_IFALIAS-like mark in the table's userdata: "netlinkd:<hash>". */
#define NL_FW_TAG "netlinkd:"

/* A Multipath TCP endpoint (mptcp_pm generic netlink): a local address
 * the kernel may open subflows from.  netlinkd owns the ids in its range. */
#define NL_MAX_EPS 16
#define NL_MPTCP_KERNEL_MAX 8 /* MPTCP_PM_ADDR_MAX in the kernel */
struct nl_endpoint {
	uint8_t id;      /* 0 in the desired set: the diff picks one */
	uint8_t family;
	uint8_t addr[16];
	uint32_t flags;  /* MPTCP_PM_ADDR_FLAG_* */
	char ifname[NL_IFNAMSIZ];
};

/* Something wrong with the inputs (not the kernel): reported, not fatal. */
struct nl_problem {
	char what[200];
};

struct nl_desired {
	struct nl_link links[NL_MAX_LINKS];
	int n_links;
	struct nl_addr addrs[NL_MAX_ADDRS];
	int n_addrs;
	struct nl_route routes[NL_MAX_ROUTES];
	int n_routes;
	struct nl_rule rules[NL_MAX_RULES];
	int n_rules;
	struct nl_sysctl sysctls[NL_MAX_SYSCTLS];
	int n_sysctls;
	struct nl_tunnel tunnels[NL_MAX_TUNNELS];
	int n_tunnels;
	struct nl_fw fw;
	struct nl_endpoint eps[NL_MAX_EPS];
	int n_eps;
	bool mptcp;               /* some WAN uses MPTCP: set the limits */
	uint32_t mptcp_subflows;  /* limits wanted */
	uint32_t mptcp_add_addr;
	struct nl_problem problems[NL_MAX_PROBLEMS];
	int n_problems;
	/* Which WANs are up (have an interface), for the report. */
	char wan_if[NL_WAN_N][NL_IFNAMSIZ];
};

/* What the kernel has: every link (to resolve names and check MTU/state),
 * and the addresses, routes and rules that carry netlinkd's tag. */
struct nl_klink {
	int ifindex;
	char ifname[NL_IFNAMSIZ];
	uint8_t mac[6];
	bool has_mac;
	uint32_t mtu;
	bool up;
	char kind[16];  /* IFLA_INFO_KIND, "" if none */
	char alias[64]; /* IFLA_IFALIAS: netlinkd marks devices it created */
	bool has_tun;   /* an ip6gre: its parameters, to see whether they moved */
	struct nl_tunnel tun;
};

/* Sized for a home router with some foreign objects besides netlinkd's;
 * a dump that does not fit is an error (reported), never a silent cut. */
#define NL_MAX_KLINKS 256
#define NL_MAX_KADDRS 1024
#define NL_MAX_KROUTES 4096
#define NL_MAX_KRULES 256
struct nl_kstate {
	struct nl_klink links[NL_MAX_KLINKS];
	int n_links;
	struct nl_addr addrs[NL_MAX_KADDRS];
	int n_addrs;
	struct nl_route routes[NL_MAX_KROUTES];
	int n_routes;
	struct nl_rule rules[NL_MAX_KRULES];
	int n_rules;
	struct nl_endpoint eps[64];
	int n_eps;
	bool mptcp_ok;     /* the kernel has the mptcp_pm family */
	uint32_t mptcp_subflows, mptcp_add_addr;
	bool fw_present;   /* the firewall table exists */
	char fw_tag[64];   /* its userdata ("" if none) */
	int fw_rules;      /* rules in it (tampering shows as a different count) */
	bool overflow;
};

/* How netlinkd recognises its own objects. */
struct nl_owner {
	uint8_t proto;      /* route protocol, IFA_PROTO and FRA_PROTOCOL value */
	uint32_t prio_min;  /* rule priority range */
	uint32_t prio_max;
	uint8_t ep_min;     /* MPTCP endpoint id range */
	uint8_t ep_max;
};
/* IFLA_IFALIAS of devices netlinkd created. */
#define NL_ALIAS "hgw-netlinkd"

enum nl_op_type {
	NL_OP_FW_DELETE,
	NL_OP_EP_DEL,
	NL_OP_RULE_DEL,
	NL_OP_ROUTE_DEL,
	NL_OP_ADDR_DEL,
	NL_OP_TUNNEL_DEL,
	NL_OP_TUNNEL_ADD,
	NL_OP_LINK_RENAME,
	NL_OP_SYSCTL, /* before link up: addr_gen_mode must be set before the
		       * kernel generates a link-local on up */
	NL_OP_LINK_MTU,
	NL_OP_LINK_UP,
	NL_OP_ADDR_ADD, /* add or replace (lifetimes) */
	NL_OP_ROUTE_ADD, /* add or replace (gateway, device) */
	NL_OP_RULE_ADD,
	NL_OP_MPTCP_LIMITS,
	NL_OP_EP_ADD, /* after addresses and rules: subflows need both */
	NL_OP_FW_REPLACE, /* last: its rules name the interfaces above */
};
#define NL_OP_N (NL_OP_FW_REPLACE + 1)

struct nl_op {
	enum nl_op_type type;
	int idx; /* index of the desired object (adds), -1 for deletes */
	union {
		struct nl_link link;
		struct nl_addr addr;
		struct nl_route route;
		struct nl_rule rule;
		struct nl_sysctl sysctl;
		struct nl_tunnel tunnel;
		struct {
			const struct nl_fw *fw; /* the desired set's; NULL for delete */
			char table[32];
		} fw;
		struct nl_endpoint ep;
		struct {
			uint32_t subflows, add_addr;
		} limits;
	} u;
	char from[NL_IFNAMSIZ]; /* LINK_RENAME: the current name */
};

struct nl_ops {
	struct nl_op op[NL_MAX_OPS];
	int n;
	bool overflow;
};

/* Formatting for logs and the report. */
const char *nl_fmt_addr(int family, const uint8_t *a, char *buf, size_t len);
const char *nl_fmt_prefix(int family, const uint8_t *a, int plen, char *buf, size_t len);
const char *nl_op_name(enum nl_op_type t);
/* One line describing the object of an op ("addr 192.0.2.1/24 dev lan0"). */
void nl_op_describe(const struct nl_op *op, char *buf, size_t len);
void nl_addr_describe(const struct nl_addr *a, char *buf, size_t len);
void nl_route_describe(const struct nl_route *r, char *buf, size_t len);
void nl_rule_describe(const struct nl_rule *r, char *buf, size_t len);

static inline int nl_alen(int family) { return family == 10 /* AF_INET6 */ ? 16 : 4; }

#endif
