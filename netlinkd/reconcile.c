/* One reconcile and its report (see reconcile.h). */
#include "reconcile.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "nft.h"
#include "state.h"

struct nl_reconcile *nl_reconcile_new(struct nl_backend *be, const struct nl_config *cfg)
{
	struct nl_reconcile *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->be = be;
	r->cfg = *cfg;
	return r;
}

void nl_reconcile_free(struct nl_reconcile *r)
{
	free(r);
}

static void add_error(struct nl_reconcile *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_error(struct nl_reconcile *r, const char *fmt, ...)
{
	if (r->n_errors >= NL_MAX_ERRORS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->errors[r->n_errors++], NL_ERRLEN, fmt, ap);
	va_end(ap);
}

/* Where the result of an op on desired object idx goes. */
static char *slot(struct nl_reconcile *r, const struct nl_op *op)
{
	int i = op->idx;
	if (i < 0)
		return NULL;
	switch (op->type) {
	case NL_OP_ADDR_ADD: return i < NL_MAX_ADDRS ? r->addr_err[i] : NULL;
	case NL_OP_ROUTE_ADD: return i < NL_MAX_ROUTES ? r->route_err[i] : NULL;
	case NL_OP_RULE_ADD: return i < NL_MAX_RULES ? r->rule_err[i] : NULL;
	case NL_OP_SYSCTL: return i < NL_MAX_SYSCTLS ? r->sysctl_err[i] : NULL;
	case NL_OP_TUNNEL_ADD: return i < NL_MAX_TUNNELS ? r->tunnel_err[i] : NULL;
	case NL_OP_FW_REPLACE: return r->fw_err;
	case NL_OP_EP_ADD: return i < NL_MAX_EPS ? r->ep_err[i] : NULL;
	case NL_OP_MPTCP_LIMITS: return r->mptcp_err;
	case NL_OP_LINK_RENAME:
	case NL_OP_LINK_MTU:
	case NL_OP_LINK_UP: return i < NL_MAX_LINKS ? r->link_err[i] : NULL;
	default: return NULL;
	}
}

static void explain(const struct nl_op *op, int rc, const char *kmsg, char *out, size_t len,
		    int eps_now)
{
	const char *hint = "";
	if (op->type == NL_OP_EP_ADD && eps_now >= NL_MPTCP_KERNEL_MAX)
		hint = "; the kernel allows at most 8 MPTCP endpoints";
	/* The kernel says "Unknown device type"; say what that means here. */
	if (op->type == NL_OP_TUNNEL_ADD && rc == -EOPNOTSUPP)
		hint = "; this kernel has no ip6gre support (CONFIG_IPV6_GRE), kernel data "
		       "plane unavailable";
	if (op->type == NL_OP_TUNNEL_ADD && rc == -EEXIST)
		hint = "; a device of that name exists and is not netlinkd's";
	if (kmsg && kmsg[0] && !strstr(kmsg, strerror(-rc)))
		snprintf(out, len, "%s (%s)%s", kmsg, strerror(-rc), hint);
	else
		snprintf(out, len, "%s%s", kmsg && kmsg[0] ? kmsg : strerror(-rc), hint);
}

int nl_reconcile_run(struct nl_reconcile *r, const struct nl_inputs *in, bool cleanup)
{
	r->runs++;
	r->n_errors = 0;
	r->failures = 0;
	r->applied = 0;
	memset(r->link_err, 0, sizeof(r->link_err));
	memset(r->addr_err, 0, sizeof(r->addr_err));
	memset(r->route_err, 0, sizeof(r->route_err));
	memset(r->rule_err, 0, sizeof(r->rule_err));
	memset(r->sysctl_err, 0, sizeof(r->sysctl_err));
	memset(r->tunnel_err, 0, sizeof(r->tunnel_err));

	snprintf(r->be->fw_table, sizeof(r->be->fw_table), "%s", r->cfg.fw.table);
	r->fw_err[0] = 0;
	r->mptcp_err[0] = 0;
	memset(r->ep_err, 0, sizeof(r->ep_err));

	int rc = r->be->dump(r->be, &r->k);
	if (rc < 0) {
		/* Without knowing what the kernel has, changing it could remove
		 * something that is not ours: do nothing this round. */
		add_error(r, "reading the kernel's state: %s", strerror(-rc));
		log_err("reading the kernel's state: %s; nothing changed", strerror(-rc));
		r->failures = 1;
		return 1;
	}
	if (cleanup) {
		memset(&r->d, 0, sizeof(r->d));
		snprintf(r->d.fw.table, sizeof(r->d.fw.table), "%s", r->cfg.fw.table);
	} else {
		if (!r->seeded) {
			nl_pd_hist_seed(&r->hist, &r->cfg, &r->k, &r->cfg.owner, in->now);
			r->seeded = true;
		}
		struct nl_inputs with_kernel = *in;
		with_kernel.kernel = &r->k;
		nl_desired_compute(&r->cfg, &with_kernel, &r->hist, &r->d);
	}

	const char *now[NL_MAX_SYSCTLS];
	for (int i = 0; i < r->d.n_sysctls; i++)
		now[i] = r->be->sysctl_get(r->be, r->d.sysctls[i].key, r->sysctl_now[i],
					   sizeof(r->sysctl_now[i])) == 0
				 ? r->sysctl_now[i]
				 : NULL;
	nl_diff(&r->d, &r->k, &r->cfg.owner, now, &r->ops, &r->missing);
	if (r->ops.overflow)
		add_error(r, "more than %d changes at once; the rest follows next round", NL_MAX_OPS);

	for (int i = 0; i < r->missing.n; i++) {
		char *s = slot(r, &r->missing.op[i]);
		if (r->missing.op[i].type == NL_OP_EP_ADD && r->missing.op[i].idx < 0)
			snprintf(r->mptcp_err, NL_ERRLEN, "the kernel has no MPTCP path manager "
				 "(generic netlink family mptcp_pm): Multipath TCP unavailable");
		else if (r->missing.op[i].type == NL_OP_FW_REPLACE)
			snprintf(r->fw_err, NL_ERRLEN, "nftables table inet %s exists and is not "
				 "netlinkd's (no \"%s\" mark); left alone", r->d.fw.table, NL_FW_TAG);
		else if (s)
			snprintf(s, NL_ERRLEN, "interface %s does not exist", r->missing.op[i].from);
	}
	int eps_now = r->k.n_eps;
	for (int i = 0; i < r->ops.n; i++) {
		const struct nl_op *op = &r->ops.op[i];
		char kmsg[128], what[200];
		nl_op_describe(op, what, sizeof(what));
		rc = r->be->apply(r->be, op, &r->cfg.owner, kmsg, sizeof(kmsg));
		if (rc == 0) {
			eps_now += op->type == NL_OP_EP_ADD ? 1 : op->type == NL_OP_EP_DEL ? -1 : 0;
			r->applied++;
			log_info("%s", what);
			continue;
		}
		char why[NL_ERRLEN];
		explain(op, rc, kmsg, why, sizeof(why), eps_now);
		log_warn("%s: %s", what, why);
		r->failures++;
		char *s = slot(r, op);
		if (s)
			snprintf(s, NL_ERRLEN, "%s", why);
		else
			add_error(r, "%s: %s", what, why);
	}
	return r->failures + r->missing.n;
}

/* ---- netlinkd.json ---- */

static json_t *status(json_t *o, const char *err)
{
	json_object_set_new(o, "status", json_string(err[0] ? "failed" : "applied"));
	if (err[0])
		json_object_set_new(o, "error", json_string(err));
	return o;
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

json_t *nl_reconcile_report(const struct nl_reconcile *r)
{
	const struct nl_desired *d = &r->d;
	json_t *doc = hgw_state_new("netlinkd", 1);
	char b[128];

	json_t *wans = json_object();
	for (int w = 0; w < NL_WAN_N; w++) {
		json_t *o = json_object();
		json_object_set_new(o, "interface", str_or_null(d->wan_if[w]));
		json_object_set_new(o, "table", json_integer(r->cfg.wan[w].table));
		json_object_set_new(o, "metric", json_integer(r->cfg.wan[w].metric));
		json_object_set_new(wans, nl_wan_names[w], o);
	}
	json_object_set_new(doc, "wans", wans);

	json_t *a = json_array();
	for (int i = 0; i < d->n_links; i++) {
		const struct nl_link *l = &d->links[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(l->ifname));
		json_object_set_new(o, "mtu", l->mtu ? json_integer(l->mtu) : json_null());
		json_object_set_new(o, "up", json_boolean(l->up));
		json_array_append_new(a, status(o, r->link_err[i]));
	}
	json_object_set_new(doc, "links", a);

	a = json_array();
	for (int i = 0; i < d->n_addrs; i++) {
		const struct nl_addr *ad = &d->addrs[i];
		json_t *o = json_object();
		json_object_set_new(o, "interface", json_string(ad->ifname));
		json_object_set_new(o, "address",
				    json_string(nl_fmt_prefix(ad->family, ad->local, ad->plen, b, sizeof(b))));
		if (ad->has_peer)
			json_object_set_new(o, "peer",
					    json_string(nl_fmt_addr(ad->family, ad->peer, b, sizeof(b))));
		/* Not the lifetimes themselves: they tick, and a report that
		 * changes every second would wake every reader for nothing. */
		json_object_set_new(o, "deprecated", json_boolean(ad->preferred == 0));
		json_object_set_new(o, "permanent", json_boolean(ad->valid == NL_LFT_FOREVER));
		json_array_append_new(a, status(o, r->addr_err[i]));
	}
	json_object_set_new(doc, "addresses", a);

	a = json_array();
	for (int i = 0; i < d->n_routes; i++) {
		const struct nl_route *rt = &d->routes[i];
		json_t *o = json_object();
		json_object_set_new(o, "family", json_string(rt->family == AF_INET ? "ipv4" : "ipv6"));
		json_object_set_new(o, "type", json_string(rt->type == RTN_UNREACHABLE ? "unreachable"
									      : "unicast"));
		json_object_set_new(o, "dst", json_string(rt->dst_len == 0 ? "default"
						: nl_fmt_prefix(rt->family, rt->dst, rt->dst_len, b, sizeof(b))));
		json_object_set_new(o, "via", rt->has_gw ? json_string(nl_fmt_addr(rt->family, rt->gw, b,
										       sizeof(b)))
							 : json_null());
		json_object_set_new(o, "dev", str_or_null(rt->type == RTN_UNICAST ? rt->oif : ""));
		json_object_set_new(o, "table", json_integer(rt->table));
		json_object_set_new(o, "metric", json_integer(rt->metric));
		json_array_append_new(a, status(o, r->route_err[i]));
	}
	json_object_set_new(doc, "routes", a);

	a = json_array();
	for (int i = 0; i < d->n_rules; i++) {
		const struct nl_rule *ru = &d->rules[i];
		json_t *o = json_object();
		json_object_set_new(o, "priority", json_integer(ru->prio));
		json_object_set_new(o, "from",
				    json_string(nl_fmt_prefix(ru->family, ru->src, ru->src_len, b, sizeof(b))));
		json_object_set_new(o, "table", json_integer(ru->table));
		json_array_append_new(a, status(o, r->rule_err[i]));
	}
	json_object_set_new(doc, "rules", a);

	a = json_array();
	for (int i = 0; i < d->n_sysctls; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "key", json_string(d->sysctls[i].key));
		json_object_set_new(o, "value", json_string(d->sysctls[i].value));
		json_array_append_new(a, status(o, r->sysctl_err[i]));
	}
	json_object_set_new(doc, "sysctls", a);

	a = json_array();
	for (int i = 0; i < d->n_tunnels; i++) {
		const struct nl_tunnel *t = &d->tunnels[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(t->ifname));
		json_object_set_new(o, "kind", json_string("ip6gre"));
		json_object_set_new(o, "local", json_string(nl_fmt_addr(AF_INET6, t->local, b, sizeof(b))));
		json_object_set_new(o, "remote", json_string(nl_fmt_addr(AF_INET6, t->remote, b, sizeof(b))));
		json_object_set_new(o, "ikey", json_integer(t->ikey));
		json_object_set_new(o, "okey", json_integer(t->okey));
		json_object_set_new(o, "mtu", json_integer(t->mtu));
		json_array_append_new(a, status(o, r->tunnel_err[i]));
	}
	json_object_set_new(doc, "tunnels", a);

	json_t *fw = json_object();
	json_object_set_new(fw, "enabled", json_boolean(d->fw.enabled));
	json_object_set_new(fw, "table", json_string(r->cfg.fw.table));
	json_object_set_new(fw, "rules", json_integer(d->fw.enabled ? nl_fw_rule_count(&d->fw) : 0));
	json_object_set_new(doc, "firewall", status(fw, r->fw_err));

	json_t *mp = json_object();
	json_object_set_new(mp, "enabled", json_boolean(d->mptcp));
	json_object_set_new(mp, "subflows", json_integer(d->mptcp_subflows));
	json_object_set_new(mp, "add_addr_accepted", json_integer(d->mptcp_add_addr));
	a = json_array();
	for (int i = 0; i < d->n_eps; i++) {
		const struct nl_endpoint *e = &d->eps[i];
		json_t *o = json_object();
		json_object_set_new(o, "address", json_string(nl_fmt_addr(e->family, e->addr, b, sizeof(b))));
		json_object_set_new(o, "interface", json_string(e->ifname));
		json_object_set_new(o, "backup", json_boolean(e->flags & 4 /* BACKUP */));
		json_array_append_new(a, status(o, r->ep_err[i]));
	}
	json_object_set_new(mp, "endpoints", a);
	json_object_set_new(doc, "mptcp", status(mp, r->mptcp_err));

	a = json_array();
	for (int i = 0; i < d->n_problems; i++)
		json_array_append_new(a, json_string(d->problems[i].what));
	json_object_set_new(doc, "problems", a);
	a = json_array();
	for (int i = 0; i < r->n_errors; i++)
		json_array_append_new(a, json_string(r->errors[i]));
	json_object_set_new(doc, "errors", a);

	int failed = r->n_errors;
	for (int i = 0; i < d->n_links; i++)
		failed += r->link_err[i][0] != 0;
	for (int i = 0; i < d->n_addrs; i++)
		failed += r->addr_err[i][0] != 0;
	for (int i = 0; i < d->n_routes; i++)
		failed += r->route_err[i][0] != 0;
	for (int i = 0; i < d->n_rules; i++)
		failed += r->rule_err[i][0] != 0;
	for (int i = 0; i < d->n_sysctls; i++)
		failed += r->sysctl_err[i][0] != 0;
	for (int i = 0; i < d->n_tunnels; i++)
		failed += r->tunnel_err[i][0] != 0;
	failed += r->fw_err[0] != 0;
	failed += r->mptcp_err[0] != 0;
	for (int i = 0; i < d->n_eps; i++)
		failed += r->ep_err[i][0] != 0;
	json_object_set_new(doc, "failed", json_integer(failed));
	json_t *st = json_object();
	json_object_set_new(st, "netlink_writes", json_integer((json_int_t)r->be->netlink_writes));
	json_object_set_new(st, "sysctl_writes", json_integer((json_int_t)r->be->sysctl_writes));
	json_object_set_new(doc, "stats", st);
	return doc;
}
