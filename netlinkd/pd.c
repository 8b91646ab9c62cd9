/* IPv6 prefix delegation: each delegated prefix split into /64s, one per
 * LAN by subnet id (configured ids first, then the lowest free ones in LAN
 * order), so a /56, /60 or /61 all work; the addresses of a prefix that
 * went away deprecated until their valid lifetime ends.  Pure. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "desired.h"
#include "desired_int.h"
#include "schema.h"

int nl_pd_subnet(const uint8_t prefix[16], int plen, uint32_t id, uint8_t out[16])
{
	if (plen < 0 || plen > 64)
		return -1;
	int bits = 64 - plen;
	if (bits < 32 && id >= (1u << bits))
		return -1;
	uint64_t hi = 0;
	for (int i = 0; i < 8; i++)
		hi = hi << 8 | prefix[i];
	uint64_t mask = bits == 64 ? 0 : ~0ULL << bits;
	hi = (hi & mask) | id;
	memset(out, 0, 16);
	for (int i = 7; i >= 0; i--, hi >>= 8)
		out[i] = (uint8_t)hi;
	return 0;
}

void nl_pd_split(struct nl_desired *d, const struct nl_config *c, const json_t *doc, int w,
		     int64_t now, struct nl_pd_new *cur)
{
	/* Subnet ids: configured ones are taken first; the others get the
	 * lowest free id in LAN order, so adding a LAN with an explicit id
	 * never renumbers one without. */
	int ids[NL_MAX_LAN];
	bool used[NL_MAX_LAN * 2 + 1] = { false };
	for (int l = 0; l < c->n_lan; l++)
		if (c->lan[l].subnet_id >= 0 && c->lan[l].subnet_id < (int)(sizeof(used)))
			used[c->lan[l].subnet_id] = true;
	int next = 0;
	for (int l = 0; l < c->n_lan; l++) {
		if (c->lan[l].subnet_id >= 0) {
			ids[l] = c->lan[l].subnet_id;
			continue;
		}
		while (next < (int)sizeof(used) && used[next])
			next++;
		ids[l] = next++;
	}

	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(doc, "prefixes"), i, v) {
		uint8_t p[16];
		int plen;
		const char *txt = hgw_json_str(v, "prefix");
		uint32_t valid = nl_d_lifetime(json_object_get(v, "valid_until"), now);
		if (valid == 0 || nl_d_parse_pfx(txt, AF_INET6, p, &plen) != 0)
			continue;
		uint32_t pref = nl_d_lifetime(json_object_get(v, "preferred_until"), now);
		if (pref > valid)
			pref = valid;
		if (plen > 64) {
			nl_d_problem(d, "delegated prefix %s is longer than /64: cannot give LANs a /64",
				txt);
			continue;
		}
		struct nl_route un;
		memset(&un, 0, sizeof(un));
		un.family = AF_INET6;
		un.type = RTN_UNREACHABLE;
		un.table = RT_TABLE_MAIN;
		un.metric = c->pd_unreachable_metric;
		un.dst_len = (uint8_t)plen;
		nl_pd_subnet(p, plen, 0, un.dst);
		nl_d_want_route(d, &un);
		for (int l = 0; l < c->n_lan; l++) {
			if (!c->lan[l].pd)
				continue;
			struct nl_addr a;
			memset(&a, 0, sizeof(a));
			if (nl_pd_subnet(p, plen, (uint32_t)ids[l], a.local) != 0) {
				nl_d_problem(d, "LAN %s: subnet id %d does not fit in delegated prefix %s "
					   "(%llu /64s)", c->lan[l].ifname, ids[l], txt,
					(unsigned long long)(1ULL << (64 - plen)));
				continue;
			}
			memcpy(a.local + 8, c->pd_host, 8);
			a.family = AF_INET6;
			a.plen = 64;
			snprintf(a.ifname, sizeof(a.ifname), "%s", c->lan[l].ifname);
			a.preferred = pref;
			a.valid = valid;
			nl_d_want_addr(d, &a);
			if (cur->n < NL_MAX_PD_HIST) {
				struct nl_pd_entry *e = &cur->e[cur->n++];
				memcpy(e->ifname, a.ifname, sizeof(e->ifname));
				memcpy(e->addr, a.local, 16);
				e->wan = w;
				e->valid_until = valid == NL_LFT_FOREVER ? INT64_MAX : now + valid;
			}
		}
	}
}

/* Addresses of a prefix that went away while its lease still runs stay,
 * deprecated, until their valid lifetime ends (RFC 7084 L-13 spirit: hosts
 * stop using them for new connections but existing ones survive).  A lease
 * that is lost altogether takes them with it. */
void nl_pd_deprecate(struct nl_desired *d, const struct nl_pd_hist *hist,
			 const bool lease_ok[NL_WAN_N], int64_t now, struct nl_pd_new *cur)
{
	bool any_ok = false;
	for (int w = 0; w < NL_WAN_N; w++)
		any_ok |= lease_ok[w];
	for (int i = 0; i < hist->n; i++) {
		const struct nl_pd_entry *h = &hist->e[i];
		/* wan < 0: adopted from the kernel at start, WAN unknown. */
		if (!(h->wan < 0 ? any_ok : lease_ok[h->wan]) || h->valid_until <= now)
			continue;
		bool current = false;
		for (int k = 0; k < cur->n && !current; k++)
			current = strcmp(cur->e[k].ifname, h->ifname) == 0 &&
				  memcmp(cur->e[k].addr, h->addr, 16) == 0;
		if (current)
			continue;
		struct nl_addr a;
		memset(&a, 0, sizeof(a));
		memcpy(a.ifname, h->ifname, sizeof(a.ifname));
		a.family = AF_INET6;
		a.plen = 64;
		memcpy(a.local, h->addr, 16);
		a.preferred = 0;
		a.valid = h->valid_until == INT64_MAX ? NL_LFT_FOREVER
			  : h->valid_until - now >= NL_LFT_FOREVER ? NL_LFT_FOREVER - 1
			  : (uint32_t)(h->valid_until - now);
		nl_d_want_addr(d, &a);
		if (cur->n < NL_MAX_PD_HIST)
			cur->e[cur->n++] = *h;
	}
}

void nl_pd_hist_seed(struct nl_pd_hist *hist, const struct nl_config *c,
		     const struct nl_kstate *k, const struct nl_owner *o, int64_t now)
{
	hist->n = 0;
	for (int i = 0; i < k->n_addrs && hist->n < NL_MAX_PD_HIST; i++) {
		const struct nl_addr *a = &k->addrs[i];
		if (!o->proto || a->proto != o->proto || a->family != AF_INET6 || a->plen != 64 ||
		    a->valid == NL_LFT_FOREVER || a->valid == 0)
			continue;
		bool lan = false;
		for (int l = 0; l < c->n_lan && !lan; l++)
			lan = c->lan[l].pd && strcmp(c->lan[l].ifname, a->ifname) == 0;
		if (!lan)
			continue;
		struct nl_pd_entry *e = &hist->e[hist->n++];
		memcpy(e->ifname, a->ifname, NL_IFNAMSIZ);
		memcpy(e->addr, a->local, 16);
		e->wan = -1;
		e->valid_until = now + a->valid;
	}
}
