/* pppoe.json and the remembered addresses. */
#include "pppoe_doc.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "state.h"

static json_t *ip4(uint32_t a)
{
	char b[INET_ADDRSTRLEN];
	uint32_t n = htonl(a);
	inet_ntop(AF_INET, &n, b, sizeof(b));
	return json_string(b);
}

static json_t *ll6(uint64_t iid)
{
	uint8_t a[16] = { 0xfe, 0x80 };
	for (int i = 0; i < 8; i++)
		a[8 + i] = (uint8_t)(iid >> (56 - 8 * i));
	char b[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, a, b, sizeof(b));
	return json_string(b);
}

static const char *state_name(const struct session *s)
{
	switch (s->phase) {
	case PH_DOWN: return s->auth_failed ? "failed" : "down";
	case PH_DISCOVERY: return "discovery";
	case PH_LCP: return "lcp";
	case PH_AUTH: return "auth";
	case PH_NETWORK: return "network";
	case PH_UP: return "up";
	case PH_TERMINATING: return "terminating";
	default: return "down";
	}
}

json_t *pppoe_doc(const struct session *s, const struct doc_ctx *c)
{
	json_t *d = hgw_state_new("pppoed", 1);
	bool sess = s->sid != 0;
	json_object_set_new(d, "state", json_string(state_name(s)));
	json_object_set_new(d, "interface", c->ifname ? json_string(c->ifname) : json_null());
	json_object_set_new(d, "mode", json_string(c->mode));
	json_object_set_new(d, "ethernet", c->ethernet ? json_string(c->ethernet) : json_null());
	bool lcp_open = s->lcp_f.state == FSM_OPENED && sess;
	json_object_set_new(d, "mtu", lcp_open && s->mtu >= 576 ? json_integer(s->mtu) : json_null());
	json_object_set_new(d, "mru", lcp_open && s->lcp.req_mru ? json_integer(s->lcp.want_mru)
								  : json_null());
	json_object_set_new(d, "session_id", sess ? json_integer(s->sid) : json_null());
	if (sess) {
		char mac[18];
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", s->ac_mac[0], s->ac_mac[1],
			 s->ac_mac[2], s->ac_mac[3], s->ac_mac[4], s->ac_mac[5]);
		json_object_set_new(d, "ac_mac", json_string(mac));
		json_object_set_new(d, "ac_name", json_string(s->pd.ac_name));
		json_object_set_new(d, "service", json_string(s->pd.service));
		json_object_set_new(d, "max_payload",
				    s->pd.max_payload ? json_integer(s->pd.max_payload) : json_null());
	} else {
		json_object_set_new(d, "ac_mac", json_null());
		json_object_set_new(d, "ac_name", json_null());
		json_object_set_new(d, "service", json_null());
		json_object_set_new(d, "max_payload", json_null());
	}
	const char *auth = !lcp_open ? NULL : s->lcp.auth == PPP_CHAP ? "chap-md5"
					  : s->lcp.auth == PPP_PAP   ? "pap"
								     : "none";
	json_object_set_new(d, "auth", auth ? json_string(auth) : json_null());
	if (s->v4_up) {
		json_t *v4 = json_object();
		json_object_set_new(v4, "address", ip4(s->ipcp.addr));
		json_object_set_new(v4, "peer", ip4(s->ipcp.peer));
		json_t *dns = json_array();
		for (int i = 0; i < 2; i++)
			if (s->ipcp.dns[i])
				json_array_append_new(dns, ip4(s->ipcp.dns[i]));
		json_object_set_new(v4, "dns", dns);
		json_object_set_new(d, "ipv4", v4);
	} else {
		json_object_set_new(d, "ipv4", json_null());
	}
	if (s->v6_up) {
		json_t *v6 = json_object();
		json_object_set_new(v6, "local", ll6(s->v6.iid));
		json_object_set_new(v6, "peer", ll6(s->v6.peer_iid));
		json_object_set_new(d, "ipv6", v6);
	} else {
		json_object_set_new(d, "ipv6", json_null());
	}
	json_object_set_new(d, "connected_since",
			    s->connected_since ? json_integer(s->connected_since) : json_null());
	json_object_set_new(d, "last_failure",
			    s->last_failure[0] ? json_string(s->last_failure) : json_null());
	json_object_set_new(d, "attempts", json_integer(s->attempts));
	json_object_set_new(d, "failures", json_integer(s->failures));
	json_object_set_new(d, "next_attempt", c->next_attempt_wall ? json_integer(c->next_attempt_wall)
								     : json_null());
	return d;
}

#define LAST_FILE "pppoed.last.json"

void pppoe_last_load(const char *data_dir, uint32_t *ipv4, uint64_t *iid)
{
	*ipv4 = 0;
	*iid = 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", data_dir, LAST_FILE);
	json_error_t err;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		if (err.line >= 0 && strstr(err.text, "unable to open") == NULL)
			log_warn("pppoe: %s: %s (ignored)", path, err.text);
		return;
	}
	const char *a = json_string_value(json_object_get(j, "ipv4"));
	struct in_addr in;
	if (a && inet_pton(AF_INET, a, &in) == 1)
		*ipv4 = ntohl(in.s_addr);
	const char *v = json_string_value(json_object_get(j, "ipv6_iid"));
	unsigned x[4];
	if (v && sscanf(v, "%4x:%4x:%4x:%4x", &x[0], &x[1], &x[2], &x[3]) == 4)
		*iid = (uint64_t)x[0] << 48 | (uint64_t)x[1] << 32 | (uint64_t)x[2] << 16 | x[3];
	json_decref(j);
}

int pppoe_last_save(const char *data_dir, uint32_t ipv4, uint64_t iid)
{
	uint32_t o4;
	uint64_t oi;
	pppoe_last_load(data_dir, &o4, &oi);
	if (!ipv4)
		ipv4 = o4;
	if (!iid)
		iid = oi;
	if (ipv4 == o4 && iid == oi)
		return 0;
	json_t *j = json_object();
	if (ipv4)
		json_object_set_new(j, "ipv4", ip4(ipv4));
	if (iid) {
		char b[24];
		snprintf(b, sizeof(b), "%04x:%04x:%04x:%04x", (unsigned)(iid >> 48) & 0xffff,
			 (unsigned)(iid >> 32) & 0xffff, (unsigned)(iid >> 16) & 0xffff,
			 (unsigned)iid & 0xffff);
		json_object_set_new(j, "ipv6_iid", json_string(b));
	}
	/* hgw_state_publish is atomic (temp + fsync + rename): the data dir
	 * deserves the same care as the state dir. */
	int rc = hgw_state_publish(data_dir, LAST_FILE, j);
	json_decref(j);
	return rc < 0 ? -1 : 0;
}
