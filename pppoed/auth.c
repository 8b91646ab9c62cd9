/* CHAP-MD5 (RFC 1994) and PAP (RFC 1334) for the authenticatee. */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "lcp.h"
#include "log.h"
#include "md5.h"
#include "pkt.h"

enum { CHAP_CHALLENGE = 1, CHAP_RESPONSE, CHAP_SUCCESS, CHAP_FAILURE };
enum { PAP_REQ = 1, PAP_ACK, PAP_NAK };

void chap_md5(uint8_t id, const char *secret, const uint8_t *chal, size_t chal_len, uint8_t out[16])
{
	struct hgw_md5 m;
	hgw_md5_init(&m);
	hgw_md5_update(&m, &id, 1);
	hgw_md5_update(&m, secret, strlen(secret));
	hgw_md5_update(&m, chal, chal_len);
	hgw_md5_final(&m, out);
}

static void emit(struct auth *a, uint8_t code, uint8_t id, const uint8_t *body, size_t n)
{
	uint8_t pkt[600];
	struct hgw_wr w = hgw_wr_init(pkt, sizeof(pkt));
	hgw_wr_u8(&w, code);
	hgw_wr_u8(&w, id);
	hgw_wr_u16(&w, (uint16_t)(n + 4));
	hgw_wr_bytes(&w, body, n);
	if (hgw_wr_ok(&w))
		a->send(a->owner, a->proto, pkt, hgw_wr_len(&w));
}

static void pap_send(struct auth *a)
{
	uint8_t body[520];
	size_t ul = strlen(a->user), pl = strlen(a->secret);
	if (ul > 255)
		ul = 255;
	if (pl > 255)
		pl = 255;
	struct hgw_wr w = hgw_wr_init(body, sizeof(body));
	hgw_wr_u8(&w, (uint8_t)ul);
	hgw_wr_bytes(&w, a->user, ul);
	hgw_wr_u8(&w, (uint8_t)pl);
	hgw_wr_bytes(&w, a->secret, pl);
	a->id++;
	a->tries++;
	emit(a, PAP_REQ, a->id, body, hgw_wr_len(&w));
	a->timer_at = hgw_now_ms(a->clock) + a->restart_ms;
}

void auth_start(struct auth *a, uint16_t proto)
{
	a->proto = proto;
	a->result = proto ? AUTH_PENDING : AUTH_OK;
	a->message[0] = 0;
	a->tries = 0;
	a->challenges = 0;
	a->timer_at = INT64_MAX;
	if (proto == PPP_PAP)
		pap_send(a);
}

static void set_message(struct auth *a, struct hgw_rd *r, size_t n)
{
	const uint8_t *s = hgw_rd_ptr(r, n);
	size_t k = n < sizeof(a->message) - 1 ? n : sizeof(a->message) - 1;
	for (size_t i = 0; s && i < k; i++)
		a->message[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
	a->message[s ? k : 0] = 0;
}

static void finish(struct auth *a, enum auth_result res)
{
	a->result = res;
	a->timer_at = INT64_MAX;
}

static void chap_input(struct auth *a, uint8_t code, uint8_t id, struct hgw_rd *r)
{
	switch (code) {
	case CHAP_CHALLENGE: {
		uint8_t vlen = hgw_rd_u8(r);
		const uint8_t *val = hgw_rd_ptr(r, vlen);
		if (!val || vlen == 0) {
			log_info("CHAP: dropped a malformed Challenge");
			return;
		}
		/* Re-challenges in Opened (RFC 1994 2) are answered too. */
		uint8_t body[1 + 16 + 255];
		struct hgw_wr w = hgw_wr_init(body, sizeof(body));
		uint8_t digest[16];
		chap_md5(id, a->secret, val, vlen, digest);
		hgw_wr_u8(&w, 16);
		hgw_wr_bytes(&w, digest, 16);
		size_t ul = strlen(a->user);
		hgw_wr_bytes(&w, a->user, ul > 255 ? 255 : ul);
		a->challenges++;
		emit(a, CHAP_RESPONSE, id, body, hgw_wr_len(&w));
		break;
	}
	case CHAP_SUCCESS:
	case CHAP_FAILURE:
		set_message(a, r, hgw_rd_left(r));
		if (a->challenges == 0)
			return; /* unsolicited: not an answer to anything */
		if (a->result == AUTH_PENDING)
			finish(a, code == CHAP_SUCCESS ? AUTH_OK : AUTH_FAILED);
		else if (code == CHAP_FAILURE)
			finish(a, AUTH_FAILED); /* a failed re-challenge ends the link */
		break;
	default:
		log_info("CHAP: ignored unknown code %u", code);
	}
}

static void pap_input(struct auth *a, uint8_t code, uint8_t id, struct hgw_rd *r)
{
	if ((code != PAP_ACK && code != PAP_NAK) || a->result != AUTH_PENDING) {
		log_info("PAP: ignored code %u", code);
		return;
	}
	if (id != a->id) {
		log_info("PAP: ignored an answer for identifier %u (ours %u)", id, a->id);
		return;
	}
	uint8_t mlen = hgw_rd_u8(r);
	set_message(a, r, hgw_rd_ok(r) && mlen <= hgw_rd_left(r) ? mlen : hgw_rd_left(r));
	finish(a, code == PAP_ACK ? AUTH_OK : AUTH_FAILED);
}

void auth_input(struct auth *a, const uint8_t *pkt, size_t len)
{
	struct hgw_rd r = hgw_rd_init(pkt, len);
	uint8_t code = hgw_rd_u8(&r);
	uint8_t id = hgw_rd_u8(&r);
	uint16_t plen = hgw_rd_u16(&r);
	if (!hgw_rd_ok(&r) || plen < 4 || plen > len) {
		log_info("auth: dropped a malformed packet (%zu bytes)", len);
		return;
	}
	struct hgw_rd body = hgw_rd_init(pkt + 4, plen - 4u);
	if (a->proto == PPP_CHAP)
		chap_input(a, code, id, &body);
	else if (a->proto == PPP_PAP)
		pap_input(a, code, id, &body);
}

void auth_timer(struct auth *a)
{
	if (a->timer_at == INT64_MAX || hgw_now_ms(a->clock) < a->timer_at)
		return;
	if (a->proto == PPP_PAP && a->result == AUTH_PENDING) {
		if (a->tries >= a->max_tries) {
			snprintf(a->message, sizeof(a->message), "no answer to %d PAP requests", a->tries);
			finish(a, AUTH_FAILED);
			return;
		}
		pap_send(a);
		return;
	}
	a->timer_at = INT64_MAX;
}
