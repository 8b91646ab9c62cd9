/* The nftables table through nfnetlink (see nft.h for the batch). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "backend_kernel.h"
#include "nft.h"

int nlk_err_attr(const struct nlattr *a, void *data);

static int nf_open(struct kb *kb)
{
	return nlk_sock_open(&kb->nf, NETLINK_NETFILTER);
}

static int table_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_get_type(a) <= NFTA_TABLE_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* How many rules the table holds (a dump filtered by table). */
static int fw_count_rules(struct kb *kb, struct nl_kstate *k)
{
	struct nlmsghdr *n = mnl_nlmsg_put_header(kb->buf);
	n->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	n->nlmsg_seq = ++kb->seq;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(n, sizeof(*g));
	g->nfgen_family = NFPROTO_INET;
	g->version = NFNETLINK_V0;
	mnl_attr_put_strz(n, NFTA_RULE_TABLE, kb->b.fw_table);
	uint32_t seq = n->nlmsg_seq;
	k->fw_rules = 0;
	if (mnl_socket_sendto(kb->nf, n, n->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nf, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				return e->error;
			}
			if ((h->nlmsg_type & 0xff) == NFT_MSG_NEWRULE)
				k->fw_rules++;
		}
	}
}

/* Is there a table of that name, and what is its userdata? */
int nlk_fw_dump(struct kb *kb, struct nl_kstate *k)
{
	k->fw_present = false;
	k->fw_tag[0] = 0;
	if (!kb->b.fw_table[0])
		return 0;
	int rc = nf_open(kb);
	if (rc)
		return rc;
	struct nlmsghdr *n = mnl_nlmsg_put_header(kb->buf);
	n->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	n->nlmsg_seq = ++kb->seq;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(n, sizeof(*g));
	g->nfgen_family = NFPROTO_INET;
	g->version = NFNETLINK_V0;
	mnl_attr_put_strz(n, NFTA_TABLE_NAME, kb->b.fw_table);
	uint32_t seq = n->nlmsg_seq;
	if (mnl_socket_sendto(kb->nf, n, n->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nf, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				return e->error == -ENOENT ? 0 : e->error;
			}
			if ((h->nlmsg_type & 0xff) != NFT_MSG_NEWTABLE)
				continue;
			const struct nlattr *tb[NFTA_TABLE_MAX + 1] = { 0 };
			mnl_attr_parse(h, sizeof(struct nfgenmsg), table_attr, tb);
			k->fw_present = true;
			if (tb[NFTA_TABLE_USERDATA]) {
				size_t l = mnl_attr_get_payload_len(tb[NFTA_TABLE_USERDATA]);
				if (l >= sizeof(k->fw_tag))
					l = sizeof(k->fw_tag) - 1;
				memcpy(k->fw_tag, mnl_attr_get_payload(tb[NFTA_TABLE_USERDATA]), l);
				k->fw_tag[l] = 0;
			}
		}
		if (k->fw_present)
			return fw_count_rules(kb, k);
	}
}

/* Sends a batch; the kernel answers errors for any failing message (the
 * whole transaction is then aborted) and an ACK for the last one if it
 * committed. */
int nlk_fw_apply(struct kb *kb, const struct nl_op *op, char *err, size_t errlen)
{
	int rc = nf_open(kb);
	if (rc) {
		snprintf(err, errlen, "nfnetlink socket: %s", strerror(-rc));
		return rc;
	}
	char *batch = kb->fwbuf;
	uint32_t first = kb->seq + 1, last = 0;
	size_t n = nl_nft_batch(batch, sizeof(kb->fwbuf), op->type == NL_OP_FW_REPLACE ? op->u.fw.fw : NULL,
				op->u.fw.table, first, &last);
	kb->seq = last + 1;
	if (!n) {
		snprintf(err, errlen, "ruleset too large");
		return -E2BIG;
	}
	kb->b.netlink_writes++;
	if (mnl_socket_sendto(kb->nf, batch, n) < 0) {
		rc = -errno;
		snprintf(err, errlen, "sending the batch: %s", strerror(errno));
		return rc;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(kb->nf, kb->buf, sizeof(kb->buf));
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)kb->buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first || h->nlmsg_seq > last)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error) {
				if (err)
					nlk_ext_ack(h, err, errlen);
				return e->error;
			}
			if (h->nlmsg_seq == last)
				return 0;
		}
	}
}

