/* nftables ruleset -> nfnetlink batch (see nft.h).  The expressions are
 * the ones `nft --debug=netlink` shows for the equivalent nft syntax,
 * quoted above each rule builder. */
#include "nft.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct b {
	char *buf;
	size_t len, off;
	uint32_t seq;
	bool full;
	struct nlmsghdr *n; /* message being built */
	struct nlattr *exprs;
};

static struct nlmsghdr *msg(struct b *b, uint16_t type, uint16_t flags, uint8_t family)
{
	/* Room for the largest message we build (a port-forward rule). */
	if (b->off + 1024 > b->len) {
		b->full = true;
		b->off = 0; /* keep writing somewhere harmless; result discarded */
	}
	/* libmnl before 1.0.5 leaves attribute padding as it finds it: start
	 * from zeros so the bytes (and the ruleset hash) are deterministic. */
	memset(b->buf + b->off, 0, 1024);
	struct nlmsghdr *n = mnl_nlmsg_put_header(b->buf + b->off);
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_REQUEST | flags;
	n->nlmsg_seq = b->seq++;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(n, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	b->n = n;
	return n;
}

static void done(struct b *b)
{
	b->off += NLMSG_ALIGN(b->n->nlmsg_len);
}

static void batch_mark(struct b *b, uint16_t type)
{
	struct nlmsghdr *n = msg(b, type, 0, AF_UNSPEC);
	struct nfgenmsg *g = mnl_nlmsg_get_payload(n);
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	done(b);
}

static uint16_t nft_type(int m)
{
	return (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | m);
}

static void table_msg(struct b *b, int m, const char *table, const char *tag)
{
	struct nlmsghdr *n = msg(b, nft_type(m), m == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0,
				 NFPROTO_INET);
	mnl_attr_put_strz(n, NFTA_TABLE_NAME, table);
	if (m == NFT_MSG_NEWTABLE)
		mnl_attr_put_u32(n, NFTA_TABLE_FLAGS, 0);
	if (tag)
		mnl_attr_put(n, NFTA_TABLE_USERDATA, strlen(tag), tag);
	done(b);
}

static void chain_msg(struct b *b, const char *table, const char *name, const char *type,
		      uint32_t hook, int32_t prio, uint32_t policy)
{
	struct nlmsghdr *n = msg(b, nft_type(NFT_MSG_NEWCHAIN), NLM_F_CREATE, NFPROTO_INET);
	mnl_attr_put_strz(n, NFTA_CHAIN_TABLE, table);
	mnl_attr_put_strz(n, NFTA_CHAIN_NAME, name);
	struct nlattr *h = mnl_attr_nest_start(n, NFTA_CHAIN_HOOK);
	mnl_attr_put_u32(n, NFTA_HOOK_HOOKNUM, htonl(hook));
	mnl_attr_put_u32(n, NFTA_HOOK_PRIORITY, htonl((uint32_t)prio));
	mnl_attr_nest_end(n, h);
	mnl_attr_put_u32(n, NFTA_CHAIN_POLICY, htonl(policy));
	mnl_attr_put_strz(n, NFTA_CHAIN_TYPE, type);
	done(b);
}

static void rule_begin(struct b *b, const char *table, const char *chain)
{
	struct nlmsghdr *n = msg(b, nft_type(NFT_MSG_NEWRULE), NLM_F_CREATE | NLM_F_APPEND,
				 NFPROTO_INET);
	mnl_attr_put_strz(n, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(n, NFTA_RULE_CHAIN, chain);
	b->exprs = mnl_attr_nest_start(n, NFTA_RULE_EXPRESSIONS);
}

static void rule_end(struct b *b)
{
	mnl_attr_nest_end(b->n, b->exprs);
	done(b);
}

/* One expression: NFTA_LIST_ELEM { NAME, DATA { ... } }; returns DATA. */
static struct nlattr *expr(struct b *b, const char *name, struct nlattr **elem)
{
	*elem = mnl_attr_nest_start(b->n, NFTA_LIST_ELEM);
	mnl_attr_put_strz(b->n, NFTA_EXPR_NAME, name);
	return mnl_attr_nest_start(b->n, NFTA_EXPR_DATA);
}

static void expr_end(struct b *b, struct nlattr *data, struct nlattr *elem)
{
	mnl_attr_nest_end(b->n, data);
	mnl_attr_nest_end(b->n, elem);
}

static void put_data(struct b *b, uint16_t type, const void *v, size_t len)
{
	struct nlattr *d = mnl_attr_nest_start(b->n, type);
	mnl_attr_put(b->n, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(b->n, d);
}

static void e_meta(struct b *b, uint32_t key)
{
	struct nlattr *el, *d = expr(b, "meta", &el);
	mnl_attr_put_u32(b->n, NFTA_META_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_META_KEY, htonl(key));
	expr_end(b, d, el);
}

static void e_cmp(struct b *b, uint32_t op, const void *v, size_t len)
{
	struct nlattr *el, *d = expr(b, "cmp", &el);
	mnl_attr_put_u32(b->n, NFTA_CMP_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_CMP_OP, htonl(op));
	put_data(b, NFTA_CMP_DATA, v, len);
	expr_end(b, d, el);
}

static void e_bitwise(struct b *b, const void *mask, size_t len)
{
	static const uint8_t zero[16];
	struct nlattr *el, *d = expr(b, "bitwise", &el);
	mnl_attr_put_u32(b->n, NFTA_BITWISE_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_BITWISE_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_BITWISE_LEN, htonl((uint32_t)len));
	put_data(b, NFTA_BITWISE_MASK, mask, len);
	put_data(b, NFTA_BITWISE_XOR, zero, len);
	expr_end(b, d, el);
}

static void e_payload_th(struct b *b, uint32_t offset, uint32_t len)
{
	struct nlattr *el, *d = expr(b, "payload", &el);
	mnl_attr_put_u32(b->n, NFTA_PAYLOAD_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_PAYLOAD_BASE, htonl(NFT_PAYLOAD_TRANSPORT_HEADER));
	mnl_attr_put_u32(b->n, NFTA_PAYLOAD_OFFSET, htonl(offset));
	mnl_attr_put_u32(b->n, NFTA_PAYLOAD_LEN, htonl(len));
	expr_end(b, d, el);
}

static void e_verdict(struct b *b, int32_t code)
{
	struct nlattr *el, *d = expr(b, "immediate", &el);
	mnl_attr_put_u32(b->n, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
	struct nlattr *data = mnl_attr_nest_start(b->n, NFTA_IMMEDIATE_DATA);
	struct nlattr *v = mnl_attr_nest_start(b->n, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(b->n, NFTA_VERDICT_CODE, htonl((uint32_t)code));
	mnl_attr_nest_end(b->n, v);
	mnl_attr_nest_end(b->n, data);
	expr_end(b, d, el);
}

static void e_imm(struct b *b, uint32_t reg, const void *v, size_t len)
{
	struct nlattr *el, *d = expr(b, "immediate", &el);
	mnl_attr_put_u32(b->n, NFTA_IMMEDIATE_DREG, htonl(reg));
	put_data(b, NFTA_IMMEDIATE_DATA, v, len);
	expr_end(b, d, el);
}

/* ct <key> & mask != 0 */
static void m_ct_bits(struct b *b, uint32_t key, uint32_t mask)
{
	struct nlattr *el, *d = expr(b, "ct", &el);
	mnl_attr_put_u32(b->n, NFTA_CT_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_CT_KEY, htonl(key));
	expr_end(b, d, el);
	static const uint32_t zero;
	e_bitwise(b, &mask, 4); /* conntrack bits are host-endian */
	e_cmp(b, NFT_CMP_NEQ, &zero, 4);
}

static void m_ifname(struct b *b, uint32_t key, const char *name)
{
	char v[16] = { 0 };
	memcpy(v, name, strnlen(name, 15));
	e_meta(b, key);
	e_cmp(b, NFT_CMP_EQ, v, 16);
}

static void m_u8(struct b *b, uint32_t key, uint8_t v)
{
	e_meta(b, key);
	e_cmp(b, NFT_CMP_EQ, &v, 1);
}

static void m_dport(struct b *b, uint8_t proto, uint16_t port)
{
	m_u8(b, NFT_META_L4PROTO, proto);
	uint16_t p = htons(port);
	e_payload_th(b, 2, 2);
	e_cmp(b, NFT_CMP_EQ, &p, 2);
}

/* Both filter chains start alike:
 *   ct state established,related accept
 *   ct state invalid drop
 *   meta l4proto icmp accept
 *   meta l4proto ipv6-icmp accept */
static void common_head(struct b *b, const char *t, const char *chain)
{
	rule_begin(b, t, chain);
	m_ct_bits(b, NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED));
	e_verdict(b, NF_ACCEPT);
	rule_end(b);
	rule_begin(b, t, chain);
	m_ct_bits(b, NFT_CT_STATE, NF_CT_STATE_INVALID_BIT);
	e_verdict(b, NF_DROP);
	rule_end(b);
	static const uint8_t icmp[] = { IPPROTO_ICMP, IPPROTO_ICMPV6 };
	for (size_t i = 0; i < sizeof(icmp); i++) {
		rule_begin(b, t, chain);
		m_u8(b, NFT_META_L4PROTO, icmp[i]);
		e_verdict(b, NF_ACCEPT);
		rule_end(b);
	}
}

static void ruleset(struct b *b, const struct nl_fw *fw, const char *t)
{
	chain_msg(b, t, "input", "filter", NF_INET_LOCAL_IN, 0, NF_DROP);
	chain_msg(b, t, "forward", "filter", NF_INET_FORWARD, 0, NF_DROP);
	chain_msg(b, t, "prerouting", "nat", NF_INET_PRE_ROUTING, -100, NF_ACCEPT);
	chain_msg(b, t, "postrouting", "nat", NF_INET_POST_ROUTING, 100, NF_ACCEPT);

	/* input: the router itself. */
	common_head(b, t, "input");
	rule_begin(b, t, "input"); /* iifname "lo" accept */
	m_ifname(b, NFT_META_IIFNAME, "lo");
	e_verdict(b, NF_ACCEPT);
	rule_end(b);
	/* The router's own clients on the WANs: DHCPv4 and DHCPv6 replies
	 * (udp dport 68, 546) and the RFC 8157 GRE tunnels from the HAAP
	 * (meta l4proto gre) arrive unsolicited as far as conntrack knows. */
	static const uint16_t client_ports[] = { 68, 546 };
	for (size_t i = 0; i < 2; i++) {
		rule_begin(b, t, "input");
		m_dport(b, IPPROTO_UDP, client_ports[i]);
		e_verdict(b, NF_ACCEPT);
		rule_end(b);
	}
	rule_begin(b, t, "input");
	m_u8(b, NFT_META_L4PROTO, IPPROTO_GRE);
	e_verdict(b, NF_ACCEPT);
	rule_end(b);
	for (int i = 0; i < fw->n_lan; i++) { /* iifname "<lan>" accept */
		rule_begin(b, t, "input");
		m_ifname(b, NFT_META_IIFNAME, fw->lan[i]);
		e_verdict(b, NF_ACCEPT);
		rule_end(b);
	}

	/* forward: first the MSS clamp on every forwarded SYN (no verdict):
	 *   meta l4proto tcp tcp flags & syn == syn
	 *   tcp option maxseg size set rt mtu */
	rule_begin(b, t, "forward");
	m_u8(b, NFT_META_L4PROTO, IPPROTO_TCP);
	e_payload_th(b, 13, 1);
	static const uint8_t syn = 0x02;
	e_bitwise(b, &syn, 1);
	e_cmp(b, NFT_CMP_EQ, &syn, 1);
	struct nlattr *el, *d = expr(b, "rt", &el);
	mnl_attr_put_u32(b->n, NFTA_RT_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_RT_KEY, htonl(NFT_RT_TCPMSS));
	expr_end(b, d, el);
	d = expr(b, "byteorder", &el);
	mnl_attr_put_u32(b->n, NFTA_BYTEORDER_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_BYTEORDER_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(b->n, NFTA_BYTEORDER_OP, htonl(NFT_BYTEORDER_HTON));
	mnl_attr_put_u32(b->n, NFTA_BYTEORDER_LEN, htonl(2));
	mnl_attr_put_u32(b->n, NFTA_BYTEORDER_SIZE, htonl(2));
	expr_end(b, d, el);
	d = expr(b, "exthdr", &el);
	mnl_attr_put_u32(b->n, NFTA_EXTHDR_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u8(b->n, NFTA_EXTHDR_TYPE, 2 /* TCPOPT_MAXSEG */);
	mnl_attr_put_u32(b->n, NFTA_EXTHDR_OFFSET, htonl(2));
	mnl_attr_put_u32(b->n, NFTA_EXTHDR_LEN, htonl(2));
	mnl_attr_put_u32(b->n, NFTA_EXTHDR_OP, htonl(NFT_EXTHDR_OP_TCPOPT));
	expr_end(b, d, el);
	rule_end(b);
	common_head(b, t, "forward");
	for (int i = 0; i < fw->n_lan; i++) { /* LAN to anywhere */
		rule_begin(b, t, "forward");
		m_ifname(b, NFT_META_IIFNAME, fw->lan[i]);
		e_verdict(b, NF_ACCEPT);
		rule_end(b);
	}
	rule_begin(b, t, "forward"); /* ct status dnat accept: the port forwards */
	m_ct_bits(b, NFT_CT_STATUS, IPS_DST_NAT);
	e_verdict(b, NF_ACCEPT);
	rule_end(b);

	/* prerouting: meta nfproto ipv4 iifname "<wan>" meta l4proto tcp
	 * th dport P dnat ip to A:Q */
	for (int w = 0; w < fw->n_wan; w++)
		for (int i = 0; i < fw->n_pf; i++) {
			const struct nl_pfwd *p = &fw->pf[i];
			rule_begin(b, t, "prerouting");
			m_u8(b, NFT_META_NFPROTO, NFPROTO_IPV4);
			m_ifname(b, NFT_META_IIFNAME, fw->wan[w]);
			m_dport(b, p->proto, p->port);
			e_imm(b, NFT_REG_1, p->to, 4);
			uint16_t to_port = htons(p->to_port ? p->to_port : p->port);
			e_imm(b, NFT_REG_2, &to_port, 2);
			d = expr(b, "nat", &el);
			mnl_attr_put_u32(b->n, NFTA_NAT_TYPE, htonl(NFT_NAT_DNAT));
			mnl_attr_put_u32(b->n, NFTA_NAT_FAMILY, htonl(NFPROTO_IPV4));
			mnl_attr_put_u32(b->n, NFTA_NAT_REG_ADDR_MIN, htonl(NFT_REG_1));
			mnl_attr_put_u32(b->n, NFTA_NAT_REG_PROTO_MIN, htonl(NFT_REG_2));
			mnl_attr_put_u32(b->n, NFTA_NAT_FLAGS, htonl(0x2 /* PROTO_SPECIFIED */));
			expr_end(b, d, el);
			rule_end(b);
		}
	/* postrouting: meta nfproto ipv4 oifname "<wan>" masquerade */
	for (int w = 0; w < fw->n_wan; w++) {
		rule_begin(b, t, "postrouting");
		m_u8(b, NFT_META_NFPROTO, NFPROTO_IPV4);
		m_ifname(b, NFT_META_OIFNAME, fw->wan[w]);
		d = expr(b, "masq", &el);
		expr_end(b, d, el);
		rule_end(b);
	}
}

int nl_fw_rule_count(const struct nl_fw *fw)
{
	/* input 4 + lo + 2 dhcp + gre + lans; forward clamp + 4 + lans + dnat;
	 * nat: forwards per WAN, masquerade per WAN. */
	return 8 + fw->n_lan + 6 + fw->n_lan + fw->n_wan * fw->n_pf + fw->n_wan;
}

static size_t build(void *buf, size_t len, const struct nl_fw *fw, const char *table,
		    const char *tag, uint32_t seq, uint32_t *last_seq)
{
	struct b b = { .buf = buf, .len = len, .seq = seq };
	batch_mark(&b, NFNL_MSG_BATCH_BEGIN);
	/* Create-if-missing then delete: the delete cannot fail for a table
	 * that is not there, on every kernel (no need for DESTROY, 6.3+). */
	table_msg(&b, NFT_MSG_NEWTABLE, table, NULL);
	table_msg(&b, NFT_MSG_DELTABLE, table, NULL);
	if (fw) {
		table_msg(&b, NFT_MSG_NEWTABLE, table, tag);
		ruleset(&b, fw, table);
	}
	/* The last real message asks for the ACK that confirms the commit. */
	b.n->nlmsg_flags |= NLM_F_ACK;
	if (last_seq)
		*last_seq = b.n->nlmsg_seq;
	batch_mark(&b, NFNL_MSG_BATCH_END);
	return b.full ? 0 : b.off;
}

void nl_fw_tag(const struct nl_fw *fw, char *tag, size_t len)
{
	size_t cap = 256 * 1024;
	char *buf = malloc(cap);
	size_t n = buf ? build(buf, cap, fw, fw->table, NULL, 0, NULL) : 0;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)buf[i];
		h *= 1099511628211ULL;
	}
	free(buf);
	snprintf(tag, len, "%s%016llx", NL_FW_TAG, (unsigned long long)h);
}

size_t nl_nft_batch(void *buf, size_t len, const struct nl_fw *fw, const char *table,
		    uint32_t seq, uint32_t *last_seq)
{
	char tag[64] = "";
	if (fw)
		nl_fw_tag(fw, tag, sizeof(tag));
	return build(buf, len, fw, table, fw ? tag : NULL, seq, last_seq);
}
