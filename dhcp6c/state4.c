/* dhcp4.<if>.json; see state4.h. */
#include "state4.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "state.h"

static json_t *t_or_null(const struct d4c_lease *l, uint32_t s)
{
	int64_t t = d4c_abs(l, s);
	return t < 0 ? json_null() : json_integer(t);
}

static json_t *list(const struct in_addr *a, int n)
{
	json_t *arr = json_array();
	char s[INET_ADDRSTRLEN];
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(inet_ntop(AF_INET, &a[i], s, sizeof(s))));
	return arr;
}

json_t *state4_doc(const struct d4c *c, const char *ifname)
{
	json_t *doc = hgw_state_new("dhcp4c", 1);
	json_object_set_new(doc, "interface", json_string(ifname));
	json_object_set_new(doc, "state", json_string(d4c_state_name(c->state)));
	const struct d4c_lease *l = &c->lease;
	const struct d4_msg *m = &l->ack;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN + 4];
	if (!l->valid) {
		json_object_set_new(doc, "address", json_null());
		static const char *const nulls[] = { "router", "server", "domain", "mtu", "obtained",
						     "renew_at", "rebind_at", "expires" };
		for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
			json_object_set_new(doc, nulls[i], json_null());
		json_object_set_new(doc, "dns", json_array());
		json_object_set_new(doc, "ntp", json_array());
		json_object_set_new(doc, "routes", json_array());
		return doc;
	}
	snprintf(b, sizeof(b), "%s/%u", inet_ntop(AF_INET, &m->yiaddr, a, sizeof(a)), l->plen);
	json_object_set_new(doc, "address", json_string(b));
	json_t *routes = json_array();
	json_t *router = json_null();
	if (m->n_routes > 0) {
		/* RFC 3442: with classless routes the Router option is
		 * ignored; the default route, if any, is among them. */
		for (int i = 0; i < m->n_routes; i++) {
			const struct d4_route *r = &m->routes[i];
			char via[INET_ADDRSTRLEN];
			snprintf(b, sizeof(b), "%s/%u", inet_ntop(AF_INET, &r->dst, a, sizeof(a)), r->plen);
			inet_ntop(AF_INET, &r->via, via, sizeof(via));
			json_array_append_new(routes, json_pack("{s:s,s:s}", "prefix", b, "via", via));
			if (r->plen == 0 && json_is_null(router))
				router = json_string(via);
		}
	} else if (m->n_routers > 0) {
		router = json_string(inet_ntop(AF_INET, &m->routers[0], a, sizeof(a)));
	}
	json_object_set_new(doc, "router", router);
	json_object_set_new(doc, "routes", routes);
	json_object_set_new(doc, "server", json_string(inet_ntop(AF_INET, &m->server_id, a, sizeof(a))));
	json_object_set_new(doc, "dns", list(m->dns, m->n_dns));
	json_object_set_new(doc, "ntp", list(m->ntp, m->n_ntp));
	json_object_set_new(doc, "domain", m->domain[0] ? json_string(m->domain) : json_null());
	json_object_set_new(doc, "mtu", m->mtu ? json_integer(m->mtu) : json_null());
	json_object_set_new(doc, "obtained", json_integer(l->obtained_wall));
	json_object_set_new(doc, "renew_at", t_or_null(l, l->t1));
	json_object_set_new(doc, "rebind_at", t_or_null(l, l->t2));
	json_object_set_new(doc, "expires", t_or_null(l, l->lease));
	return doc;
}
