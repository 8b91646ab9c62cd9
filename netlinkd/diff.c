/* Desired vs kernel -> operations (see diff.h). */
#include "diff.h"

#include <stdio.h>

#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nft.h"

bool nl_addr_owned(const struct nl_addr *a, const struct nl_owner *o)
{
	return o->proto && a->proto == o->proto;
}

bool nl_route_owned(const struct nl_route *r, const struct nl_owner *o)
{
	return o->proto && r->proto == o->proto;
}

bool nl_rule_owned(const struct nl_rule *r, const struct nl_owner *o)
{
	return o->proto && r->proto == o->proto && r->prio >= o->prio_min && r->prio <= o->prio_max;
}

static struct nl_op *emit(struct nl_ops *ops, enum nl_op_type t, int idx)
{
	if (ops->n >= NL_MAX_OPS) {
		ops->overflow = true;
		return NULL;
	}
	struct nl_op *op = &ops->op[ops->n++];
	memset(op, 0, sizeof(*op));
	op->type = t;
	op->idx = idx;
	return op;
}

static void note_missing(struct nl_missing *m, enum nl_op_type t, int idx, const char *ifname)
{
	for (int i = 0; i < m->n; i++)
		if (m->op[i].type == t && m->op[i].idx == idx)
			return;
	if (m->n >= (int)(sizeof(m->op) / sizeof(m->op[0])))
		return;
	struct nl_op *op = &m->op[m->n++];
	memset(op, 0, sizeof(*op));
	op->type = t;
	op->idx = idx;
	memcpy(op->from, ifname, strnlen(ifname, sizeof(op->from) - 1));
}

static const struct nl_klink *klink_by_name(const struct nl_kstate *k, const char *name)
{
	for (int i = 0; i < k->n_links; i++)
		if (strcmp(k->links[i].ifname, name) == 0)
			return &k->links[i];
	return NULL;
}

static bool tunnel_wanted(const struct nl_desired *d, const char *name)
{
	for (int i = 0; i < d->n_tunnels; i++)
		if (strcmp(d->tunnels[i].ifname, name) == 0)
			return true;
	return false;
}

/* A link that exists now, or will once this round's renames and tunnel
 * creations are done. */
static bool link_will_exist(const struct nl_desired *d, const struct nl_kstate *k,
			    const char *name)
{
	if (klink_by_name(k, name) || tunnel_wanted(d, name))
		return true;
	for (int i = 0; i < d->n_links; i++) {
		const struct nl_link *l = &d->links[i];
		if (!l->has_mac || strcmp(l->ifname, name) != 0)
			continue;
		for (int j = 0; j < k->n_links; j++)
			if (k->links[j].has_mac && memcmp(k->links[j].mac, l->mac, 6) == 0)
				return true;
	}
	return false;
}

static void diff_links(const struct nl_desired *d, const struct nl_kstate *k, struct nl_ops *ops,
		       struct nl_missing *m)
{
	for (int i = 0; i < d->n_links; i++) {
		const struct nl_link *l = &d->links[i];
		const struct nl_klink *kl = NULL;
		if (l->has_mac) {
			for (int j = 0; j < k->n_links && !kl; j++)
				if (k->links[j].has_mac && memcmp(k->links[j].mac, l->mac, 6) == 0)
					kl = &k->links[j];
			if (kl && strcmp(kl->ifname, l->ifname) != 0) {
				struct nl_op *op = emit(ops, NL_OP_LINK_RENAME, i);
				if (op) {
					op->u.link = *l;
					memcpy(op->from, kl->ifname, sizeof(op->from) - 1);
				}
			}
		}
		if (!kl)
			kl = klink_by_name(k, l->ifname);
		if (!kl) {
			if (tunnel_wanted(d, l->ifname)) {
				/* Created this round; the MTU comes with the creation. */
				struct nl_op *op = l->up ? emit(ops, NL_OP_LINK_UP, i) : NULL;
				if (op)
					op->u.link = *l;
			} else {
				note_missing(m, NL_OP_LINK_UP, i, l->ifname);
			}
			continue;
		}
		if (l->mtu && kl->mtu != l->mtu) {
			struct nl_op *op = emit(ops, NL_OP_LINK_MTU, i);
			if (op)
				op->u.link = *l;
		}
		if (l->up && !kl->up) {
			struct nl_op *op = emit(ops, NL_OP_LINK_UP, i);
			if (op)
				op->u.link = *l;
		}
	}
}

static void diff_sysctls(const struct nl_desired *d, const struct nl_kstate *k,
			 const char *const *now, struct nl_ops *ops, struct nl_missing *m)
{
	for (int i = 0; i < d->n_sysctls; i++) {
		const struct nl_sysctl *s = &d->sysctls[i];
		if (s->ifname[0] && !link_will_exist(d, k, s->ifname)) {
			note_missing(m, NL_OP_SYSCTL, i, s->ifname);
			continue;
		}
		const char *cur = now ? now[i] : NULL;
		if (cur) {
			size_t n = strcspn(cur, " \t\n");
			if (n == strlen(s->value) && strncmp(cur, s->value, n) == 0)
				continue;
		}
		struct nl_op *op = emit(ops, NL_OP_SYSCTL, i);
		if (op)
			op->u.sysctl = *s;
	}
}

static bool addr_key(const struct nl_addr *a, const struct nl_addr *b)
{
	return a->family == b->family && a->plen == b->plen && strcmp(a->ifname, b->ifname) == 0 &&
	       memcmp(a->local, b->local, nl_alen(a->family)) == 0;
}

static bool peer_same(const struct nl_addr *a, const struct nl_addr *b)
{
	/* The kernel reports IFA_ADDRESS == IFA_LOCAL for an IPv4 address
	 * without a peer: treat a peer equal to the local address as none. */
	bool pa = a->has_peer && memcmp(a->peer, a->local, nl_alen(a->family)) != 0;
	bool pb = b->has_peer && memcmp(b->peer, b->local, nl_alen(b->family)) != 0;
	return pa == pb && (!pa || memcmp(a->peer, b->peer, nl_alen(a->family)) == 0);
}

static bool lft_differs(uint32_t want, uint32_t have)
{
	if ((want == NL_LFT_FOREVER) != (have == NL_LFT_FOREVER))
		return true;
	if ((want == 0) != (have == 0))
		return true;
	uint32_t diff = want > have ? want - have : have - want;
	return diff > NL_LFT_SLACK;
}

static void diff_addrs(const struct nl_desired *d, const struct nl_kstate *k,
		       const struct nl_owner *o, struct nl_ops *ops, struct nl_missing *m)
{
	for (int j = 0; j < k->n_addrs; j++) {
		const struct nl_addr *ka = &k->addrs[j];
		if (!nl_addr_owned(ka, o))
			continue;
		bool keep = false;
		for (int i = 0; i < d->n_addrs && !keep; i++)
			keep = addr_key(&d->addrs[i], ka) && peer_same(&d->addrs[i], ka);
		if (!keep) {
			struct nl_op *op = emit(ops, NL_OP_ADDR_DEL, -1);
			if (op)
				op->u.addr = *ka;
		}
	}
	for (int i = 0; i < d->n_addrs; i++) {
		const struct nl_addr *a = &d->addrs[i];
		if (!link_will_exist(d, k, a->ifname)) {
			note_missing(m, NL_OP_ADDR_ADD, i, a->ifname);
			continue;
		}
		const struct nl_addr *ka = NULL;
		for (int j = 0; j < k->n_addrs && !ka; j++)
			if (addr_key(a, &k->addrs[j]))
				ka = &k->addrs[j];
		if (ka && !nl_addr_owned(ka, o))
			continue; /* someone else's: present, and not ours to change */
		if (ka && peer_same(a, ka) && !lft_differs(a->preferred, ka->preferred) &&
		    !lft_differs(a->valid, ka->valid))
			continue;
		struct nl_op *op = emit(ops, NL_OP_ADDR_ADD, i);
		if (op)
			op->u.addr = *a;
	}
}

static bool route_key(const struct nl_route *a, const struct nl_route *b)
{
	return a->family == b->family && a->table == b->table && a->dst_len == b->dst_len &&
	       a->metric == b->metric && memcmp(a->dst, b->dst, nl_alen(a->family)) == 0;
}

static bool route_same(const struct nl_route *a, const struct nl_route *b)
{
	if (a->type != b->type)
		return false;
	if (a->type != RTN_UNICAST)
		return true;
	return a->has_gw == b->has_gw && strcmp(a->oif, b->oif) == 0 &&
	       (!a->has_gw || memcmp(a->gw, b->gw, nl_alen(a->family)) == 0);
}

static void diff_routes(const struct nl_desired *d, const struct nl_kstate *k,
			const struct nl_owner *o, struct nl_ops *ops, struct nl_missing *m)
{
	for (int j = 0; j < k->n_routes; j++) {
		const struct nl_route *kr = &k->routes[j];
		if (!nl_route_owned(kr, o))
			continue;
		bool keep = false;
		for (int i = 0; i < d->n_routes && !keep; i++)
			keep = route_key(&d->routes[i], kr) &&
			       (!d->routes[i].oif[0] || link_will_exist(d, k, d->routes[i].oif));
		if (!keep) {
			struct nl_op *op = emit(ops, NL_OP_ROUTE_DEL, -1);
			if (op)
				op->u.route = *kr;
		}
	}
	for (int i = 0; i < d->n_routes; i++) {
		const struct nl_route *r = &d->routes[i];
		if (r->type == RTN_UNICAST && !link_will_exist(d, k, r->oif)) {
			note_missing(m, NL_OP_ROUTE_ADD, i, r->oif);
			continue;
		}
		const struct nl_route *kr = NULL;
		for (int j = 0; j < k->n_routes && !kr; j++)
			if (route_key(r, &k->routes[j]))
				kr = &k->routes[j];
		if (kr && (!nl_route_owned(kr, o) || route_same(r, kr)))
			continue;
		struct nl_op *op = emit(ops, NL_OP_ROUTE_ADD, i);
		if (op)
			op->u.route = *r;
	}
}

static bool rule_same(const struct nl_rule *a, const struct nl_rule *b)
{
	return a->family == b->family && a->src_len == b->src_len && a->prio == b->prio &&
	       a->table == b->table && memcmp(a->src, b->src, nl_alen(a->family)) == 0;
}

static void diff_rules(const struct nl_desired *d, const struct nl_kstate *k,
		       const struct nl_owner *o, struct nl_ops *ops)
{
	for (int j = 0; j < k->n_rules; j++) {
		const struct nl_rule *kr = &k->rules[j];
		if (!nl_rule_owned(kr, o))
			continue;
		bool keep = false;
		for (int i = 0; i < d->n_rules && !keep; i++)
			keep = rule_same(&d->rules[i], kr);
		if (!keep) {
			struct nl_op *op = emit(ops, NL_OP_RULE_DEL, -1);
			if (op)
				op->u.rule = *kr;
		}
	}
	for (int i = 0; i < d->n_rules; i++) {
		bool have = false;
		for (int j = 0; j < k->n_rules && !have; j++)
			have = rule_same(&d->rules[i], &k->rules[j]);
		if (have)
			continue;
		struct nl_op *op = emit(ops, NL_OP_RULE_ADD, i);
		if (op)
			op->u.rule = d->rules[i];
	}
}

static void diff_tunnels(const struct nl_desired *d, const struct nl_kstate *k,
			 struct nl_ops *ops)
{
	for (int j = 0; j < k->n_links; j++) {
		const struct nl_klink *kl = &k->links[j];
		if (strcmp(kl->kind, "ip6gre") != 0 || strcmp(kl->alias, NL_ALIAS) != 0)
			continue;
		if (tunnel_wanted(d, kl->ifname))
			continue;
		struct nl_op *op = emit(ops, NL_OP_TUNNEL_DEL, -1);
		if (op)
			memcpy(op->u.tunnel.ifname, kl->ifname, sizeof(op->u.tunnel.ifname) - 1);
	}
	for (int i = 0; i < d->n_tunnels; i++) {
		const struct nl_tunnel *t = &d->tunnels[i];
		const struct nl_klink *kl = klink_by_name(k, t->ifname);
		if (kl && kl->has_tun && strcmp(kl->alias, NL_ALIAS) == 0) {
			/* Ours: recreate if hybridd's parameters moved (a new
			 * session brings a new bonding key).  The MTU is a link
			 * setting, changed in place. */
			const struct nl_tunnel *h = &kl->tun;
			if (memcmp(h->local, t->local, 16) == 0 && memcmp(h->remote, t->remote, 16) == 0 &&
			    h->ikey == t->ikey && h->okey == t->okey)
				continue;
			struct nl_op *op = emit(ops, NL_OP_TUNNEL_DEL, -1);
			if (op)
				memcpy(op->u.tunnel.ifname, t->ifname, NL_IFNAMSIZ);
		} else if (kl) {
			/* Someone else's device of that name: the kernel will say
			 * so (EEXIST), and the report carries it. */
		}
		struct nl_op *op = emit(ops, NL_OP_TUNNEL_ADD, i);
		if (op)
			op->u.tunnel = *t;
	}
}

/* MPTCP endpoints, keyed by address: one of ours with the same address,
 * flags and device stays (with its id); anything else of ours goes; new
 * ones get the lowest id free in our range.  Limits follow the config
 * while some WAN uses MPTCP, and are left alone otherwise. */
static bool ep_owned(const struct nl_endpoint *e, const struct nl_owner *o)
{
	return o->ep_min && e->id >= o->ep_min && e->id <= o->ep_max;
}

static bool ep_same(const struct nl_endpoint *a, const struct nl_endpoint *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, nl_alen(a->family)) == 0;
}

static void diff_eps(const struct nl_desired *d, const struct nl_kstate *k,
		     const struct nl_owner *o, struct nl_ops *ops, struct nl_missing *m)
{
	if (!k->mptcp_ok) {
		if (d->n_eps || d->mptcp)
			note_missing(m, NL_OP_EP_ADD, -1, "");
		return;
	}
	bool used[256] = { false };
	bool keep[64] = { false };
	for (int j = 0; j < k->n_eps; j++)
		used[k->eps[j].id] = true;
	for (int i = 0; i < d->n_eps; i++) {
		const struct nl_endpoint *e = &d->eps[i];
		int found = -1;
		for (int j = 0; j < k->n_eps && found < 0; j++)
			if (ep_owned(&k->eps[j], o) && !keep[j] && ep_same(e, &k->eps[j]) &&
			    k->eps[j].flags == e->flags && strcmp(k->eps[j].ifname, e->ifname) == 0)
				found = j;
		if (found >= 0)
			keep[found] = true;
	}
	for (int j = 0; j < k->n_eps; j++) {
		if (!ep_owned(&k->eps[j], o) || keep[j])
			continue;
		struct nl_op *op = emit(ops, NL_OP_EP_DEL, -1);
		if (op)
			op->u.ep = k->eps[j];
	}
	for (int i = 0; i < d->n_eps; i++) {
		const struct nl_endpoint *e = &d->eps[i];
		bool have = false;
		for (int j = 0; j < k->n_eps && !have; j++)
			have = keep[j] && ep_same(e, &k->eps[j]);
		if (have)
			continue;
		if (!link_will_exist(d, k, e->ifname)) {
			note_missing(m, NL_OP_EP_ADD, i, e->ifname);
			continue;
		}
		int id = o->ep_min;
		while (id <= o->ep_max && used[id])
			id++;
		struct nl_op *op = emit(ops, NL_OP_EP_ADD, i);
		if (!op)
			continue;
		op->u.ep = *e;
		/* Out of ids: let the kernel refuse id 0 rather than guess. */
		op->u.ep.id = id <= o->ep_max ? (uint8_t)id : 0;
		if (id <= o->ep_max)
			used[id] = true;
	}
	if (d->mptcp && (k->mptcp_subflows != d->mptcp_subflows ||
			 k->mptcp_add_addr != d->mptcp_add_addr)) {
		struct nl_op *op = emit(ops, NL_OP_MPTCP_LIMITS, 0);
		if (op) {
			op->u.limits.subflows = d->mptcp_subflows;
			op->u.limits.add_addr = d->mptcp_add_addr;
		}
	}
}

/* The firewall table: replaced whole when its ruleset (tag) differs,
 * removed when disabled; a same-named table without our tag is not ours. */
static void diff_fw(const struct nl_desired *d, const struct nl_kstate *k, struct nl_ops *ops,
		    struct nl_missing *m)
{
	bool ours = strncmp(k->fw_tag, NL_FW_TAG, strlen(NL_FW_TAG)) == 0;
	if (d->fw.enabled) {
		if (k->fw_present && !ours) {
			note_missing(m, NL_OP_FW_REPLACE, 0, "");
			return;
		}
		char tag[64];
		nl_fw_tag(&d->fw, tag, sizeof(tag));
		/* The tag says which ruleset was loaded; the rule count catches
		 * a hand-edited or flushed table. */
		if (k->fw_present && strcmp(tag, k->fw_tag) == 0 &&
		    k->fw_rules == nl_fw_rule_count(&d->fw))
			return;
		struct nl_op *op = emit(ops, NL_OP_FW_REPLACE, 0);
		if (op) {
			op->u.fw.fw = &d->fw;
			snprintf(op->u.fw.table, sizeof(op->u.fw.table), "%s", d->fw.table);
		}
	} else if (k->fw_present && ours) {
		struct nl_op *op = emit(ops, NL_OP_FW_DELETE, -1);
		if (op)
			snprintf(op->u.fw.table, sizeof(op->u.fw.table), "%s",
				 d->fw.table[0] ? d->fw.table : "");
	}
}

/* Deletes first (freeing keys), then tunnels and links, then what sits on
 * them: addresses before the routes that use them as gateways' links,
 * routes before the rules that point at their tables.  Stable within a
 * type, so the desired order (preference order) is the apply order. */
static void order_ops(struct nl_ops *ops)
{
	struct nl_op *tmp = malloc(sizeof(*tmp) * (size_t)(ops->n ? ops->n : 1));
	if (!tmp)
		return;
	int n = 0;
	for (int t = 0; t < NL_OP_N; t++)
		for (int i = 0; i < ops->n; i++)
			if ((int)ops->op[i].type == t)
				tmp[n++] = ops->op[i];
	memcpy(ops->op, tmp, sizeof(*tmp) * (size_t)n);
	free(tmp);
}

void nl_diff(const struct nl_desired *d, const struct nl_kstate *k, const struct nl_owner *o,
	     const char *const *sysctl_now, struct nl_ops *ops, struct nl_missing *m)
{
	ops->n = 0;
	ops->overflow = false;
	m->n = 0;
	diff_tunnels(d, k, ops);
	diff_links(d, k, ops, m);
	diff_sysctls(d, k, sysctl_now, ops, m);
	diff_addrs(d, k, o, ops, m);
	diff_routes(d, k, o, ops, m);
	diff_rules(d, k, o, ops);
	diff_eps(d, k, o, ops, m);
	diff_fw(d, k, ops, m);
	order_ops(ops);
}
