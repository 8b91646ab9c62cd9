/* The rtnetlink backend: dumps through libmnl, one request per change with
 * an ACK, the kernel's extended-ACK text kept for netlinkd.json. */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>

#include <linux/if_addr.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/mptcp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "backend_kernel.h"
#include "log.h"
#include "nft.h"
#include "nlmsg.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

/* ---- dumps ---- */

struct dump_ctx {
	struct nl_kstate *k;
	int family_filter;
};

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int t = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFLA_MAX) >= 0)
		tb[t] = a;
	return MNL_CB_OK;
}

static int info_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int t = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFLA_INFO_MAX) >= 0)
		tb[t] = a;
	return MNL_CB_OK;
}

int nlk_any_attr(const struct nlattr *a, void *data);
void nlk_get_addr(const struct nlattr *a, int family, uint8_t *out);

static int on_link(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(n);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	mnl_attr_parse(n, sizeof(*ifi), link_attr, tb);
	if (c->k->n_links >= NL_MAX_KLINKS) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_klink *l = &c->k->links[c->k->n_links++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_IFNAME])
		snprintf(l->ifname, sizeof(l->ifname), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
		l->has_mac = true;
	}
	if (tb[IFLA_IFALIAS])
		snprintf(l->alias, sizeof(l->alias), "%.*s",
			 (int)mnl_attr_get_payload_len(tb[IFLA_IFALIAS]),
			 (const char *)mnl_attr_get_payload(tb[IFLA_IFALIAS]));
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *info[IFLA_INFO_MAX + 1] = { 0 };
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], info_attr, info);
		if (info[IFLA_INFO_KIND])
			snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(info[IFLA_INFO_KIND]));
		if (strcmp(l->kind, "ip6gre") == 0 && info[IFLA_INFO_DATA]) {
			const struct nlattr *gre[41] = { 0 };
			mnl_attr_parse_nested(info[IFLA_INFO_DATA], nlk_any_attr, gre);
			l->has_tun = true;
			memcpy(l->tun.ifname, l->ifname, NL_IFNAMSIZ);
			nlk_get_addr(gre[IFLA_GRE_LOCAL], AF_INET6, l->tun.local);
			nlk_get_addr(gre[IFLA_GRE_REMOTE], AF_INET6, l->tun.remote);
			if (gre[IFLA_GRE_IKEY])
				l->tun.ikey = ntohl(mnl_attr_get_u32(gre[IFLA_GRE_IKEY]));
			if (gre[IFLA_GRE_OKEY])
				l->tun.okey = ntohl(mnl_attr_get_u32(gre[IFLA_GRE_OKEY]));
			l->tun.mtu = l->mtu;
		}
	}
	return MNL_CB_OK;
}

const char *nlk_ifname_of(const struct nl_kstate *k, int ifindex)
{
	for (int i = 0; i < k->n_links; i++)
		if (k->links[i].ifindex == ifindex)
			return k->links[i].ifname;
	return "";
}

int nlk_any_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int t = mnl_attr_get_type(a);
	if (t <= 40) /* every *_MAX we parse is below this */
		tb[t] = a;
	return MNL_CB_OK;
}

void nlk_get_addr(const struct nlattr *a, int family, uint8_t *out)
{
	size_t alen = (size_t)nl_alen(family);
	if (a && mnl_attr_get_payload_len(a) >= alen)
		memcpy(out, mnl_attr_get_payload(a), alen);
}

static int on_addr(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(n);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	const struct nlattr *tb[41] = { 0 };
	mnl_attr_parse(n, sizeof(*ifa), nlk_any_attr, tb);
	if (c->k->n_addrs >= NL_MAX_KADDRS) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_addr *a = &c->k->addrs[c->k->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->family = ifa->ifa_family;
	a->plen = ifa->ifa_prefixlen;
	snprintf(a->ifname, sizeof(a->ifname), "%s", nlk_ifname_of(c->k, (int)ifa->ifa_index));
	/* With a peer, IFA_LOCAL is ours and IFA_ADDRESS the peer; without,
	 * IPv6 sends only IFA_ADDRESS. */
	if (tb[IFA_LOCAL]) {
		nlk_get_addr(tb[IFA_LOCAL], a->family, a->local);
		if (tb[IFA_ADDRESS]) {
			nlk_get_addr(tb[IFA_ADDRESS], a->family, a->peer);
			a->has_peer = memcmp(a->peer, a->local, (size_t)nl_alen(a->family)) != 0;
		}
	} else {
		nlk_get_addr(tb[IFA_ADDRESS], a->family, a->local);
	}
	a->preferred = a->valid = NL_LFT_FOREVER;
	if (tb[IFA_CACHEINFO] &&
	    mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);
		a->preferred = ci->ifa_prefered;
		a->valid = ci->ifa_valid;
	}
	if (tb[IFA_PROTO])
		a->proto = mnl_attr_get_u8(tb[IFA_PROTO]);
	return MNL_CB_OK;
}

static int on_route(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct rtmsg *rt = mnl_nlmsg_get_payload(n);
	if (rt->rtm_flags & RTM_F_CLONED)
		return MNL_CB_OK;
	const struct nlattr *tb[41] = { 0 };
	mnl_attr_parse(n, sizeof(*rt), nlk_any_attr, tb);
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	/* The local table is the kernel's bookkeeping of our own addresses. */
	if (table == RT_TABLE_LOCAL)
		return MNL_CB_OK;
	if (rt->rtm_type != RTN_UNICAST && rt->rtm_type != RTN_UNREACHABLE &&
	    rt->rtm_type != RTN_BLACKHOLE && rt->rtm_type != RTN_PROHIBIT)
		return MNL_CB_OK;
	if (c->k->n_routes >= NL_MAX_KROUTES) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_route *r = &c->k->routes[c->k->n_routes++];
	memset(r, 0, sizeof(*r));
	r->family = rt->rtm_family;
	r->dst_len = rt->rtm_dst_len;
	r->type = rt->rtm_type;
	r->table = table;
	r->proto = rt->rtm_protocol;
	nlk_get_addr(tb[RTA_DST], r->family, r->dst);
	if (tb[RTA_GATEWAY]) {
		nlk_get_addr(tb[RTA_GATEWAY], r->family, r->gw);
		r->has_gw = true;
	}
	if (tb[RTA_OIF])
		snprintf(r->oif, sizeof(r->oif), "%s",
			 nlk_ifname_of(c->k, (int)mnl_attr_get_u32(tb[RTA_OIF])));
	if (tb[RTA_PRIORITY])
		r->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	return MNL_CB_OK;
}

static int on_rule(const struct nlmsghdr *n, void *data)
{
	struct dump_ctx *c = data;
	const struct fib_rule_hdr *fr = mnl_nlmsg_get_payload(n);
	const struct nlattr *tb[41] = { 0 };
	mnl_attr_parse(n, sizeof(*fr), nlk_any_attr, tb);
	if (c->k->n_rules >= NL_MAX_KRULES) {
		c->k->overflow = true;
		return MNL_CB_OK;
	}
	struct nl_rule *r = &c->k->rules[c->k->n_rules++];
	memset(r, 0, sizeof(*r));
	r->family = fr->family;
	r->src_len = fr->src_len;
	r->table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : fr->table;
	r->prio = tb[FRA_PRIORITY] ? mnl_attr_get_u32(tb[FRA_PRIORITY]) : 0;
	nlk_get_addr(tb[FRA_SRC], r->family, r->src);
	if (tb[FRA_PROTOCOL])
		r->proto = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	return MNL_CB_OK;
}

static int dump_one(struct kb *kb, uint16_t type, int family, size_t hdrlen, mnl_cb_t cb,
		    struct dump_ctx *c)
{
	struct nlmsghdr *n = mnl_nlmsg_put_header(kb->buf);
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	n->nlmsg_seq = ++kb->seq;
	/* Every one of these requests starts with a one-byte family. */
	uint8_t *fam = mnl_nlmsg_put_extra_header(n, hdrlen);
	fam[0] = (uint8_t)family;
	if (mnl_socket_sendto(kb->nl, n, n->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nl, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		int rc = mnl_cb_run(kb->buf, (size_t)len, kb->seq, kb->portid, cb, c);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
	}
}

static int kb_dump(struct nl_backend *b, struct nl_kstate *k)
{
	struct kb *kb = (struct kb *)b;
	struct dump_ctx c = { .k = k };
	k->n_links = k->n_addrs = k->n_routes = k->n_rules = 0;
	k->overflow = false;
	int rc;
	if ((rc = dump_one(kb, RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), on_link, &c)) ||
	    (rc = dump_one(kb, RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), on_addr, &c)) ||
	    (rc = dump_one(kb, RTM_GETROUTE, AF_INET, sizeof(struct rtmsg), on_route, &c)) ||
	    (rc = dump_one(kb, RTM_GETROUTE, AF_INET6, sizeof(struct rtmsg), on_route, &c)) ||
	    (rc = dump_one(kb, RTM_GETRULE, AF_INET, sizeof(struct fib_rule_hdr), on_rule, &c)) ||
	    (rc = dump_one(kb, RTM_GETRULE, AF_INET6, sizeof(struct fib_rule_hdr), on_rule, &c)) ||
	    (rc = nlk_fw_dump(kb, k)) || (rc = nlk_mptcp_dump(kb, k)))
		return rc;
	return k->overflow ? -EOVERFLOW : 0;
}

/* ---- changes ---- */

int nlk_err_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_get_type(a) <= NLMSGERR_ATTR_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

void nlk_ext_ack(const struct nlmsghdr *h, char *err, size_t errlen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* The TLVs follow the echoed request (its header only, when
	 * NLM_F_CAPPED says the kernel cut it). */
	size_t off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	mnl_attr_parse(h, (unsigned)off, nlk_err_attr, tb);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(err, errlen, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
}

/* Sends one request and waits for its ACK.  0 or -errno, with the kernel's
 * extended-ACK message (if it gave one) in err. */
static int transact(struct kb *kb, struct nlmsghdr *n, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	kb->b.netlink_writes++;
	if (mnl_socket_sendto(kb->nl, n, n->nlmsg_len) < 0)
		return -errno;
	uint32_t seq = n->nlmsg_seq;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nl, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && err)
				nlk_ext_ack(h, err, errlen);
			return e->error;
		}
	}
}

static int sysctl_path(struct kb *kb, const char *key, char *path, size_t len)
{
	if (strstr(key, ".."))
		return -EINVAL;
	snprintf(path, len, "%s/%s", kb->proc_sys, key);
	return 0;
}

static int kb_sysctl_get(struct nl_backend *b, const char *key, char *val, size_t len)
{
	struct kb *kb = (struct kb *)b;
	char path[256];
	if (sysctl_path(kb, key, path, sizeof(path)))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, val, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	val[n] = 0;
	return 0;
}

static int sysctl_set(struct kb *kb, const struct nl_sysctl *s, char *err, size_t errlen)
{
	char path[256];
	if (sysctl_path(kb, s->key, path, sizeof(path)))
		return -EINVAL;
	kb->b.sysctl_writes++;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	ssize_t n = write(fd, s->value, strlen(s->value));
	int e = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

static const char *op_ifname(const struct nl_op *op)
{
	switch (op->type) {
	case NL_OP_ADDR_ADD:
	case NL_OP_ADDR_DEL: return op->u.addr.ifname;
	case NL_OP_ROUTE_ADD:
	case NL_OP_ROUTE_DEL: return op->u.route.type == RTN_UNICAST ? op->u.route.oif : NULL;
	case NL_OP_LINK_RENAME: return op->from;
	case NL_OP_LINK_MTU:
	case NL_OP_LINK_UP: return op->u.link.ifname;
	case NL_OP_TUNNEL_DEL: return op->u.tunnel.ifname;
	default: return NULL;
	}
}

static int kb_apply(struct nl_backend *b, const struct nl_op *op, const struct nl_owner *o,
		    char *err, size_t errlen)
{
	struct kb *kb = (struct kb *)b;
	err[0] = 0;
	if (op->type == NL_OP_SYSCTL)
		return sysctl_set(kb, &op->u.sysctl, err, errlen);
	if (op->type == NL_OP_FW_REPLACE || op->type == NL_OP_FW_DELETE)
		return nlk_fw_apply(kb, op, err, errlen);
	if (op->type == NL_OP_EP_ADD || op->type == NL_OP_EP_DEL || op->type == NL_OP_MPTCP_LIMITS)
		return nlk_mptcp_apply(kb, op, err, errlen);
	int ifindex = 0;
	const char *ifn = op_ifname(op);
	if (ifn && ifn[0]) {
		ifindex = (int)if_nametoindex(ifn);
		if (!ifindex) {
			snprintf(err, errlen, "interface %s does not exist", ifn);
			return -ENODEV;
		}
	}
	char msg[8192];
	if (op->type == NL_OP_LINK_RENAME) {
		/* A link must be down to be renamed; bring it back up after. */
		unsigned flags = 0;
		struct nl_op down = { .type = NL_OP_LINK_UP };
		struct nlmsghdr *n = nl_msg_build(msg, &down, o, ifindex, ++kb->seq);
		struct ifinfomsg *ifi = mnl_nlmsg_get_payload(n);
		struct ifreq ifr;
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, op->from, sizeof(op->from) < IFNAMSIZ ? sizeof(op->from) : IFNAMSIZ);
		if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
			flags = (unsigned)ifr.ifr_flags;
		if (s >= 0)
			close(s);
		ifi->ifi_flags = 0;
		int rc = transact(kb, n, err, errlen);
		if (rc == 0) {
			n = nl_msg_build(msg, op, o, ifindex, ++kb->seq);
			rc = transact(kb, n, err, errlen);
		}
		if (flags & IFF_UP) {
			n = nl_msg_build(msg, &down, o, ifindex, ++kb->seq);
			transact(kb, n, NULL, 0);
		}
		return rc;
	}
	struct nlmsghdr *n = nl_msg_build(msg, op, o, ifindex, ++kb->seq);
	if (!n)
		return -EINVAL;
	int rc = transact(kb, n, err, errlen);
	if (rc == 0 && op->type == NL_OP_TUNNEL_ADD) {
		int idx = (int)if_nametoindex(op->u.tunnel.ifname);
		if (idx) {
			n = nl_msg_alias(msg, idx, NL_ALIAS, ++kb->seq);
			rc = transact(kb, n, err, errlen);
		}
	}
	return rc;
}

int nlk_sock_open(struct mnl_socket **s, int bus)
{
	if (*s)
		return 0;
	*s = mnl_socket_open(bus);
	if (!*s || mnl_socket_bind(*s, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno ? errno : EIO;
		if (*s)
			mnl_socket_close(*s);
		*s = NULL;
		return -e;
	}
	int one = 1;
	mnl_socket_setsockopt(*s, NETLINK_EXT_ACK, &one, sizeof(one));
	return 0;
}

static void kb_free(struct nl_backend *b)
{
	struct kb *kb = (struct kb *)b;
	if (kb->nl)
		mnl_socket_close(kb->nl);
	if (kb->nf)
		mnl_socket_close(kb->nf);
	if (kb->gn)
		mnl_socket_close(kb->gn);
	free(kb);
}

struct nl_backend *nl_backend_kernel(const char *proc_sys)
{
	struct kb *kb = calloc(1, sizeof(*kb));
	if (!kb)
		return NULL;
	kb->b.dump = kb_dump;
	kb->b.apply = kb_apply;
	kb->b.sysctl_get = kb_sysctl_get;
	kb->b.free = kb_free;
	snprintf(kb->proc_sys, sizeof(kb->proc_sys), "%s", proc_sys ? proc_sys : "/proc/sys");
	int rc = nlk_sock_open(&kb->nl, NETLINK_ROUTE);
	if (rc < 0) {
		log_err("netlink socket: %s", strerror(-rc));
		kb_free(&kb->b);
		return NULL;
	}
	kb->portid = mnl_socket_get_portid(kb->nl);
	kb->seq = (uint32_t)time(NULL);
	return &kb->b;
}
