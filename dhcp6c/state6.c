/* dhcp6.<if>.json; see state6.h. */
#include "state6.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "duid.h"
#include "state.h"

static json_t *time_or_null(const struct d6c_lease *l, uint32_t secs)
{
	int64_t t = d6c_abs(l, secs);
	return t < 0 ? json_null() : json_integer(t);
}

static json_t *addr_list(const struct in6_addr *a, int n)
{
	json_t *arr = json_array();
	char s[INET6_ADDRSTRLEN];
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_string(inet_ntop(AF_INET6, &a[i], s, sizeof(s))));
	return arr;
}

json_t *state6_doc(const struct d6c *c, const char *ifname)
{
	json_t *doc = hgw_state_new("dhcp6c", 1);
	json_object_set_new(doc, "interface", json_string(ifname));
	json_object_set_new(doc, "state", json_string(d6c_state_name(c->state)));
	const struct d6c_lease *l = &c->lease;
	bool info = c->state == D6C_INFORMED;
	bool have = l->valid || info;
	const struct d6_msg *m = &l->reply;
	json_t *prefixes = json_array(), *addrs = json_array();
	char s[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN];
	if (l->valid) {
		for (int i = 0; i < m->ia_pd.n; i++) {
			const struct d6_lease *p = &m->ia_pd.l[i];
			snprintf(s, sizeof(s), "%s/%u", inet_ntop(AF_INET6, &p->addr, a, sizeof(a)),
				 p->plen);
			json_array_append_new(prefixes,
					      json_pack("{s:s,s:o,s:o}", "prefix", s, "preferred_until",
							time_or_null(l, p->preferred), "valid_until",
							time_or_null(l, p->valid)));
		}
		for (int i = 0; i < m->ia_na.n; i++) {
			const struct d6_lease *p = &m->ia_na.l[i];
			json_array_append_new(addrs,
					      json_pack("{s:s,s:o,s:o}", "address",
							inet_ntop(AF_INET6, &p->addr, a, sizeof(a)),
							"preferred_until", time_or_null(l, p->preferred),
							"valid_until", time_or_null(l, p->valid)));
		}
	}
	json_object_set_new(doc, "prefixes", prefixes);
	json_object_set_new(doc, "addresses", addrs);
	if (have && m->has_server_id) {
		char hex[2 * D6_DUID_MAX + 1];
		hex_encode(m->server_id.b, m->server_id.len, hex);
		json_object_set_new(doc, "server_duid", json_string(hex));
	} else {
		json_object_set_new(doc, "server_duid", json_null());
	}
	json_object_set_new(doc, "dns", addr_list(m->dns, have ? m->n_dns : 0));
	json_object_set_new(doc, "ntp", addr_list(m->ntp, have ? m->n_ntp : 0));
	json_t *doms = json_array();
	for (int i = 0; have && i < m->n_domains; i++)
		json_array_append_new(doms, json_string(m->domains[i]));
	json_object_set_new(doc, "domains", doms);
	json_object_set_new(doc, "aftr", have && m->aftr[0] ? json_string(m->aftr) : json_null());
	json_t *vendor = json_array();
	for (int i = 0; have && i < m->n_raw; i++) {
		char hex[2 * D6_VENDOR_MAX_LEN + 1];
		hex_encode(m->raw[i].data, m->raw[i].len, hex);
		json_array_append_new(vendor, json_pack("{s:i,s:s}", "code", m->raw[i].code, "data", hex));
	}
	json_object_set_new(doc, "vendor", vendor);
	if (l->valid) {
		json_object_set_new(doc, "obtained", json_integer(l->obtained_wall));
		json_object_set_new(doc, "renew_at", time_or_null(l, l->t1));
		json_object_set_new(doc, "rebind_at", time_or_null(l, l->t2));
	} else {
		json_object_set_new(doc, "obtained", info ? json_integer(l->obtained_wall) : json_null());
		json_object_set_new(doc, "renew_at", json_null());
		json_object_set_new(doc, "rebind_at", json_null());
	}
	return doc;
}
