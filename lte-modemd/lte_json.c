/* lte.json builder: see lte_json.h. */
#include "lte_json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "state.h"

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *addr_str(const struct at_addr *a, bool with_plen)
{
	char buf[INET6_ADDRSTRLEN + 5];
	if (a->family != 4 && a->family != 6)
		return json_null();
	inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, buf, sizeof(buf));
	if (with_plen) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "/%d", a->plen);
	}
	return json_string(buf);
}

static json_t *int_or_null(int v)
{
	return v == LTE_NO_VALUE ? json_null() : json_integer(v);
}

static json_t *tenths_or_null(int v)
{
	return v == LTE_NO_VALUE ? json_null() : json_real(v / 10.0);
}

static const char *sim_name(const struct lte_status *s)
{
	if (s->sim_absent)
		return "absent";
	switch (s->sim) {
	case AT_SIM_READY: return "ready";
	case AT_SIM_PIN: return "pin";
	case AT_SIM_PUK: return "puk";
	case AT_SIM_OTHER_LOCK: return "locked";
	default: return "unknown";
	}
}

json_t *lte_json_build(struct lte_modem *m, const struct lte_json_ctx *ctx)
{
	const struct lte_status *s = lte_modem_status(m);
	bool up = s->state == LTE_CONNECTED;
	json_t *d = hgw_state_new("lte-modemd", 1);
	json_object_set_new(d, "state", json_string(lte_state_name(s->state)));
	json_object_set_new(d, "interface", up ? str_or_null(ctx->interface) : json_null());
	json_object_set_new(d, "ipv6", up ? addr_str(&s->addr6, true) : json_null());
	json_object_set_new(d, "ipv6_link_local", up ? addr_str(&s->ll6, false) : json_null());
	json_object_set_new(d, "ipv4", up ? addr_str(&s->addr4, true) : json_null());
	json_object_set_new(d, "gateway6", up ? addr_str(&s->gw6, false) : json_null());
	json_object_set_new(d, "gateway4", up ? addr_str(&s->gw4, false) : json_null());
	json_t *dns = json_array(), *dns4 = json_array();
	for (int i = 0; up && i < 2; i++) {
		if (s->dns6[i].family == 6)
			json_array_append_new(dns, addr_str(&s->dns6[i], false));
		if (s->dns4[i].family == 4)
			json_array_append_new(dns4, addr_str(&s->dns4[i], false));
	}
	json_object_set_new(d, "dns", dns);
	json_object_set_new(d, "dns4", dns4);
	json_object_set_new(d, "mtu", up && s->mtu > 0 ? json_integer(s->mtu) : json_null());
	json_object_set_new(d, "device", str_or_null(ctx->device));
	json_object_set_new(d, "profile", json_string(lte_profile_name(s->profile)));
	json_object_set_new(d, "apn", str_or_null(m->cfg.apn));
	json_object_set_new(d, "pdp_type", json_string(lte_pdp_name(m->cfg.pdp)));
	json_object_set_new(d, "manufacturer", str_or_null(s->manufacturer));
	json_object_set_new(d, "model", str_or_null(s->model));
	json_object_set_new(d, "firmware", str_or_null(s->firmware));
	json_object_set_new(d, "imei", str_or_null(s->imei));
	json_object_set_new(d, "sim", json_string(sim_name(s)));
	json_object_set_new(d, "registration",
			    s->reg >= 0 ? json_string(at_reg_name(s->reg)) : json_null());
	json_object_set_new(d, "operator", str_or_null(s->oper));
	json_object_set_new(d, "access_technology", str_or_null(s->act));
	json_object_set_new(d, "tac", s->tac >= 0 && s->tac <= 0xffffff ? json_integer(s->tac)
									 : json_null());
	json_object_set_new(d, "cell_id", s->ci >= 0 && s->ci <= 0xfffffff ? json_integer(s->ci)
									    : json_null());
	json_object_set_new(d, "signal",
			    json_pack("{s:o, s:o, s:o, s:o}", "rssi_dbm", int_or_null(s->rssi_dbm),
				      "rsrp_dbm", int_or_null(s->rsrp_dbm), "rsrq_db",
				      tenths_or_null(s->rsrq_x10), "sinr_db",
				      tenths_or_null(s->sinr_x10)));
	json_object_set_new(d, "last_error", str_or_null(s->last_error));
	json_object_set_new(d, "connected_since",
			    up && s->connected_since ? json_integer(s->connected_since) : json_null());
	json_object_set_new(d, "attaches", json_integer(s->attaches));
	json_object_set_new(d, "bearer_losses", json_integer(s->bearer_losses));
	json_object_set_new(d, "resets", json_integer(s->resets));
	json_object_set_new(d, "reopens", json_integer(ctx->reopens));
	json_t *log = json_array();
	for (unsigned i = 0; i < lte_modem_log_count(m); i++)
		json_array_append_new(log, json_string(lte_modem_log_line(m, i)));
	json_object_set_new(d, "at_log", log);
	return d;
}
