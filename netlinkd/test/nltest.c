#include "nltest.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "state.h"

void nt_config(const char *json, struct nl_config *c)
{
	struct hgw_errors e = { 0 };
	json_t *s = hgw_config_load_str(json, strlen(json), "netlinkd", nl_config_schema, &e);
	if (!s)
		fail_msg("config invalid: %s", e.msg[0]);
	if (nl_config_parse(s, c, &e) != 0)
		fail_msg("config rejected: %s", e.msg[0]);
	json_decref(s);
}

json_t *nt_doc(const char *json, const struct hgw_field *schema)
{
	struct hgw_errors e = { 0 };
	json_t *d = hgw_state_parse(json, strlen(json), schema, "test", &e);
	if (!d)
		fail_msg("state document invalid: %s", e.msg[0]);
	return d;
}

static int parse(const char *s, uint8_t *a, int *plen, int *family)
{
	memset(a, 0, 16);
	if (hgw_parse_prefix(s, AF_INET, a, plen) == 0) {
		*family = AF_INET;
		if (!strchr(s, '/'))
			*plen = 32;
		return 0;
	}
	if (hgw_parse_prefix(s, AF_INET6, a, plen) == 0) {
		*family = AF_INET6;
		if (!strchr(s, '/'))
			*plen = 128;
		return 0;
	}
	return -1;
}

const struct nl_addr *nt_find_addr(const struct nl_desired *d, const char *ifname,
				   const char *prefix)
{
	uint8_t a[16];
	int plen, fam;
	assert_int_equal(parse(prefix, a, &plen, &fam), 0);
	for (int i = 0; i < d->n_addrs; i++)
		if (strcmp(d->addrs[i].ifname, ifname) == 0 && d->addrs[i].family == fam &&
		    d->addrs[i].plen == plen && memcmp(d->addrs[i].local, a, 16) == 0)
			return &d->addrs[i];
	return NULL;
}

/* dst: "default4", "default6" or a prefix. */
const struct nl_route *nt_find_route(const struct nl_desired *d, const char *dst, uint32_t table)
{
	uint8_t a[16] = { 0 };
	int plen = 0, fam;
	if (strcmp(dst, "default4") == 0)
		fam = AF_INET;
	else if (strcmp(dst, "default6") == 0)
		fam = AF_INET6;
	else
		assert_int_equal(parse(dst, a, &plen, &fam), 0);
	for (int i = 0; i < d->n_routes; i++) {
		const struct nl_route *r = &d->routes[i];
		if (r->family == fam && r->dst_len == plen && r->table == table &&
		    memcmp(r->dst, a, 16) == 0)
			return r;
	}
	return NULL;
}

const struct nl_rule *nt_find_rule(const struct nl_desired *d, const char *from, uint32_t table)
{
	uint8_t a[16];
	int plen, fam;
	assert_int_equal(parse(from, a, &plen, &fam), 0);
	for (int i = 0; i < d->n_rules; i++) {
		const struct nl_rule *r = &d->rules[i];
		if (r->family == fam && r->src_len == plen && r->table == table &&
		    memcmp(r->src, a, 16) == 0)
			return r;
	}
	return NULL;
}

const char *nt_find_sysctl(const struct nl_desired *d, const char *key)
{
	for (int i = 0; i < d->n_sysctls; i++)
		if (strcmp(d->sysctls[i].key, key) == 0)
			return d->sysctls[i].value;
	return NULL;
}
