/* RFC 8157 control message codec; see rfc8157_msg.h. */
#include "rfc8157_msg.h"

#include <string.h>

/* Attribute table: name and value size (-1 = variable, checked by its own
 * decoder).  Sizes follow RFC 8157 section 5 and the real captures. */
struct attr_def {
	const char *name;
	int len;
};
static const struct attr_def attr_defs[256] = {
	[A_H_IPV4] = { "H IPv4 Address", 4 },
	[A_H_IPV6] = { "H IPv6 Address", 16 },
	[A_CIN] = { "Client Identification Name", -1 },
	[A_SESSION_ID] = { "Session ID", 4 },
	[A_TIMESTAMP] = { "Timestamp", 8 },
	[A_BYPASS_RATE] = { "Bypass Traffic Rate", 4 },
	[A_DSL_SYNC_RATE] = { "DSL Synchronization Rate", 4 },
	[A_FILTER_LIST] = { "Filter List Package", -1 },
	[A_RTT_DIFF_THRESHOLD] = { "RTT Difference Threshold", 4 },
	[A_BYPASS_CHECK_INTERVAL] = { "Bypass Bandwidth Check Interval", 4 },
	[A_SWITCH_TO_DSL] = { "Switching to DSL Tunnel", 0 },
	[A_OVERFLOW_TO_LTE] = { "Overflowing to LTE Tunnel", 0 },
	[A_PREFIX_BY_HAAP] = { "IPv6 Prefix Assigned by HAAP", 17 },
	[A_ACTIVE_HELLO_INTERVAL] = { "Active Hello Interval", 4 },
	[A_HELLO_RETRY_TIMES] = { "Hello Retry Times", 4 },
	[A_IDLE_TIMEOUT] = { "Idle Timeout", 4 },
	[A_ERROR_CODE] = { "Error Code", 4 },
	[A_DSL_LINK_FAILURE] = { "DSL Link Failure", 0 },
	[A_LTE_LINK_FAILURE] = { "LTE Link Failure", 0 },
	[A_BONDING_KEY] = { "Bonding Key Value", 4 },
	[A_PREFIX_TO_HOST] = { "IPv6 Prefix Assigned to Host", 17 },
	[A_DSL_UP_BW] = { "Configured DSL Upstream Bandwidth", 4 },
	[A_DSL_DOWN_BW] = { "Configured DSL Downstream Bandwidth", 4 },
	[A_RTT_VIOLATION] = { "RTT Difference Threshold Violation", 4 },
	[A_RTT_COMPLIANCE] = { "RTT Difference Threshold Compliance", 4 },
	[A_DIAG_BONDING] = { "Diagnostic Start: Bonding Tunnel", 0 },
	[A_DIAG_DSL] = { "Diagnostic Start: DSL Tunnel", 0 },
	[A_DIAG_LTE] = { "Diagnostic Start: LTE Tunnel", 0 },
	[A_DIAG_END] = { "Diagnostic End", 0 },
	[A_FILTER_ACK] = { "Filter List Package ACK", 5 },
	[A_IDLE_HELLO_INTERVAL] = { "Idle Hello Interval", 4 },
	[A_NO_TRAFFIC_INTERVAL] = { "No Traffic Monitored Interval", 4 },
	[A_SWITCH_ACTIVE] = { "Switching to Active Hello State", 0 },
	[A_SWITCH_IDLE] = { "Switching to Idle Hello State", 0 },
	[A_TUNNEL_VERIFICATION] = { "Tunnel Verification", 0 },
	[A_DSL_LINE_TYPE] = { "DSL Line Type (Telekom)", 4 },
	[A_BRAS_NAME] = { "BRAS Name (Telekom)", -1 },
	[A_MAX_REORDER_TIME] = { "Maximum Reorder Buffer Time (Telekom)", 4 },
	[A_UP_BURST_TIME] = { "Committed Upstream Burst Time (Telekom)", 4 },
	[A_DSL_UP_SYNC_RATE] = { "DSL Upstream Synchronization Rate (Telekom)", 4 },
	[A_TELEKOM_65] = { "Telekom Attribute 65", 4 },
	[A_FIN] = { "End of Attributes", 0 },
};

const char *rfc8157_attr_name(unsigned type)
{
	return type < 256 && attr_defs[type].name ? attr_defs[type].name : NULL;
}

int rfc8157_attr_fixed_len(unsigned type)
{
	return type < 256 && attr_defs[type].name ? attr_defs[type].len : -1;
}

const char *rfc8157_type_name(unsigned type)
{
	static const char *const names[] = {
		[RFC8157_SETUP_REQUEST] = "Setup Request", [RFC8157_SETUP_ACCEPT] = "Setup Accept",
		[RFC8157_SETUP_DENY] = "Setup Deny",       [RFC8157_HELLO] = "Hello",
		[RFC8157_TEAR_DOWN] = "Tear Down",         [RFC8157_NOTIFY] = "Notify",
		[RFC8157_LINK_DETECTION] = "Link Detection",
	};
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "Reserved";
}

/* RFC 8157 5.3.1 and Telekom's codes (Wireshark's table). */
static const struct {
	uint32_t code;
	const char *text;
} errors[] = {
	{ 1, "HAAP not reachable over LTE" },
	{ 2, "HAAP not reachable over DSL" },
	{ 3, "LTE tunnel failed" },
	{ 4, "DSL tunnel failed" },
	{ 5, "DSL user ID not allowed" },
	{ 6, "user alias (TOID) / user ID (GUID) not allowed" },
	{ 7, "LTE and DSL user IDs do not match" },
	{ 8, "a bonding session with the same user ID already exists" },
	{ 9, "CIN not permitted" },
	{ 10, "terminated for maintenance" },
	{ 11, "HAAP/management communication error during LTE setup" },
	{ 12, "HAAP/management communication error during DSL setup" },
	{ 401, "DSL GRE tunnel to HAAP failed" },
	{ 402, "LTE GRE tunnel to HAAP failed" },
	{ 403, "LTE and DSL user IDs do not match" },
	{ 404, "a session with the same user ID already exists" },
	{ 405, "CIN not permitted" },
	{ 406, "communication error during DSL setup" },
	{ 407, "communication error during LTE setup" },
	{ 501, "terminated for maintenance" },
	{ 502, "LTE tunnel terminated for a parameter update" },
	{ 503, "DSL tunnel terminated for a parameter update" },
};

const char *rfc8157_error_text(uint32_t code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return errors[i].text;
	return "unknown error code";
}

bool rfc8157_is_control(const uint8_t *buf, size_t len, uint16_t proto)
{
	return len >= 4 && (uint16_t)(buf[2] << 8 | buf[3]) == proto;
}

/* Copies a zero-padded string, keeping printable ASCII only (it ends up in
 * logs and JSON). */
static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < cap && src[i]; i++)
		dst[j++] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[j] = 0;
}

static void rd_prefix(const uint8_t *v, struct rfc8157_prefix *p)
{
	memcpy(&p->addr, v, 16);
	p->len = v[16];
}

static uint32_t be32(const uint8_t *v)
{
	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

static void decode_attr(struct rfc8157_msg *m, const struct rfc8157_attr *a)
{
	const uint8_t *v = a->val;
	switch (a->type) {
	case A_H_IPV4: memcpy(&m->h4, v, 4); break;
	case A_H_IPV6: memcpy(&m->h6, v, 16); break;
	case A_CIN: copy_str(m->cin, sizeof(m->cin), v, a->len); break;
	case A_SESSION_ID: m->session_id = be32(v); break;
	case A_TIMESTAMP:
		m->ts_sec = be32(v);
		m->ts_ms = be32(v + 4);
		break;
	case A_BYPASS_RATE: m->bypass_rate = be32(v); break;
	case A_DSL_SYNC_RATE: m->dsl_sync_rate = be32(v); break;
	case A_FILTER_LIST:
		m->filter_list = v;
		m->filter_list_len = a->len;
		break;
	case A_RTT_DIFF_THRESHOLD: m->rtt_threshold = be32(v); break;
	case A_BYPASS_CHECK_INTERVAL: m->bypass_interval = be32(v); break;
	case A_PREFIX_BY_HAAP: rd_prefix(v, &m->prefix_haap); break;
	case A_ACTIVE_HELLO_INTERVAL: m->active_hello = be32(v); break;
	case A_HELLO_RETRY_TIMES: m->hello_retry = be32(v); break;
	case A_IDLE_TIMEOUT: m->idle_timeout = be32(v); break;
	case A_ERROR_CODE: m->error_code = be32(v); break;
	case A_BONDING_KEY: m->bonding_key = be32(v); break;
	case A_PREFIX_TO_HOST: rd_prefix(v, &m->prefix_host); break;
	case A_DSL_UP_BW: m->dsl_up_bw = be32(v); break;
	case A_DSL_DOWN_BW: m->dsl_down_bw = be32(v); break;
	case A_RTT_VIOLATION: m->rtt_violation = be32(v); break;
	case A_RTT_COMPLIANCE: m->rtt_compliance = be32(v); break;
	case A_FILTER_ACK:
		m->filter_ack_commit = be32(v);
		m->filter_ack_code = v[4];
		break;
	case A_IDLE_HELLO_INTERVAL: m->idle_hello = be32(v); break;
	case A_NO_TRAFFIC_INTERVAL: m->no_traffic = be32(v); break;
	case A_DSL_LINE_TYPE: m->dsl_line_type = be32(v); break;
	case A_BRAS_NAME: copy_str(m->bras, sizeof(m->bras), v, a->len); break;
	case A_MAX_REORDER_TIME: m->max_reorder = be32(v); break;
	case A_UP_BURST_TIME: m->up_burst = be32(v); break;
	case A_DSL_UP_SYNC_RATE: m->dsl_up_sync_rate = be32(v); break;
	case A_TELEKOM_65: m->telekom65 = be32(v); break;
	default: break;
	}
}

int rfc8157_parse(const uint8_t *buf, size_t len, uint16_t proto_a, uint16_t proto_b,
		  struct rfc8157_msg *m, const char **why)
{
	static const char *dummy;
	if (!why)
		why = &dummy;
	memset(m, 0, sizeof(*m));
	struct hgw_rd r = hgw_rd_init(buf, len);
	uint16_t flags = hgw_rd_u16(&r);
	m->proto = hgw_rd_u16(&r);
	if (!hgw_rd_ok(&r)) {
		*why = "truncated GRE header";
		return -1;
	}
	if (m->proto != proto_a && m->proto != proto_b) {
		*why = "not a control message (GRE protocol)";
		return -1;
	}
	/* RFC 8157 5: control messages carry a key and nothing else (no
	 * checksum, no sequence number, version 0). */
	if (flags != RFC8157_GRE_FLAGS_CTRL) {
		*why = "GRE flags are not K only";
		return -1;
	}
	m->key = hgw_rd_u32(&r);
	uint8_t tb = hgw_rd_u8(&r);
	if (!hgw_rd_ok(&r)) {
		*why = "truncated control header";
		return -1;
	}
	m->type = tb >> 4;
	m->ttype = tb & 15;
	while (hgw_rd_left(&r) > 0) {
		uint8_t t = hgw_rd_u8(&r);
		uint16_t l = hgw_rd_u16(&r);
		const uint8_t *v = hgw_rd_ptr(&r, l);
		if (!hgw_rd_ok(&r)) {
			*why = "attribute runs past the end";
			return -1;
		}
		if (m->nattrs >= RFC8157_MAX_ATTRS) {
			*why = "too many attributes";
			return -1;
		}
		int fixed = rfc8157_attr_fixed_len(t);
		const char *name = rfc8157_attr_name(t);
		if (name && fixed >= 0 && l != fixed) {
			*why = "known attribute with a wrong length";
			return -1;
		}
		if ((t == A_CIN && l > 255) || (t == A_BRAS_NAME && l > 255)) {
			*why = "string attribute too long";
			return -1;
		}
		struct rfc8157_attr *a = &m->attrs[m->nattrs++];
		a->type = t;
		a->len = l;
		a->val = v;
		if (!name)
			m->unknown++;
		else
			decode_attr(m, a);
		m->present[t / 64] |= 1ull << (t % 64);
	}
	return 0;
}

void rfc8157_begin(struct hgw_wr *w, uint16_t proto, uint32_t key, uint8_t type, uint8_t ttype)
{
	hgw_wr_u16(w, RFC8157_GRE_FLAGS_CTRL);
	hgw_wr_u16(w, proto);
	hgw_wr_u32(w, key);
	hgw_wr_u8(w, (uint8_t)(type << 4 | (ttype & 15)));
}

void rfc8157_attr(struct hgw_wr *w, uint8_t type, const void *val, uint16_t len)
{
	hgw_wr_u8(w, type);
	hgw_wr_u16(w, len);
	if (len)
		hgw_wr_bytes(w, val, len);
}

void rfc8157_attr_u32(struct hgw_wr *w, uint8_t type, uint32_t v)
{
	hgw_wr_u8(w, type);
	hgw_wr_u16(w, 4);
	hgw_wr_u32(w, v);
}

void rfc8157_attr_flag(struct hgw_wr *w, uint8_t type)
{
	rfc8157_attr(w, type, NULL, 0);
}

void rfc8157_attr_prefix(struct hgw_wr *w, uint8_t type, const struct rfc8157_prefix *p)
{
	hgw_wr_u8(w, type);
	hgw_wr_u16(w, 17);
	hgw_wr_bytes(w, &p->addr, 16);
	hgw_wr_u8(w, p->len);
}

void rfc8157_attr_padstr(struct hgw_wr *w, uint8_t type, const char *s, uint16_t width)
{
	size_t n = strnlen(s, width);
	hgw_wr_u8(w, type);
	hgw_wr_u16(w, width);
	hgw_wr_bytes(w, s, n);
	hgw_wr_zero(w, width - n);
}

size_t rfc8157_end(struct hgw_wr *w, bool fin)
{
	if (fin)
		rfc8157_attr_flag(w, A_FIN);
	return hgw_wr_ok(w) ? hgw_wr_len(w) : 0;
}

size_t rfc8157_encode(const struct rfc8157_msg *m, uint8_t *buf, size_t cap)
{
	struct hgw_wr w = hgw_wr_init(buf, cap);
	rfc8157_begin(&w, m->proto, m->key, m->type, m->ttype);
	for (unsigned i = 0; i < m->nattrs; i++)
		rfc8157_attr(&w, m->attrs[i].type, m->attrs[i].val, m->attrs[i].len);
	return rfc8157_end(&w, false);
}

const char *rfc8157_filter_type_name(unsigned type)
{
	static const char *const names[] = {
		[F_FQDN] = "fqdn",
		[F_DSCP] = "dscp",
		[F_DST_PORT] = "dst-port",
		[F_DST_IP] = "dst-ip",
		[F_DST_IP_PORT] = "dst-ip-port",
		[F_SRC_PORT] = "src-port",
		[F_SRC_IP] = "src-ip",
		[F_SRC_IP_PORT] = "src-ip-port",
		[F_SRC_MAC] = "src-mac",
		[F_PROTOCOL] = "protocol",
		[F_SRC_RANGE] = "src-ip-range",
		[F_DST_RANGE] = "dst-ip-range",
		[F_SRC_RANGE_PORT] = "src-ip-range-port",
		[F_DST_RANGE_PORT] = "dst-ip-range-port",
		[F_COMBINATION] = "combination",
	};
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

/* Commit_Count u32 | Packet_Sum u16 | Packet_ID u16 | items, each
 * Type u16 | Length u16 (what follows) | Enable u16 | DescLen u16 |
 * Description | Value. */
int rfc8157_filter_parse(const uint8_t *val, size_t len, struct rfc8157_filter_list *fl,
			 const char **why)
{
	static const char *dummy;
	if (!why)
		why = &dummy;
	memset(fl, 0, sizeof(*fl));
	struct hgw_rd r = hgw_rd_init(val, len);
	fl->commit = hgw_rd_u32(&r);
	fl->packet_sum = hgw_rd_u16(&r);
	fl->packet_id = hgw_rd_u16(&r);
	if (!hgw_rd_ok(&r)) {
		*why = "truncated filter list header";
		return -1;
	}
	if (fl->packet_sum == 0 || fl->packet_id == 0 || fl->packet_id > fl->packet_sum) {
		*why = "filter list packet id out of range";
		return -1;
	}
	while (hgw_rd_left(&r) > 0) {
		uint16_t type = hgw_rd_u16(&r);
		uint16_t ilen = hgw_rd_u16(&r);
		struct hgw_rd it = hgw_rd_sub(&r, ilen);
		uint16_t en = hgw_rd_u16(&it);
		uint16_t dlen = hgw_rd_u16(&it);
		const uint8_t *desc = hgw_rd_ptr(&it, dlen);
		size_t vlen = hgw_rd_left(&it);
		const uint8_t *v = hgw_rd_ptr(&it, vlen);
		if (!hgw_rd_ok(&r) || !hgw_rd_ok(&it)) {
			*why = "filter list item runs past its end";
			return -1;
		}
		if (fl->nitems >= RFC8157_FILTER_MAX_ITEMS) {
			*why = "too many filter list items";
			return -1;
		}
		struct rfc8157_filter_item *fi = &fl->items[fl->nitems++];
		fi->type = type;
		fi->enabled = en;
		copy_str(fi->desc, sizeof(fi->desc), desc, dlen);
		copy_str(fi->value, sizeof(fi->value), v, vlen);
	}
	return 0;
}
