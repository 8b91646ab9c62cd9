/* A kernel in memory (see backend.h): the reconcile logic's test double,
 * as OpenWrt netifd's dummy mode.  It applies each op to its own nl_kstate
 * the way the kernel would (replace on the same key, EEXIST on a duplicate
 * rule, ENODEV for a missing link), so "apply twice, nothing sent" and
 * "foreign objects survive" can be checked without root. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "backend.h"
#include "nft.h"

#define DUMMY_SYSCTLS 128

struct db {
	struct nl_backend b;
	struct nl_kstate k;
	struct {
		char key[96];
		char value[16];
	} sys[DUMMY_SYSCTLS];
	int n_sys;
	int next_ifindex;
	bool fail[NL_OP_N];
	int fail_err;
	char fail_msg[128];
};

static struct nl_klink *link_by(struct db *db, const char *name)
{
	for (int i = 0; i < db->k.n_links; i++)
		if (strcmp(db->k.links[i].ifname, name) == 0)
			return &db->k.links[i];
	return NULL;
}

static int d_dump(struct nl_backend *b, struct nl_kstate *k)
{
	struct db *db = (struct db *)b;
	memcpy(k, &db->k, sizeof(*k));
	return 0;
}

static int d_sysctl_get(struct nl_backend *b, const char *key, char *val, size_t len)
{
	struct db *db = (struct db *)b;
	for (int i = 0; i < db->n_sys; i++)
		if (strcmp(db->sys[i].key, key) == 0) {
			snprintf(val, len, "%s\n", db->sys[i].value);
			return 0;
		}
	return -ENOENT;
}

const char *nl_dummy_sysctl(struct nl_backend *b, const char *key)
{
	struct db *db = (struct db *)b;
	for (int i = 0; i < db->n_sys; i++)
		if (strcmp(db->sys[i].key, key) == 0)
			return db->sys[i].value;
	return NULL;
}

static bool addr_key(const struct nl_addr *a, const struct nl_addr *b)
{
	return a->family == b->family && a->plen == b->plen && strcmp(a->ifname, b->ifname) == 0 &&
	       memcmp(a->local, b->local, 16) == 0;
}

static bool route_key(const struct nl_route *a, const struct nl_route *b)
{
	return a->family == b->family && a->table == b->table && a->dst_len == b->dst_len &&
	       a->metric == b->metric && memcmp(a->dst, b->dst, 16) == 0;
}

static bool rule_same(const struct nl_rule *a, const struct nl_rule *b)
{
	return a->family == b->family && a->src_len == b->src_len && a->prio == b->prio &&
	       a->table == b->table && memcmp(a->src, b->src, 16) == 0;
}

static int d_apply(struct nl_backend *b, const struct nl_op *op, const struct nl_owner *o,
		   char *err, size_t errlen)
{
	struct db *db = (struct db *)b;
	struct nl_kstate *k = &db->k;
	err[0] = 0;
	if (op->type == NL_OP_SYSCTL)
		db->b.sysctl_writes++;
	else
		db->b.netlink_writes++;
	if (db->fail[op->type]) {
		snprintf(err, errlen, "%s", db->fail_msg);
		return -db->fail_err;
	}
	switch (op->type) {
	case NL_OP_SYSCTL: {
		int i;
		for (i = 0; i < db->n_sys; i++)
			if (strcmp(db->sys[i].key, op->u.sysctl.key) == 0)
				break;
		if (i == db->n_sys) {
			if (db->n_sys >= DUMMY_SYSCTLS)
				return -ENOSPC;
			db->n_sys++;
		}
		snprintf(db->sys[i].key, sizeof(db->sys[i].key), "%s", op->u.sysctl.key);
		snprintf(db->sys[i].value, sizeof(db->sys[i].value), "%s", op->u.sysctl.value);
		return 0;
	}
	case NL_OP_LINK_UP:
	case NL_OP_LINK_MTU: {
		struct nl_klink *l = link_by(db, op->u.link.ifname);
		if (!l)
			return -ENODEV;
		if (op->type == NL_OP_LINK_UP)
			l->up = true;
		else
			l->mtu = op->u.link.mtu;
		return 0;
	}
	case NL_OP_LINK_RENAME: {
		struct nl_klink *l = link_by(db, op->from);
		if (!l)
			return -ENODEV;
		if (link_by(db, op->u.link.ifname))
			return -EEXIST;
		snprintf(l->ifname, sizeof(l->ifname), "%s", op->u.link.ifname);
		return 0;
	}
	case NL_OP_TUNNEL_ADD: {
		if (link_by(db, op->u.tunnel.ifname))
			return -EEXIST;
		nl_dummy_add_link(b, op->u.tunnel.ifname, op->u.tunnel.mtu, false);
		struct nl_klink *l = link_by(db, op->u.tunnel.ifname);
		if (!l)
			return -ENOSPC;
		snprintf(l->kind, sizeof(l->kind), "ip6gre");
		snprintf(l->alias, sizeof(l->alias), "%s", NL_ALIAS);
		l->has_tun = true;
		l->tun = op->u.tunnel;
		return 0;
	}
	case NL_OP_TUNNEL_DEL: {
		struct nl_klink *l = link_by(db, op->u.tunnel.ifname);
		if (!l)
			return -ENODEV;
		*l = k->links[--k->n_links];
		return 0;
	}
	case NL_OP_ADDR_ADD: {
		if (!link_by(db, op->u.addr.ifname))
			return -ENODEV;
		struct nl_addr a = op->u.addr;
		a.proto = o->proto;
		for (int i = 0; i < k->n_addrs; i++)
			if (addr_key(&k->addrs[i], &a)) {
				k->addrs[i] = a;
				return 0;
			}
		if (k->n_addrs >= NL_MAX_KADDRS)
			return -ENOSPC;
		k->addrs[k->n_addrs++] = a;
		return 0;
	}
	case NL_OP_ADDR_DEL:
		for (int i = 0; i < k->n_addrs; i++)
			if (addr_key(&k->addrs[i], &op->u.addr)) {
				k->addrs[i] = k->addrs[--k->n_addrs];
				return 0;
			}
		return -EADDRNOTAVAIL;
	case NL_OP_ROUTE_ADD: {
		if (op->u.route.type == RTN_UNICAST && !link_by(db, op->u.route.oif))
			return -ENODEV;
		struct nl_route r = op->u.route;
		r.proto = o->proto;
		for (int i = 0; i < k->n_routes; i++)
			if (route_key(&k->routes[i], &r)) {
				k->routes[i] = r;
				return 0;
			}
		if (k->n_routes >= NL_MAX_KROUTES)
			return -ENOSPC;
		k->routes[k->n_routes++] = r;
		return 0;
	}
	case NL_OP_ROUTE_DEL:
		for (int i = 0; i < k->n_routes; i++)
			if (route_key(&k->routes[i], &op->u.route) &&
			    k->routes[i].proto == o->proto) {
				k->routes[i] = k->routes[--k->n_routes];
				return 0;
			}
		return -ESRCH;
	case NL_OP_RULE_ADD: {
		struct nl_rule r = op->u.rule;
		r.proto = o->proto;
		for (int i = 0; i < k->n_rules; i++)
			if (rule_same(&k->rules[i], &r))
				return -EEXIST;
		if (k->n_rules >= NL_MAX_KRULES)
			return -ENOSPC;
		k->rules[k->n_rules++] = r;
		return 0;
	}
	case NL_OP_EP_ADD:
		if (op->u.ep.id == 0)
			return -ENOSPC;
		if (!link_by(db, op->u.ep.ifname))
			return -ENODEV;
		if (k->n_eps >= NL_MPTCP_KERNEL_MAX)
			return -ERANGE; /* as mptcp_pm_nl_append_new_local_addr */
		for (int i = 0; i < k->n_eps; i++)
			if (k->eps[i].id == op->u.ep.id)
				return -EBUSY;
		k->eps[k->n_eps++] = op->u.ep;
		return 0;
	case NL_OP_EP_DEL:
		for (int i = 0; i < k->n_eps; i++)
			if (k->eps[i].id == op->u.ep.id) {
				k->eps[i] = k->eps[--k->n_eps];
				return 0;
			}
		return -ENOENT;
	case NL_OP_MPTCP_LIMITS:
		k->mptcp_subflows = op->u.limits.subflows;
		k->mptcp_add_addr = op->u.limits.add_addr;
		return 0;
	case NL_OP_FW_REPLACE:
		k->fw_present = true;
		nl_fw_tag(op->u.fw.fw, k->fw_tag, sizeof(k->fw_tag));
		k->fw_rules = nl_fw_rule_count(op->u.fw.fw);
		return 0;
	case NL_OP_FW_DELETE:
		if (!k->fw_present)
			return -ENOENT;
		k->fw_present = false;
		k->fw_tag[0] = 0;
		return 0;
	case NL_OP_RULE_DEL:
		for (int i = 0; i < k->n_rules; i++)
			if (rule_same(&k->rules[i], &op->u.rule) && k->rules[i].proto == o->proto) {
				k->rules[i] = k->rules[--k->n_rules];
				return 0;
			}
		return -ENOENT;
	}
	return -EINVAL;
}

static void d_free(struct nl_backend *b)
{
	free(b);
}

struct nl_backend *nl_backend_dummy(void)
{
	struct db *db = calloc(1, sizeof(*db));
	if (!db)
		return NULL;
	db->b.dump = d_dump;
	db->b.apply = d_apply;
	db->b.sysctl_get = d_sysctl_get;
	db->b.free = d_free;
	db->next_ifindex = 1;
	db->k.mptcp_ok = true;
	db->k.mptcp_subflows = 2; /* the kernel's defaults */
	return &db->b;
}

struct nl_kstate *nl_dummy_state(struct nl_backend *b)
{
	return &((struct db *)b)->k;
}

void nl_dummy_add_link(struct nl_backend *b, const char *ifname, uint32_t mtu, bool up)
{
	struct db *db = (struct db *)b;
	if (db->k.n_links >= NL_MAX_KLINKS)
		return;
	struct nl_klink *l = &db->k.links[db->k.n_links++];
	memset(l, 0, sizeof(*l));
	l->ifindex = db->next_ifindex++;
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	l->mtu = mtu;
	l->up = up;
	/* Interface sysctls appear with the interface, as in /proc/sys. */
	static const char *const per_if[] = { "accept_ra", "disable_ipv6", "addr_gen_mode" };
	static const char *const def[] = { "1", "0", "0" };
	for (size_t i = 0; i < 3 && db->n_sys < DUMMY_SYSCTLS; i++) {
		snprintf(db->sys[db->n_sys].key, sizeof(db->sys[0].key), "net/ipv6/conf/%s/%s",
			 ifname, per_if[i]);
		snprintf(db->sys[db->n_sys].value, sizeof(db->sys[0].value), "%s", def[i]);
		db->n_sys++;
	}
}

void nl_dummy_fail(struct nl_backend *b, enum nl_op_type type, int err, const char *msg)
{
	struct db *db = (struct db *)b;
	db->fail[type] = err != 0;
	db->fail_err = err;
	snprintf(db->fail_msg, sizeof(db->fail_msg), "%s", msg ? msg : "");
}
