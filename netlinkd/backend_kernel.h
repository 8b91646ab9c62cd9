/* Internals shared by the rtnetlink backend's files: backend_kernel.c
 * (links, addresses, routes, rules, sysctls), backend_nft.c (the nftables
 * table) and backend_mptcp.c (MPTCP endpoints over generic netlink). */
#ifndef NL_BACKEND_KERNEL_H
#define NL_BACKEND_KERNEL_H

#include <libmnl/libmnl.h>
#include <stdint.h>

#include "backend.h"

struct kb {
	struct nl_backend b;
	struct mnl_socket *nl;
	struct mnl_socket *nf; /* nfnetlink, opened on first use */
	struct mnl_socket *gn; /* generic netlink (mptcp_pm) */
	uint16_t mptcp_family; /* 0 = not resolved (yet) */
	uint32_t portid;
	uint32_t seq;
	char proc_sys[128];
	char buf[65536];
	char fwbuf[256 * 1024];
};

/* Attribute table fillers and helpers (backend_kernel.c). */
int nlk_any_attr(const struct nlattr *a, void *data);
int nlk_err_attr(const struct nlattr *a, void *data);
void nlk_get_addr(const struct nlattr *a, int family, uint8_t *out);
const char *nlk_ifname_of(const struct nl_kstate *k, int ifindex);
/* Opens and binds a netlink socket of bus into *s unless already open,
 * with extended ACKs on (the kernel's own words for what it refused).
 * Returns 0 or -errno (*s stays NULL). */
int nlk_sock_open(struct mnl_socket **s, int bus);
/* The kernel's extended-ACK text of an error message h into err. */
void nlk_ext_ack(const struct nlmsghdr *h, char *err, size_t errlen);

/* backend_nft.c */
int nlk_fw_dump(struct kb *kb, struct nl_kstate *k);
int nlk_fw_apply(struct kb *kb, const struct nl_op *op, char *err, size_t errlen);
/* backend_mptcp.c */
int nlk_mptcp_dump(struct kb *kb, struct nl_kstate *k);
int nlk_mptcp_apply(struct kb *kb, const struct nl_op *op, char *err, size_t errlen);

#endif
