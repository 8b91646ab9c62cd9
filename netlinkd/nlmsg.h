/* rtnetlink request building, one function per object kind.  Pure: bytes
 * into a caller's buffer, nothing sent, so tests check them byte by byte. */
#ifndef NL_NLMSG_H
#define NL_NLMSG_H

#include <linux/netlink.h>

#include "model.h"

/* Builds the request for op (an interface op's ifindex resolved by the
 * caller; 0 where none is needed).  buf must hold at least 1 KiB
 * (zeroed here).  Every request asks for an ACK.  Returns NULL for an op that is not
 * a netlink request (sysctl). */
struct nlmsghdr *nl_msg_build(void *buf, const struct nl_op *op, const struct nl_owner *o,
			      int ifindex, uint32_t seq);

/* The ip6gre device of RFC 8157 kernel mode: keyed both ways, no sequence
 * numbers (the bond's single counter lives in the HAAP's reorder logic), the
 * encapsulation-limit option ignored (the HAAP does not send it), MTU. */
struct nlmsghdr *nl_msg_ip6gre(void *buf, const struct nl_tunnel *t, uint32_t seq);
/* Generic netlink: resolve a family's id (CTRL_CMD_GETFAMILY). */
struct nlmsghdr *nl_msg_genl_family(void *buf, const char *name, uint32_t seq);
/* mptcp_pm: add an endpoint (id, address, flags, device) or delete one by
 * id; dump them; set or get the limits. */
struct nlmsghdr *nl_msg_mptcp_ep(void *buf, uint16_t family_id, bool add,
				 const struct nl_endpoint *e, int ifindex, uint32_t seq);
struct nlmsghdr *nl_msg_mptcp_dump(void *buf, uint16_t family_id, uint32_t seq);
struct nlmsghdr *nl_msg_mptcp_limits(void *buf, uint16_t family_id, bool set, uint32_t subflows,
				     uint32_t add_addr, uint32_t seq);

/* Marks a device as netlinkd's (IFLA_IFALIAS). */
struct nlmsghdr *nl_msg_alias(void *buf, int ifindex, const char *alias, uint32_t seq);

#endif
