/* The nftables batch: transaction framing, the replace idiom, the tag. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <string.h>

#include "../nft.h"
#include "nltest.h"

static char buf[256 * 1024];

static void fw_init(struct nl_fw *fw)
{
	memset(fw, 0, sizeof(*fw));
	fw->enabled = true;
	strcpy(fw->table, "hgw");
	fw->n_lan = 2;
	strcpy(fw->lan[0], "lan0");
	strcpy(fw->lan[1], "lan1");
	fw->n_wan = 2;
	strcpy(fw->wan[0], "tun0");
	strcpy(fw->wan[1], "ppp0");
	fw->n_pf = 1;
	fw->pf[0] = (struct nl_pfwd){ .proto = IPPROTO_TCP, .port = 8080, .to = { 192, 168, 1, 2 } };
}

struct seen {
	int msgs, rules, chains, newtable, deltable;
	uint16_t types[256];
	int acked;
	uint32_t acked_seq;
	char userdata[64];
};

static int table_attr(const struct nlattr *a, void *data)
{
	struct seen *s = data;
	if (mnl_attr_get_type(a) == NFTA_TABLE_USERDATA) {
		size_t l = mnl_attr_get_payload_len(a);
		memcpy(s->userdata, mnl_attr_get_payload(a), l < 63 ? l : 63);
	}
	return MNL_CB_OK;
}

static void walk(const char *b, size_t n, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	int len = (int)n;
	for (const struct nlmsghdr *h = (const struct nlmsghdr *)b; mnl_nlmsg_ok(h, len);
	     h = mnl_nlmsg_next(h, &len)) {
		if (s->msgs < 256)
			s->types[s->msgs] = h->nlmsg_type;
		s->msgs++;
		if (h->nlmsg_flags & NLM_F_ACK) {
			s->acked++;
			s->acked_seq = h->nlmsg_seq;
		}
		const struct nfgenmsg *g = mnl_nlmsg_get_payload(h);
		if (h->nlmsg_type == NFNL_MSG_BATCH_BEGIN || h->nlmsg_type == NFNL_MSG_BATCH_END) {
			assert_int_equal(ntohs(g->res_id), NFNL_SUBSYS_NFTABLES);
			continue;
		}
		assert_int_equal(h->nlmsg_type >> 8, NFNL_SUBSYS_NFTABLES);
		assert_int_equal(g->nfgen_family, NFPROTO_INET);
		switch (h->nlmsg_type & 0xff) {
		case NFT_MSG_NEWRULE: s->rules++; break;
		case NFT_MSG_NEWCHAIN: s->chains++; break;
		case NFT_MSG_DELTABLE: s->deltable++; break;
		case NFT_MSG_NEWTABLE:
			s->newtable++;
			mnl_attr_parse(h, sizeof(*g), table_attr, s);
			break;
		}
	}
	assert_int_equal(len, 0); /* the messages tile the batch exactly */
}

static void test_replace_batch(void **st)
{
	(void)st;
	struct nl_fw fw;
	fw_init(&fw);
	uint32_t last = 0;
	size_t n = nl_nft_batch(buf, sizeof(buf), &fw, "hgw", 100, &last);
	assert_true(n > 0);
	struct seen s;
	walk(buf, n, &s);
	assert_int_equal(s.types[0], NFNL_MSG_BATCH_BEGIN);
	assert_int_equal(s.types[s.msgs - 1], NFNL_MSG_BATCH_END);
	/* create-if-missing, delete, create: the atomic replace. */
	assert_int_equal(s.types[1] & 0xff, NFT_MSG_NEWTABLE);
	assert_int_equal(s.types[2] & 0xff, NFT_MSG_DELTABLE);
	assert_int_equal(s.types[3] & 0xff, NFT_MSG_NEWTABLE);
	assert_int_equal(s.newtable, 2);
	assert_int_equal(s.deltable, 1);
	assert_int_equal(s.chains, 4);
	assert_int_equal(s.rules, nl_fw_rule_count(&fw));
	/* One ACK, on the last real message, whose seq is reported. */
	assert_int_equal(s.acked, 1);
	assert_int_equal(s.acked_seq, last);
	assert_int_equal(last, 100 + (uint32_t)s.msgs - 2);
	char tag[64];
	nl_fw_tag(&fw, tag, sizeof(tag));
	assert_string_equal(s.userdata, tag);
	assert_int_equal(strncmp(tag, NL_FW_TAG, strlen(NL_FW_TAG)), 0);
	assert_int_equal(strlen(tag), strlen(NL_FW_TAG) + 16);
}

static void test_delete_batch(void **st)
{
	(void)st;
	uint32_t last;
	size_t n = nl_nft_batch(buf, sizeof(buf), NULL, "hgw", 1, &last);
	struct seen s;
	walk(buf, n, &s);
	assert_int_equal(s.msgs, 4); /* begin, newtable, deltable, end */
	assert_int_equal(s.rules, 0);
	assert_int_equal(s.types[2] & 0xff, NFT_MSG_DELTABLE);
	assert_int_equal(s.acked_seq, last);
}

static void test_tag_follows_ruleset(void **st)
{
	(void)st;
	struct nl_fw a, b;
	fw_init(&a);
	fw_init(&b);
	char ta[64], tb[64];
	nl_fw_tag(&a, ta, sizeof(ta));
	nl_fw_tag(&b, tb, sizeof(tb));
	assert_string_equal(ta, tb); /* deterministic */
	b.n_wan = 1;                  /* PPP went down */
	nl_fw_tag(&b, tb, sizeof(tb));
	assert_string_not_equal(ta, tb);
	fw_init(&b);
	b.pf[0].to_port = 8000;
	nl_fw_tag(&b, tb, sizeof(tb));
	assert_string_not_equal(ta, tb);
}

static void test_too_small(void **st)
{
	(void)st;
	struct nl_fw fw;
	fw_init(&fw);
	fw.n_pf = NL_MAX_PFWD;
	for (int i = 0; i < NL_MAX_PFWD; i++)
		fw.pf[i] = (struct nl_pfwd){ .proto = IPPROTO_UDP, .port = (uint16_t)(1000 + i) };
	uint32_t last;
	assert_int_equal(nl_nft_batch(buf, 4096, &fw, "hgw", 1, &last), 0);
	size_t n = nl_nft_batch(buf, sizeof(buf), &fw, "hgw", 1, &last);
	struct seen s;
	walk(buf, n, &s);
	assert_int_equal(s.rules, nl_fw_rule_count(&fw));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_batch),
		cmocka_unit_test(test_delete_batch),
		cmocka_unit_test(test_tag_follows_ruleset),
		cmocka_unit_test(test_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
