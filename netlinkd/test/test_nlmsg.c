/* rtnetlink requests at the byte level.  The expected ip6gre request is
 * written out by hand from the kernel's uapi numbers (if_link.h/if_tunnel.h,
 * as literals, not the macros the code under test uses), the way
 * `ip link add gre1 type ip6gre local .. remote .. ikey .. okey ..
 * encaplimit none mtu 1448` sends it. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "../nlmsg.h"
#include "nltest.h"

static uint8_t buf[8192];

/* An independent little attribute writer for the expected bytes. */
struct w {
	uint8_t b[512];
	size_t n;
};
static void put(struct w *w, const void *p, size_t l)
{
	memcpy(w->b + w->n, p, l);
	w->n += l;
}
static void pad(struct w *w)
{
	while (w->n % 4)
		w->b[w->n++] = 0;
}
static size_t attr(struct w *w, uint16_t type, const void *p, uint16_t l)
{
	size_t at = w->n;
	uint16_t len = (uint16_t)(4 + l);
	put(w, &len, 2);
	put(w, &type, 2);
	if (p)
		put(w, p, l);
	pad(w);
	return at;
}
static void close_nest(struct w *w, size_t at)
{
	uint16_t len = (uint16_t)(w->n - at);
	memcpy(w->b + at, &len, 2);
}

static void test_ip6gre_bytes(void **s)
{
	(void)s;
	struct nl_tunnel t;
	memset(&t, 0, sizeof(t));
	strcpy(t.ifname, "gre1");
	inet_pton(AF_INET6, "2001:db8:100::2", t.local);
	inet_pton(AF_INET6, "2001:db8:ffff::1", t.remote);
	t.ikey = 0x12345678;
	t.okey = 0x9abcdef0;
	t.mtu = 1448;
	struct nlmsghdr *n = nl_msg_ip6gre(buf, &t, 7);

	struct w e = { .n = 0 };
	/* nlmsghdr: length patched below; RTM_NEWLINK = 16; REQUEST|ACK|EXCL|CREATE */
	uint32_t len = 0, seq = 7, pid = 0;
	uint16_t type = 16, flags = 0x001 | 0x004 | 0x200 | 0x400;
	put(&e, &len, 4);
	put(&e, &type, 2);
	put(&e, &flags, 2);
	put(&e, &seq, 4);
	put(&e, &pid, 4);
	uint8_t ifinfo[16] = { 0 }; /* AF_UNSPEC, no index: a new device */
	put(&e, ifinfo, 16);
	attr(&e, 3 /* IFLA_IFNAME */, "gre1", 5);
	uint32_t mtu = 1448;
	attr(&e, 4 /* IFLA_MTU */, &mtu, 4);
	/* Nests carry NLA_F_NESTED (0x8000), as the kernel's strict
	 * validation prefers. */
	size_t li = attr(&e, 0x8000 | 18 /* IFLA_LINKINFO */, NULL, 0);
	attr(&e, 1 /* IFLA_INFO_KIND */, "ip6gre", 7);
	size_t data = attr(&e, 0x8000 | 2 /* IFLA_INFO_DATA */, NULL, 0);
	attr(&e, 6 /* IFLA_GRE_LOCAL */, t.local, 16);
	attr(&e, 7 /* IFLA_GRE_REMOTE */, t.remote, 16);
	/* GRE_KEY is 0x2000 on the wire (big-endian); GRE_SEQ 0x1000 absent. */
	const uint8_t key_flag[2] = { 0x20, 0x00 };
	attr(&e, 2 /* IFLA_GRE_IFLAGS */, key_flag, 2);
	attr(&e, 3 /* IFLA_GRE_OFLAGS */, key_flag, 2);
	const uint8_t ikey[4] = { 0x12, 0x34, 0x56, 0x78 }, okey[4] = { 0x9a, 0xbc, 0xde, 0xf0 };
	attr(&e, 4 /* IFLA_GRE_IKEY */, ikey, 4);
	attr(&e, 5 /* IFLA_GRE_OKEY */, okey, 4);
	uint32_t tflags = 0x1; /* IP6_TNL_F_IGN_ENCAP_LIMIT, host order */
	attr(&e, 13 /* IFLA_GRE_FLAGS */, &tflags, 4);
	close_nest(&e, data);
	close_nest(&e, li);
	len = (uint32_t)e.n;
	memcpy(e.b, &len, 4);

	assert_int_equal(n->nlmsg_len, e.n);
	assert_int_equal(e.n, 152);
	assert_memory_equal(n, e.b, e.n);
}

static void test_ip6gre_no_mtu(void **s)
{
	(void)s;
	struct nl_tunnel t;
	memset(&t, 0, sizeof(t));
	strcpy(t.ifname, "gre2");
	struct nlmsghdr *n = nl_msg_ip6gre(buf, &t, 1);
	/* 8 bytes less: no IFLA_MTU. */
	assert_int_equal(n->nlmsg_len, 144);
	const struct nlattr *a;
	mnl_attr_for_each(a, n, sizeof(struct ifinfomsg))
		assert_int_not_equal(mnl_attr_get_type(a), 4);
}

static void test_alias(void **s)
{
	(void)s;
	struct nlmsghdr *n = nl_msg_alias(buf, 9, NL_ALIAS, 3);
	assert_int_equal(n->nlmsg_type, RTM_NEWLINK);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(n);
	assert_int_equal(ifi->ifi_index, 9);
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(n, sizeof(*ifi));
	assert_int_equal(mnl_attr_get_type(a), 20 /* IFLA_IFALIAS */);
	assert_string_equal(mnl_attr_get_str(a), "hgw-netlinkd");
}

static const struct nl_owner OWNER = { .proto = 73, .prio_min = 10000, .prio_max = 10999 };

static const struct nlattr *find(const struct nlmsghdr *n, size_t hdr, uint16_t type)
{
	const struct nlattr *a;
	mnl_attr_for_each(a, n, hdr)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static void test_addr_deprecated(void **s)
{
	(void)s;
	struct nl_op op;
	memset(&op, 0, sizeof(op));
	op.type = NL_OP_ADDR_ADD;
	struct nl_addr *a = &op.u.addr;
	strcpy(a->ifname, "lan0");
	a->family = AF_INET6;
	a->plen = 64;
	inet_pton(AF_INET6, "2001:db8:200::1", a->local);
	a->preferred = 0;
	a->valid = 5000;
	struct nlmsghdr *n = nl_msg_build(buf, &op, &OWNER, 4, 1);
	assert_int_equal(n->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(n->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(n);
	assert_int_equal(ifa->ifa_index, 4);
	assert_int_equal(ifa->ifa_prefixlen, 64);
	const struct nlattr *ci = find(n, sizeof(*ifa), IFA_CACHEINFO);
	assert_non_null(ci);
	const struct ifa_cacheinfo *c = mnl_attr_get_payload(ci);
	assert_int_equal(c->ifa_prefered, 0);
	assert_int_equal(c->ifa_valid, 5000);
	const struct nlattr *p = find(n, sizeof(*ifa), IFA_PROTO);
	assert_non_null(p);
	assert_int_equal(mnl_attr_get_u8(p), 73);
	assert_memory_equal(mnl_attr_get_payload(find(n, sizeof(*ifa), IFA_LOCAL)), a->local, 16);
	/* Forever: no cacheinfo at all (the kernel's default). */
	a->preferred = a->valid = NL_LFT_FOREVER;
	n = nl_msg_build(buf, &op, &OWNER, 4, 1);
	assert_null(find(n, sizeof(*ifa), IFA_CACHEINFO));
}

static void test_addr_peer(void **s)
{
	(void)s;
	struct nl_op op;
	memset(&op, 0, sizeof(op));
	op.type = NL_OP_ADDR_DEL;
	struct nl_addr *a = &op.u.addr;
	a->family = AF_INET;
	a->plen = 32;
	inet_pton(AF_INET, "198.51.100.2", a->local);
	inet_pton(AF_INET, "198.51.100.1", a->peer);
	a->has_peer = true;
	struct nlmsghdr *n = nl_msg_build(buf, &op, &OWNER, 5, 1);
	assert_int_equal(n->nlmsg_type, RTM_DELADDR);
	const struct nlattr *l = find(n, sizeof(struct ifaddrmsg), IFA_LOCAL);
	const struct nlattr *p = find(n, sizeof(struct ifaddrmsg), IFA_ADDRESS);
	assert_memory_equal(mnl_attr_get_payload(l), "\xc6\x33\x64\x02", 4);
	assert_memory_equal(mnl_attr_get_payload(p), "\xc6\x33\x64\x01", 4);
}

static void test_route_big_table(void **s)
{
	(void)s;
	struct nl_op op;
	memset(&op, 0, sizeof(op));
	op.type = NL_OP_ROUTE_ADD;
	struct nl_route *r = &op.u.route;
	r->family = AF_INET;
	r->type = RTN_UNICAST;
	r->table = 1000;
	r->metric = 300;
	strcpy(r->oif, "ppp0");
	struct nlmsghdr *n = nl_msg_build(buf, &op, &OWNER, 6, 1);
	const struct rtmsg *rt = mnl_nlmsg_get_payload(n);
	/* Tables above 255 only fit in RTA_TABLE. */
	assert_int_equal(rt->rtm_table, RT_TABLE_UNSPEC);
	assert_int_equal(mnl_attr_get_u32(find(n, sizeof(*rt), RTA_TABLE)), 1000);
	assert_int_equal(rt->rtm_protocol, 73);
	assert_int_equal(rt->rtm_scope, RT_SCOPE_LINK); /* device route */
	assert_null(find(n, sizeof(*rt), RTA_DST));       /* default */
	assert_null(find(n, sizeof(*rt), RTA_GATEWAY));
	assert_int_equal(mnl_attr_get_u32(find(n, sizeof(*rt), RTA_OIF)), 6);
	assert_int_equal(mnl_attr_get_u32(find(n, sizeof(*rt), RTA_PRIORITY)), 300);
	/* Unreachable: no device, no gateway. */
	r->type = RTN_UNREACHABLE;
	r->family = AF_INET6;
	r->dst_len = 56;
	n = nl_msg_build(buf, &op, &OWNER, 0, 1);
	rt = mnl_nlmsg_get_payload(n);
	assert_int_equal(rt->rtm_type, RTN_UNREACHABLE);
	assert_null(find(n, sizeof(*rt), RTA_OIF));
	assert_int_equal(mnl_attr_get_payload_len(find(n, sizeof(*rt), RTA_DST)), 16);
}

static void test_rule(void **s)
{
	(void)s;
	struct nl_op op;
	memset(&op, 0, sizeof(op));
	op.type = NL_OP_RULE_ADD;
	struct nl_rule *r = &op.u.rule;
	r->family = AF_INET6;
	r->src_len = 128;
	inet_pton(AF_INET6, "2001:db8:100::2", r->src);
	r->prio = 10120;
	r->table = 203;
	struct nlmsghdr *n = nl_msg_build(buf, &op, &OWNER, 0, 1);
	assert_int_equal(n->nlmsg_type, RTM_NEWRULE);
	assert_true(n->nlmsg_flags & NLM_F_EXCL);
	const struct fib_rule_hdr *fr = mnl_nlmsg_get_payload(n);
	assert_int_equal(fr->action, FR_ACT_TO_TBL);
	assert_int_equal(fr->src_len, 128);
	assert_int_equal(fr->table, 203);
	assert_int_equal(mnl_attr_get_u32(find(n, sizeof(*fr), FRA_PRIORITY)), 10120);
	assert_int_equal(mnl_attr_get_u8(find(n, sizeof(*fr), FRA_PROTOCOL)), 73);
	assert_int_equal(mnl_attr_get_u32(find(n, sizeof(*fr), FRA_TABLE)), 203);
}

static void test_link_ops(void **s)
{
	(void)s;
	struct nl_op op;
	memset(&op, 0, sizeof(op));
	op.type = NL_OP_LINK_UP;
	struct nlmsghdr *n = nl_msg_build(buf, &op, &OWNER, 3, 1);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(n);
	assert_int_equal(ifi->ifi_index, 3);
	assert_int_equal(ifi->ifi_flags, 1 /* IFF_UP */);
	assert_int_equal(ifi->ifi_change, 1);
	op.type = NL_OP_LINK_MTU;
	op.u.link.mtu = 1492;
	n = nl_msg_build(buf, &op, &OWNER, 3, 1);
	ifi = mnl_nlmsg_get_payload(n);
	assert_int_equal(ifi->ifi_change, 0); /* flags untouched */
	assert_int_equal(mnl_attr_get_u32(find(n, sizeof(*ifi), 4 /* IFLA_MTU */)), 1492);
	op.type = NL_OP_SYSCTL;
	assert_null(nl_msg_build(buf, &op, &OWNER, 0, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip6gre_bytes),   cmocka_unit_test(test_ip6gre_no_mtu),
		cmocka_unit_test(test_alias),          cmocka_unit_test(test_addr_deprecated),
		cmocka_unit_test(test_addr_peer),      cmocka_unit_test(test_route_big_table),
		cmocka_unit_test(test_rule),           cmocka_unit_test(test_link_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
