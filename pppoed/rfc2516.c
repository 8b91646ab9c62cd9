/* PPPoE discovery and session framing (RFC 2516, RFC 4638). */
#include "rfc2516.h"

#include <string.h>

#include "pkt.h"

const char *pppoe_code_name(uint8_t code)
{
	switch (code) {
	case PPPOE_PADI: return "PADI";
	case PPPOE_PADO: return "PADO";
	case PPPOE_PADR: return "PADR";
	case PPPOE_PADS: return "PADS";
	case PPPOE_PADT: return "PADT";
	case PPPOE_SESSION: return "session";
	default: return "unknown";
	}
}

const char *pppoe_tag_name(uint16_t tag)
{
	switch (tag) {
	case PPPOE_TAG_SERVICE_NAME_ERROR: return "Service-Name-Error";
	case PPPOE_TAG_AC_SYSTEM_ERROR: return "AC-System-Error";
	case PPPOE_TAG_GENERIC_ERROR: return "Generic-Error";
	default: return "tag";
	}
}

/* Copies a UTF-8 string tag, replacing control characters so a hostile AC
 * name cannot inject lines into logs or state files. */
static void copy_text(char *dst, struct hgw_rd *v, size_t n)
{
	size_t k = n > PPPOE_NAME_MAX ? PPPOE_NAME_MAX : n;
	const uint8_t *s = hgw_rd_ptr(v, n);
	for (size_t i = 0; s && i < k; i++)
		dst[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
	dst[s ? k : 0] = 0;
}

static int copy_blob(struct pppoe_blob *b, struct hgw_rd *v, size_t n)
{
	if (n > PPPOE_BLOB_MAX)
		return -1;
	b->present = true;
	b->len = (uint16_t)n;
	hgw_rd_bytes(v, b->b, n);
	return 0;
}

int pppoe_disc_parse(const uint8_t *p, size_t len, struct pppoe_disc *d, const char **why)
{
	memset(d, 0, sizeof(*d));
	struct hgw_rd r = hgw_rd_init(p, len);
	uint8_t vt = hgw_rd_u8(&r);
	d->code = hgw_rd_u8(&r);
	d->sid = hgw_rd_u16(&r);
	uint16_t plen = hgw_rd_u16(&r);
	if (!hgw_rd_ok(&r)) {
		*why = "shorter than the PPPoE header";
		return -1;
	}
	if (vt != 0x11) {
		*why = "version/type is not 1/1";
		return -1;
	}
	if (plen > hgw_rd_left(&r)) {
		*why = "PPPoE length runs past the frame";
		return -1;
	}
	struct hgw_rd tags = hgw_rd_sub(&r, plen);
	struct pppoe_tags *t = &d->t;
	while (hgw_rd_left(&tags) > 0) {
		uint16_t type = hgw_rd_u16(&tags);
		uint16_t tlen = hgw_rd_u16(&tags);
		if (!hgw_rd_ok(&tags)) {
			*why = "truncated tag header";
			return -1;
		}
		if (tlen > hgw_rd_left(&tags)) {
			*why = "tag length runs past the PPPoE payload";
			return -1;
		}
		struct hgw_rd v = hgw_rd_sub(&tags, tlen);
		switch (type) {
		case PPPOE_TAG_END:
			/* End-Of-List: the rest is ignored (RFC 2516 A). */
			return 0;
		case PPPOE_TAG_SERVICE_NAME: {
			struct hgw_rd v2 = v; /* read twice: first one and the list */
			if (!t->has_service)
				copy_text(t->service, &v, tlen);
			t->has_service = true;
			if (t->n_services < 8)
				copy_text(t->services[t->n_services++], &v2, tlen);
			break;
		}
		case PPPOE_TAG_AC_NAME:
			t->has_ac_name = true;
			copy_text(t->ac_name, &v, tlen);
			break;
		case PPPOE_TAG_HOST_UNIQ:
		case PPPOE_TAG_AC_COOKIE:
		case PPPOE_TAG_RELAY_SID: {
			struct pppoe_blob *b = type == PPPOE_TAG_HOST_UNIQ ? &t->host_uniq
					       : type == PPPOE_TAG_AC_COOKIE ? &t->cookie
									     : &t->relay;
			if (b->present)
				break; /* the first one counts */
			if (copy_blob(b, &v, tlen) < 0) {
				*why = "Host-Uniq, AC-Cookie or Relay-Session-Id longer than we keep";
				return -1;
			}
			break;
		}
		case PPPOE_TAG_PPP_MAX_PAYLOAD:
			if (tlen != 2) {
				*why = "PPP-Max-Payload is not 2 bytes";
				return -1;
			}
			t->max_payload = hgw_rd_u16(&v);
			break;
		case PPPOE_TAG_SERVICE_NAME_ERROR:
		case PPPOE_TAG_AC_SYSTEM_ERROR:
		case PPPOE_TAG_GENERIC_ERROR:
			if (!t->error_tag) {
				t->error_tag = type;
				copy_text(t->error, &v, tlen);
			}
			break;
		default:
			break; /* Vendor-Specific and unknown tags are ignored */
		}
	}
	return 0;
}

static void put_tag(struct hgw_wr *w, uint16_t type, const void *v, size_t n)
{
	hgw_wr_u16(w, type);
	hgw_wr_u16(w, (uint16_t)n);
	hgw_wr_bytes(w, v, n);
}

size_t pppoe_disc_build(uint8_t *buf, size_t cap, uint8_t code, uint16_t sid,
			const struct pppoe_tags *t)
{
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u8(&w, 0x11);
	hgw_wr_u8(&w, code);
	hgw_wr_u16(&w, sid);
	size_t at = hgw_wr_reserve(&w, 2);
	if (code != PPPOE_PADT || t->has_service)
		put_tag(&w, PPPOE_TAG_SERVICE_NAME, t->service, strlen(t->service));
	if (t->has_ac_name)
		put_tag(&w, PPPOE_TAG_AC_NAME, t->ac_name, strlen(t->ac_name));
	if (t->host_uniq.present)
		put_tag(&w, PPPOE_TAG_HOST_UNIQ, t->host_uniq.b, t->host_uniq.len);
	if (t->cookie.present)
		put_tag(&w, PPPOE_TAG_AC_COOKIE, t->cookie.b, t->cookie.len);
	if (t->relay.present)
		put_tag(&w, PPPOE_TAG_RELAY_SID, t->relay.b, t->relay.len);
	if (t->max_payload) {
		uint8_t v[2] = { (uint8_t)(t->max_payload >> 8), (uint8_t)t->max_payload };
		put_tag(&w, PPPOE_TAG_PPP_MAX_PAYLOAD, v, 2);
	}
	if (t->error_tag)
		put_tag(&w, t->error_tag, t->error, strlen(t->error));
	if (!hgw_wr_ok(&w))
		return 0;
	hgw_wr_patch_u16(&w, at, (uint16_t)(hgw_wr_len(&w) - PPPOE_HDR_LEN));
	return hgw_wr_len(&w);
}

int pppoe_sess_parse(const uint8_t *p, size_t len, uint16_t *sid, const uint8_t **ppp,
		     size_t *ppp_len, const char **why)
{
	struct hgw_rd r = hgw_rd_init(p, len);
	uint8_t vt = hgw_rd_u8(&r);
	uint8_t code = hgw_rd_u8(&r);
	*sid = hgw_rd_u16(&r);
	uint16_t plen = hgw_rd_u16(&r);
	if (!hgw_rd_ok(&r)) {
		*why = "shorter than the PPPoE header";
		return -1;
	}
	if (vt != 0x11 || code != PPPOE_SESSION) {
		*why = "not a PPPoE session frame";
		return -1;
	}
	if (plen > hgw_rd_left(&r) || plen < 2) {
		*why = "PPPoE length runs past the frame or holds no protocol";
		return -1;
	}
	*ppp = p + PPPOE_HDR_LEN;
	*ppp_len = plen;
	return 0;
}

void pppoe_sess_header(uint8_t *hdr, uint16_t sid, size_t ppp_len)
{
	hdr[0] = 0x11;
	hdr[1] = PPPOE_SESSION;
	hdr[2] = (uint8_t)(sid >> 8);
	hdr[3] = (uint8_t)sid;
	hdr[4] = (uint8_t)(ppp_len >> 8);
	hdr[5] = (uint8_t)ppp_len;
}
