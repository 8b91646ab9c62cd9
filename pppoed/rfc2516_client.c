/* PPPoE discovery client (RFC 2516 section 5). */
#include "rfc2516_client.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

const char *pd_state_name(enum pd_state s)
{
	static const char *const n[] = { "idle", "PADI sent", "PADR sent", "session" };
	return n[s];
}

void pd_init(struct pd *d, const struct pd_config *cfg, const struct hgw_clock *clock,
	     const struct hgw_rng *rng)
{
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->clock = clock;
	d->rng = rng;
	d->deadline = INT64_MAX;
	/* RFC 2516 only says "SHOULD double"; the jitter keeps many clients
	 * from retrying together after an AC outage. */
	hgw_backoff_init(&d->padi_backoff, cfg->padi_initial_ms, cfg->padi_max_ms, 200, 10);
}

static void base_tags(const struct pd *d, struct pppoe_tags *t)
{
	memset(t, 0, sizeof(*t));
	t->has_service = true;
	snprintf(t->service, sizeof(t->service), "%s", d->cfg.service);
	t->host_uniq.present = true;
	t->host_uniq.len = sizeof(d->host_uniq);
	memcpy(t->host_uniq.b, d->host_uniq, sizeof(d->host_uniq));
	t->max_payload = d->cfg.max_payload > PPPOE_STD_MRU ? d->cfg.max_payload : 0;
}

static void send_padi(struct pd *d)
{
	struct pppoe_tags t;
	base_tags(d, &t);
	d->tx_len = pppoe_disc_build(d->tx, sizeof(d->tx), PPPOE_PADI, 0, &t);
	memcpy(d->tx_dst, bcast, 6);
	d->state = PD_PADI_SENT;
	d->padi_sent++;
	d->deadline = hgw_now_ms(d->clock) + hgw_backoff_next(&d->padi_backoff, d->rng);
}

static void send_padr(struct pd *d)
{
	struct pppoe_tags t;
	base_tags(d, &t);
	snprintf(t.service, sizeof(t.service), "%s", d->service);
	t.cookie = d->cookie;
	t.relay = d->relay;
	d->tx_len = pppoe_disc_build(d->tx, sizeof(d->tx), PPPOE_PADR, 0, &t);
	memcpy(d->tx_dst, d->ac_mac, 6);
	d->state = PD_PADR_SENT;
	d->padr_left--;
	d->deadline = hgw_now_ms(d->clock) + d->cfg.padr_timeout_ms;
}

void pd_start(struct pd *d)
{
	/* A new Host-Uniq per attempt: answers to an older attempt are not ours. */
	for (size_t i = 0; i < sizeof(d->host_uniq); i += 4) {
		uint32_t v = hgw_rand(d->rng);
		memcpy(d->host_uniq + i, &v, 4);
	}
	hgw_backoff_reset(&d->padi_backoff);
	d->sid = 0;
	d->max_payload = 0;
	d->note[0] = 0;
	send_padi(d);
}

void pd_stop(struct pd *d)
{
	if (d->state == PD_SESSION) {
		struct pppoe_tags t;
		memset(&t, 0, sizeof(t));
		t.host_uniq.present = true;
		t.host_uniq.len = sizeof(d->host_uniq);
		memcpy(t.host_uniq.b, d->host_uniq, sizeof(d->host_uniq));
		t.relay = d->relay;
		d->tx_len = pppoe_disc_build(d->tx, sizeof(d->tx), PPPOE_PADT, d->sid, &t);
		memcpy(d->tx_dst, d->ac_mac, 6);
	}
	d->state = PD_IDLE;
	d->deadline = INT64_MAX;
}

static bool ours(const struct pd *d, const struct pppoe_tags *t)
{
	return t->host_uniq.present && t->host_uniq.len == sizeof(d->host_uniq) &&
	       memcmp(t->host_uniq.b, d->host_uniq, sizeof(d->host_uniq)) == 0;
}

/* The service we ask for in PADR: the configured one, if offered. */
static const char *pick_service(const struct pd *d, const struct pppoe_tags *t)
{
	if (!d->cfg.service[0])
		return t->has_service ? t->service : "";
	for (int i = 0; i < t->n_services; i++)
		if (strcmp(t->services[i], d->cfg.service) == 0)
			return t->services[i];
	return NULL;
}

static void on_pado(struct pd *d, const uint8_t src[6], const struct pppoe_disc *m)
{
	const struct pppoe_tags *t = &m->t;
	const char *why = NULL, *svc = NULL;
	if (d->state != PD_PADI_SENT)
		why = "not waiting for offers";
	else if (!ours(d, t))
		why = "Host-Uniq is not ours";
	else if (m->sid != 0)
		why = "PADO with a non-zero session id";
	else if (!t->has_ac_name)
		why = "no AC-Name (RFC 2516 5.2 requires one)";
	else if (t->error_tag)
		why = t->error[0] ? t->error : pppoe_tag_name(t->error_tag);
	else if (src[0] & 1)
		why = "from a multicast address";
	else if (d->cfg.ac_name[0] && strcmp(d->cfg.ac_name, t->ac_name) != 0)
		why = "AC-Name does not match the config";
	else if (!(svc = pick_service(d, t)))
		why = "does not offer the configured service";
	if (why) {
		d->pado_ignored++;
		snprintf(d->note, sizeof(d->note), "ignored PADO from %02x:%02x:%02x:%02x:%02x:%02x: %s",
			 src[0], src[1], src[2], src[3], src[4], src[5], why);
		log_info("pppoe: %s", d->note);
		return;
	}
	/* The first acceptable offer wins (RFC 2516 lets the host choose). */
	memcpy(d->ac_mac, src, 6);
	snprintf(d->ac_name, sizeof(d->ac_name), "%s", t->ac_name);
	snprintf(d->service, sizeof(d->service), "%s", svc);
	d->cookie = t->cookie;
	d->relay = t->relay;
	d->padr_left = d->cfg.padr_tries;
	log_info("pppoe: PADO from AC \"%s\", requesting service \"%s\"", d->ac_name, d->service);
	send_padr(d);
}

static enum pd_event on_pads(struct pd *d, const uint8_t src[6], const struct pppoe_disc *m)
{
	if (d->state != PD_PADR_SENT || memcmp(src, d->ac_mac, 6) != 0 || !ours(d, &m->t))
		return PD_EV_NONE;
	if (m->t.error_tag || m->sid == 0) {
		snprintf(d->note, sizeof(d->note), "AC \"%s\" refused the session: %s%s%s", d->ac_name,
			 m->t.error_tag ? pppoe_tag_name(m->t.error_tag) : "session id 0",
			 m->t.error[0] ? ": " : "", m->t.error);
		log_warn("pppoe: %s", d->note);
		/* Back to PADI, continuing the backoff so we do not hammer. */
		d->state = PD_PADI_SENT;
		d->deadline = hgw_now_ms(d->clock) + hgw_backoff_next(&d->padi_backoff, d->rng);
		return PD_EV_ERROR;
	}
	d->sid = m->sid;
	/* RFC 4638: the AC echoes the tag if it can carry that payload. */
	d->max_payload = (d->cfg.max_payload > PPPOE_STD_MRU && m->t.max_payload > PPPOE_STD_MRU)
				 ? (m->t.max_payload < d->cfg.max_payload ? m->t.max_payload
									  : d->cfg.max_payload)
				 : 0;
	d->state = PD_SESSION;
	d->deadline = INT64_MAX;
	return PD_EV_SESSION;
}

enum pd_event pd_recv(struct pd *d, const uint8_t src[6], const uint8_t *pkt, size_t len)
{
	struct pppoe_disc m;
	const char *why;
	if (pppoe_disc_parse(pkt, len, &m, &why) < 0) {
		log_info("pppoe: dropped a malformed discovery packet: %s", why);
		return PD_EV_NONE;
	}
	switch (m.code) {
	case PPPOE_PADO:
		on_pado(d, src, &m);
		return PD_EV_NONE;
	case PPPOE_PADS:
		return on_pads(d, src, &m);
	case PPPOE_PADT:
		/* Only the AC of our session, for our session id. */
		if (d->state == PD_SESSION && m.sid == d->sid && memcmp(src, d->ac_mac, 6) == 0) {
			snprintf(d->note, sizeof(d->note), "PADT from the AC%s%s",
				 m.t.error[0] ? ": " : "", m.t.error);
			d->state = PD_IDLE;
			d->deadline = INT64_MAX;
			return PD_EV_PADT;
		}
		return PD_EV_NONE;
	default:
		return PD_EV_NONE; /* PADI/PADR from other hosts */
	}
}

void pd_timer(struct pd *d)
{
	if (hgw_now_ms(d->clock) < d->deadline)
		return;
	switch (d->state) {
	case PD_PADI_SENT:
		send_padi(d);
		break;
	case PD_PADR_SENT:
		if (d->padr_left > 0) {
			send_padr(d);
		} else {
			snprintf(d->note, sizeof(d->note), "no PADS from AC \"%s\"", d->ac_name);
			log_info("pppoe: %s; back to PADI", d->note);
			send_padi(d);
		}
		break;
	default:
		d->deadline = INT64_MAX;
	}
}

int64_t pd_next_timer(const struct pd *d)
{
	return d->deadline;
}
