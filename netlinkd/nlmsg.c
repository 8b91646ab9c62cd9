/* rtnetlink request building (see nlmsg.h). */
#include "nlmsg.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/genetlink.h>
#include <linux/mptcp.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static struct nlmsghdr *hdr(void *buf, uint16_t type, uint16_t flags, uint32_t seq)
{
	/* libmnl before 1.0.5 does not zero attribute padding; every request
	 * built here is far below 1 KiB. */
	memset(buf, 0, 1024);
	struct nlmsghdr *n = mnl_nlmsg_put_header(buf);
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	n->nlmsg_seq = seq;
	return n;
}

static struct nlmsghdr *addr_msg(void *buf, const struct nl_addr *a, bool add,
				 const struct nl_owner *o, int ifindex, uint32_t seq)
{
	struct nlmsghdr *n = hdr(buf, add ? RTM_NEWADDR : RTM_DELADDR,
				 add ? NLM_F_CREATE | NLM_F_REPLACE : 0, seq);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(n, sizeof(*ifa));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->plen;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = a->family == AF_INET6 && a->local[0] == 0xfe && (a->local[1] & 0xc0) == 0x80
				 ? RT_SCOPE_LINK
				 : RT_SCOPE_UNIVERSE;
	size_t alen = (size_t)nl_alen(a->family);
	/* IFA_LOCAL is ours, IFA_ADDRESS the peer on a point-to-point link
	 * (and the same as IFA_LOCAL otherwise). */
	mnl_attr_put(n, IFA_LOCAL, alen, a->local);
	mnl_attr_put(n, IFA_ADDRESS, alen, a->has_peer ? a->peer : a->local);
	if (!add)
		return n;
	if (a->valid != NL_LFT_FOREVER || a->preferred != NL_LFT_FOREVER) {
		struct ifa_cacheinfo ci = { .ifa_prefered = a->preferred, .ifa_valid = a->valid };
		mnl_attr_put(n, IFA_CACHEINFO, sizeof(ci), &ci);
	}
	/* No DAD: the router's own addresses are configured, not guessed, and
	 * waiting a second before they work would stall every reconcile. */
	if (a->family == AF_INET6)
		mnl_attr_put_u32(n, IFA_FLAGS, IFA_F_NODAD);
	mnl_attr_put_u8(n, IFA_PROTO, o->proto);
	return n;
}

static struct nlmsghdr *route_msg(void *buf, const struct nl_route *r, bool add,
				  const struct nl_owner *o, int ifindex, uint32_t seq)
{
	struct nlmsghdr *n = hdr(buf, add ? RTM_NEWROUTE : RTM_DELROUTE,
				 add ? NLM_F_CREATE | NLM_F_REPLACE : 0, seq);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(n, sizeof(*rt));
	rt->rtm_family = r->family;
	rt->rtm_dst_len = r->dst_len;
	rt->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rt->rtm_protocol = o->proto;
	rt->rtm_type = r->type;
	/* A device route without a gateway is on-link (scope link), as
	 * iproute2 does for "dev X" routes; IPv6 ignores the scope. */
	rt->rtm_scope = r->type == RTN_UNICAST && !r->has_gw && r->family == AF_INET
				? RT_SCOPE_LINK
				: RT_SCOPE_UNIVERSE;
	size_t alen = (size_t)nl_alen(r->family);
	mnl_attr_put_u32(n, RTA_TABLE, r->table);
	if (r->dst_len)
		mnl_attr_put(n, RTA_DST, alen, r->dst);
	mnl_attr_put_u32(n, RTA_PRIORITY, r->metric);
	if (r->type == RTN_UNICAST) {
		if (r->has_gw)
			mnl_attr_put(n, RTA_GATEWAY, alen, r->gw);
		if (ifindex > 0)
			mnl_attr_put_u32(n, RTA_OIF, (uint32_t)ifindex);
	}
	return n;
}

static struct nlmsghdr *rule_msg(void *buf, const struct nl_rule *r, bool add,
				 const struct nl_owner *o, uint32_t seq)
{
	/* EXCL: the kernel would otherwise happily add a duplicate rule. */
	struct nlmsghdr *n = hdr(buf, add ? RTM_NEWRULE : RTM_DELRULE,
				 add ? NLM_F_CREATE | NLM_F_EXCL : 0, seq);
	struct fib_rule_hdr *fr = mnl_nlmsg_put_extra_header(n, sizeof(*fr));
	fr->family = r->family;
	fr->src_len = r->src_len;
	fr->action = FR_ACT_TO_TBL;
	fr->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(n, FRA_PRIORITY, r->prio);
	if (r->src_len)
		mnl_attr_put(n, FRA_SRC, (size_t)nl_alen(r->family), r->src);
	mnl_attr_put_u32(n, FRA_TABLE, r->table);
	mnl_attr_put_u8(n, FRA_PROTOCOL, o->proto);
	return n;
}

static struct nlmsghdr *link_msg(void *buf, int ifindex, uint32_t seq)
{
	struct nlmsghdr *n = hdr(buf, RTM_NEWLINK, 0, seq);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(n, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return n;
}

struct nlmsghdr *nl_msg_ip6gre(void *buf, const struct nl_tunnel *t, uint32_t seq)
{
	struct nlmsghdr *n = hdr(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, seq);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(n, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(n, IFLA_IFNAME, t->ifname);
	if (t->mtu)
		mnl_attr_put_u32(n, IFLA_MTU, t->mtu);
	struct nlattr *li = mnl_attr_nest_start(n, IFLA_LINKINFO);
	mnl_attr_put_strz(n, IFLA_INFO_KIND, "ip6gre");
	struct nlattr *data = mnl_attr_nest_start(n, IFLA_INFO_DATA);
	mnl_attr_put(n, IFLA_GRE_LOCAL, 16, t->local);
	mnl_attr_put(n, IFLA_GRE_REMOTE, 16, t->remote);
	/* Keys on the wire are big-endian; GRE_KEY (already big-endian in the
	 * header) turns on the key field, and GRE_SEQ stays off both ways. */
	mnl_attr_put_u16(n, IFLA_GRE_IFLAGS, GRE_KEY);
	mnl_attr_put_u16(n, IFLA_GRE_OFLAGS, GRE_KEY);
	mnl_attr_put_u32(n, IFLA_GRE_IKEY, htonl(t->ikey));
	mnl_attr_put_u32(n, IFLA_GRE_OKEY, htonl(t->okey));
	mnl_attr_put_u32(n, IFLA_GRE_FLAGS, IP6_TNL_F_IGN_ENCAP_LIMIT);
	mnl_attr_nest_end(n, data);
	mnl_attr_nest_end(n, li);
	return n;
}

static struct nlmsghdr *genl(void *buf, uint16_t family_id, uint8_t cmd, uint8_t version,
			     uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *n = hdr(buf, family_id, flags, seq);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(n, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return n;
}

struct nlmsghdr *nl_msg_genl_family(void *buf, const char *name, uint32_t seq)
{
	struct nlmsghdr *n = genl(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0, seq);
	mnl_attr_put_strz(n, CTRL_ATTR_FAMILY_NAME, name);
	return n;
}

struct nlmsghdr *nl_msg_mptcp_ep(void *buf, uint16_t family_id, bool add,
				 const struct nl_endpoint *e, int ifindex, uint32_t seq)
{
	struct nlmsghdr *n = genl(buf, family_id, add ? MPTCP_PM_CMD_ADD_ADDR : MPTCP_PM_CMD_DEL_ADDR,
				  MPTCP_PM_VER, 0, seq);
	struct nlattr *a = mnl_attr_nest_start(n, MPTCP_PM_ATTR_ADDR);
	mnl_attr_put_u8(n, MPTCP_PM_ADDR_ATTR_ID, e->id);
	if (add) {
		mnl_attr_put_u16(n, MPTCP_PM_ADDR_ATTR_FAMILY, e->family);
		if (e->family == AF_INET)
			mnl_attr_put(n, MPTCP_PM_ADDR_ATTR_ADDR4, 4, e->addr);
		else
			mnl_attr_put(n, MPTCP_PM_ADDR_ATTR_ADDR6, 16, e->addr);
		mnl_attr_put_u32(n, MPTCP_PM_ADDR_ATTR_FLAGS, e->flags);
		if (ifindex > 0)
			mnl_attr_put_u32(n, MPTCP_PM_ADDR_ATTR_IF_IDX, (uint32_t)ifindex);
	}
	mnl_attr_nest_end(n, a);
	return n;
}

struct nlmsghdr *nl_msg_mptcp_dump(void *buf, uint16_t family_id, uint32_t seq)
{
	struct nlmsghdr *n = genl(buf, family_id, MPTCP_PM_CMD_GET_ADDR, MPTCP_PM_VER, NLM_F_DUMP, seq);
	n->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	return n;
}

struct nlmsghdr *nl_msg_mptcp_limits(void *buf, uint16_t family_id, bool set, uint32_t subflows,
				     uint32_t add_addr, uint32_t seq)
{
	struct nlmsghdr *n = genl(buf, family_id, set ? MPTCP_PM_CMD_SET_LIMITS : MPTCP_PM_CMD_GET_LIMITS,
				  MPTCP_PM_VER, 0, seq);
	if (set) {
		mnl_attr_put_u32(n, MPTCP_PM_ATTR_RCV_ADD_ADDRS, add_addr);
		mnl_attr_put_u32(n, MPTCP_PM_ATTR_SUBFLOWS, subflows);
	}
	return n;
}

struct nlmsghdr *nl_msg_alias(void *buf, int ifindex, const char *alias, uint32_t seq)
{
	struct nlmsghdr *n = link_msg(buf, ifindex, seq);
	mnl_attr_put_strz(n, IFLA_IFALIAS, alias);
	return n;
}

struct nlmsghdr *nl_msg_build(void *buf, const struct nl_op *op, const struct nl_owner *o,
			      int ifindex, uint32_t seq)
{
	struct nlmsghdr *n;
	struct ifinfomsg *ifi;
	switch (op->type) {
	case NL_OP_ADDR_ADD:
	case NL_OP_ADDR_DEL:
		return addr_msg(buf, &op->u.addr, op->type == NL_OP_ADDR_ADD, o, ifindex, seq);
	case NL_OP_ROUTE_ADD:
	case NL_OP_ROUTE_DEL:
		return route_msg(buf, &op->u.route, op->type == NL_OP_ROUTE_ADD, o, ifindex, seq);
	case NL_OP_RULE_ADD:
	case NL_OP_RULE_DEL:
		return rule_msg(buf, &op->u.rule, op->type == NL_OP_RULE_ADD, o, seq);
	case NL_OP_TUNNEL_ADD:
		return nl_msg_ip6gre(buf, &op->u.tunnel, seq);
	case NL_OP_TUNNEL_DEL:
		n = hdr(buf, RTM_DELLINK, 0, seq);
		ifi = mnl_nlmsg_put_extra_header(n, sizeof(*ifi));
		ifi->ifi_index = ifindex;
		return n;
	case NL_OP_LINK_RENAME:
		n = link_msg(buf, ifindex, seq);
		mnl_attr_put_strz(n, IFLA_IFNAME, op->u.link.ifname);
		return n;
	case NL_OP_LINK_MTU:
		n = link_msg(buf, ifindex, seq);
		mnl_attr_put_u32(n, IFLA_MTU, op->u.link.mtu);
		return n;
	case NL_OP_LINK_UP:
		n = link_msg(buf, ifindex, seq);
		ifi = mnl_nlmsg_get_payload(n);
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		return n;
	case NL_OP_SYSCTL:
	case NL_OP_FW_REPLACE: /* nfnetlink batches: nft.c */
	case NL_OP_FW_DELETE:
	case NL_OP_EP_ADD: /* generic netlink: need the family id, see above */
	case NL_OP_EP_DEL:
	case NL_OP_MPTCP_LIMITS:
		break;
	}
	return NULL;
}
