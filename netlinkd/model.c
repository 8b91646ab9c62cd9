/* Formatting of model objects for logs and netlinkd.json. */
#include "model.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *nl_fmt_addr(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *nl_fmt_prefix(int family, const uint8_t *a, int plen, char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN];
	snprintf(buf, len, "%s/%d", nl_fmt_addr(family, a, t, sizeof(t)), plen);
	return buf;
}

const char *nl_op_name(enum nl_op_type t)
{
	static const char *const names[] = {
		[NL_OP_RULE_DEL] = "delete rule",     [NL_OP_ROUTE_DEL] = "delete route",
		[NL_OP_ADDR_DEL] = "delete address",  [NL_OP_TUNNEL_DEL] = "delete tunnel",
		[NL_OP_TUNNEL_ADD] = "create tunnel", [NL_OP_LINK_RENAME] = "rename link",
		[NL_OP_LINK_MTU] = "set MTU",         [NL_OP_LINK_UP] = "set link up",
		[NL_OP_SYSCTL] = "set sysctl",        [NL_OP_ADDR_ADD] = "add address",
		[NL_OP_ROUTE_ADD] = "add route",      [NL_OP_RULE_ADD] = "add rule",
		[NL_OP_FW_REPLACE] = "load firewall", [NL_OP_FW_DELETE] = "remove firewall",
		[NL_OP_EP_ADD] = "add MPTCP endpoint", [NL_OP_EP_DEL] = "delete MPTCP endpoint",
		[NL_OP_MPTCP_LIMITS] = "set MPTCP limits",
	};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

void nl_addr_describe(const struct nl_addr *a, char *buf, size_t len)
{
	char l[64], p[64] = "";
	nl_fmt_prefix(a->family, a->local, a->plen, l, sizeof(l));
	if (a->has_peer) {
		char t[INET6_ADDRSTRLEN];
		snprintf(p, sizeof(p), " peer %s", nl_fmt_addr(a->family, a->peer, t, sizeof(t)));
	}
	snprintf(buf, len, "%s%s dev %s", l, p, a->ifname);
}

void nl_route_describe(const struct nl_route *r, char *buf, size_t len)
{
	char d[64], g[INET6_ADDRSTRLEN + 5] = "";
	if (r->dst_len == 0)
		snprintf(d, sizeof(d), "default");
	else
		nl_fmt_prefix(r->family, r->dst, r->dst_len, d, sizeof(d));
	if (r->has_gw) {
		char t[INET6_ADDRSTRLEN];
		snprintf(g, sizeof(g), " via %s", nl_fmt_addr(r->family, r->gw, t, sizeof(t)));
	}
	snprintf(buf, len, "%s%s%s%s table %u metric %u",
		 r->type == RTN_UNREACHABLE ? "unreachable " : "", r->family == AF_INET6 ? "-6 " : "",
		 d, g, r->table, r->metric);
	if (r->oif[0] && r->type != RTN_UNREACHABLE) {
		size_t n = strnlen(buf, len);
		snprintf(buf + n, len - n, " dev %s", r->oif);
	}
}

void nl_rule_describe(const struct nl_rule *r, char *buf, size_t len)
{
	char s[64];
	nl_fmt_prefix(r->family, r->src, r->src_len, s, sizeof(s));
	snprintf(buf, len, "priority %u from %s lookup %u", r->prio, s, r->table);
}

void nl_op_describe(const struct nl_op *op, char *buf, size_t len)
{
	char o[200];
	switch (op->type) {
	case NL_OP_ADDR_ADD:
	case NL_OP_ADDR_DEL: nl_addr_describe(&op->u.addr, o, sizeof(o)); break;
	case NL_OP_ROUTE_ADD:
	case NL_OP_ROUTE_DEL: nl_route_describe(&op->u.route, o, sizeof(o)); break;
	case NL_OP_RULE_ADD:
	case NL_OP_RULE_DEL: nl_rule_describe(&op->u.rule, o, sizeof(o)); break;
	case NL_OP_SYSCTL: snprintf(o, sizeof(o), "%s=%s", op->u.sysctl.key, op->u.sysctl.value); break;
	case NL_OP_TUNNEL_ADD:
	case NL_OP_TUNNEL_DEL: snprintf(o, sizeof(o), "ip6gre %s", op->u.tunnel.ifname); break;
	case NL_OP_LINK_RENAME: snprintf(o, sizeof(o), "%s to %s", op->from, op->u.link.ifname); break;
	case NL_OP_LINK_MTU: snprintf(o, sizeof(o), "%s mtu %u", op->u.link.ifname, op->u.link.mtu); break;
	case NL_OP_LINK_UP: snprintf(o, sizeof(o), "%s", op->u.link.ifname); break;
	case NL_OP_FW_REPLACE:
	case NL_OP_FW_DELETE: snprintf(o, sizeof(o), "table inet %s", op->u.fw.table); break;
	case NL_OP_EP_ADD:
	case NL_OP_EP_DEL: {
		char t[INET6_ADDRSTRLEN];
		snprintf(o, sizeof(o), "id %u %s dev %s%s", op->u.ep.id,
			 nl_fmt_addr(op->u.ep.family, op->u.ep.addr, t, sizeof(t)), op->u.ep.ifname,
			 op->u.ep.flags & 4 ? " backup" : "");
		break;
	}
	case NL_OP_MPTCP_LIMITS:
		snprintf(o, sizeof(o), "subflows %u add_addr_accepted %u", op->u.limits.subflows,
			 op->u.limits.add_addr);
		break;
	}
	snprintf(buf, len, "%s %s", nl_op_name(op->type), o);
}
