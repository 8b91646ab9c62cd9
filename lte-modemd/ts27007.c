/* 3GPP TS 27.007 response parsers: see ts27007.h. */
#include "ts27007.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void at_copy(char *dst, size_t size, const char *src)
{
	if (!size)
		return;
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

int at_split(const char *s, char f[][AT_FIELD_MAX], bool *quoted, int max)
{
	int n = 0;
	if (!s)
		return -1;
	while (*s == ' ')
		s++;
	if (!*s)
		return 0;
	for (;;) {
		if (n >= max)
			return -1;
		size_t len = 0;
		bool q = false;
		while (*s == ' ')
			s++;
		if (*s == '"') {
			q = true;
			s++;
			while (*s && *s != '"') {
				if (len < AT_FIELD_MAX - 1)
					f[n][len++] = *s;
				s++;
			}
			if (*s != '"')
				return -1;
			s++;
			while (*s == ' ')
				s++;
			/* junk after the closing quote: keep it, a modem bug
			 * should not hide the rest of the line */
			while (*s && *s != ',') {
				if (len < AT_FIELD_MAX - 1)
					f[n][len++] = *s;
				s++;
			}
		} else {
			while (*s && *s != ',') {
				if (len < AT_FIELD_MAX - 1)
					f[n][len++] = *s;
				s++;
			}
			while (len && f[n][len - 1] == ' ')
				len--;
		}
		f[n][len] = 0;
		if (quoted)
			quoted[n] = q;
		n++;
		if (*s != ',')
			return n;
		s++;
	}
}

const char *at_after(const char *line, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncasecmp(line, prefix, n) != 0)
		return NULL;
	line += n;
	while (*line == ' ')
		line++;
	return line;
}

long at_num(const char *f)
{
	if (!f || !*f)
		return -1;
	char *end;
	long v = strtol(f, &end, 10);
	if (*end || v < 0 || f[0] == '-' || f[0] == '+' || f[0] == ' ')
		return -1;
	return v;
}

/* Prefix length of a contiguous mask of n bytes, -1 otherwise. */
static int mask_len(const uint8_t *m, int n)
{
	int plen = 0, i = 0;
	while (i < n && m[i] == 0xff) {
		plen += 8;
		i++;
	}
	if (i < n) {
		uint8_t b = m[i];
		while (b & 0x80) {
			plen++;
			b <<= 1;
		}
		if (b)
			return -1;
		for (i++; i < n; i++)
			if (m[i])
				return -1;
	}
	return plen;
}

static bool all_zero(const uint8_t *a, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

int at_parse_addr(const char *s, struct at_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->plen = -1;
	while (*s == ' ')
		s++;
	char buf[AT_FIELD_MAX];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	while (n && buf[n - 1] == ' ')
		buf[--n] = 0;
	if (strchr(buf, ':')) {
		/* colon form, the mask after a blank or "/len" */
		char *mask = strpbrk(buf, " /");
		char sep = mask ? *mask : 0;
		if (mask) {
			*mask++ = 0;
			while (*mask == ' ')
				mask++;
		}
		if (inet_pton(AF_INET6, buf, out->a) != 1)
			return -1;
		out->family = 6;
		if (mask && sep == '/') {
			long l = at_num(mask);
			if (l < 0 || l > 128)
				return -1;
			out->plen = (int)l;
		} else if (mask && *mask) {
			uint8_t m[16];
			if (inet_pton(AF_INET6, mask, m) != 1)
				return -1;
			out->plen = mask_len(m, 16);
		}
		return all_zero(out->a, 16) ? -1 : 0;
	}
	/* dotted decimal: 4, 8, 16 or 32 octets */
	uint8_t oct[32];
	int k = 0;
	const char *p = buf;
	for (;;) {
		if (k >= 32 || *p < '0' || *p > '9')
			return -1;
		long v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			if (++digits > 3)
				return -1;
		}
		if (v > 255)
			return -1;
		oct[k++] = (uint8_t)v;
		if (*p == 0)
			break;
		if (*p != '.')
			return -1;
		p++;
	}
	switch (k) {
	case 4:
	case 8:
		out->family = 4;
		memcpy(out->a, oct, 4);
		if (k == 8)
			out->plen = mask_len(oct + 4, 4);
		return all_zero(out->a, 4) ? -1 : 0;
	case 16:
	case 32:
		out->family = 6;
		memcpy(out->a, oct, 16);
		if (k == 32)
			out->plen = mask_len(oct + 16, 16);
		return all_zero(out->a, 16) ? -1 : 0;
	default:
		return -1;
	}
}

static long hex_field(const char *f)
{
	if (!f || !*f || strlen(f) > 8)
		return -1;
	char *end;
	long v = strtol(f, &end, 16);
	return *end || v < 0 ? -1 : v;
}

int at_parse_creg(const char *line, struct at_creg *out)
{
	const char *s = at_after(line, "+CEREG:");
	if (!s)
		s = at_after(line, "+CREG:");
	if (!s)
		s = at_after(line, "+CGREG:");
	if (!s)
		return -1;
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	bool q[AT_MAX_FIELDS];
	int n = at_split(s, f, q, AT_MAX_FIELDS);
	if (n < 1)
		return -1;
	/* URC form if there is one field or the second is the quoted <tac>;
	 * some firmwares do not quote <tac>, in which case a two-field line
	 * "<n>,<stat>" (both small numbers) is the response form. */
	int base;
	if (n == 1 || q[1])
		base = 0;
	else if (n >= 3 && q[2])
		base = 1;
	else if (n == 2)
		base = 1;
	else /* unquoted <tac>: a 4-digit hex TAC is no <stat> */
		base = strlen(f[1]) > 2 ? 0 : 1;
	long stat = at_num(f[base]);
	if (stat < 0 || stat > 11)
		return -1;
	out->stat = (int)stat;
	out->tac = base + 1 < n ? hex_field(f[base + 1]) : -1;
	out->ci = base + 2 < n ? hex_field(f[base + 2]) : -1;
	long act = base + 3 < n ? at_num(f[base + 3]) : -1;
	out->act = act >= 0 && act <= 20 ? (int)act : -1;
	return 0;
}

bool at_reg_is_registered(int stat)
{
	return stat == AT_REG_HOME || stat == AT_REG_ROAMING;
}

const char *at_reg_name(int stat)
{
	switch (stat) {
	case AT_REG_NOT: return "not registered";
	case AT_REG_HOME: return "home";
	case AT_REG_SEARCHING: return "searching";
	case AT_REG_DENIED: return "denied";
	case AT_REG_ROAMING: return "roaming";
	default: return "unknown";
	}
}

/* 27.007 <AcT> values. */
static const char *const act_names[] = {
	[0] = "GSM", [1] = "GSM Compact", [2] = "UTRAN", [3] = "GSM/EGPRS",
	[4] = "UTRAN/HSDPA", [5] = "UTRAN/HSUPA", [6] = "UTRAN/HSPA", [7] = "LTE",
	[8] = "EC-GSM-IoT", [9] = "LTE Cat-NB1", [10] = "LTE/5GCN", [11] = "NR/5GCN",
	[12] = "NG-RAN", [13] = "LTE/NR",
};

const char *at_act_name(int act)
{
	if (act < 0 || act >= (int)(sizeof(act_names) / sizeof(act_names[0])) || !act_names[act])
		return NULL;
	return act_names[act];
}

int at_parse_rssi_scale(const char *line, const char *prefix, int *rssi_dbm)
{
	const char *s = at_after(line, prefix);
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	if (!s || at_split(s, f, NULL, AT_MAX_FIELDS) < 1)
		return -1;
	long r = at_num(f[0]);
	if (r < 0 || (r > 31 && r != 99))
		return -1;
	/* 0 = -113 dBm or less, 31 = -51 dBm or more, 2 dB steps */
	*rssi_dbm = r == 99 ? INT32_MIN : (int)(-113 + 2 * r);
	return 0;
}

int at_parse_csq(const char *line, int *rssi_dbm)
{
	return at_parse_rssi_scale(line, "+CSQ:", rssi_dbm);
}

int at_parse_cops(const char *line, struct at_cops *out)
{
	const char *s = at_after(line, "+COPS:");
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	int n = s ? at_split(s, f, NULL, AT_MAX_FIELDS) : -1;
	if (n < 1)
		return -1;
	long mode = at_num(f[0]);
	if (mode < 0 || mode > 4)
		return -1;
	memset(out, 0, sizeof(*out));
	out->mode = (int)mode;
	out->act = -1;
	if (n >= 3)
		at_copy(out->oper, sizeof(out->oper), f[2]);
	if (n >= 4) {
		long a = at_num(f[3]);
		out->act = a >= 0 && a <= 20 ? (int)a : -1;
	}
	return 0;
}

static const struct {
	const char *text;
	enum at_sim sim;
} cpin_codes[] = {
	{ "READY", AT_SIM_READY },
	{ "SIM PIN", AT_SIM_PIN },
	{ "SIM PUK", AT_SIM_PUK },
};

int at_parse_cpin(const char *line, enum at_sim *out)
{
	const char *s = at_after(line, "+CPIN:");
	if (!s || !*s)
		return -1;
	for (size_t i = 0; i < sizeof(cpin_codes) / sizeof(cpin_codes[0]); i++)
		if (strcasecmp(s, cpin_codes[i].text) == 0) {
			*out = cpin_codes[i].sim;
			return 0;
		}
	/* PH-SIM PIN, SIM PIN2, PH-NET PIN ...: locked in a way we cannot
	 * unlock with the SIM PIN. */
	*out = AT_SIM_OTHER_LOCK;
	return 0;
}

static void addr_field(const char *f, struct at_addr *a)
{
	if (at_parse_addr(f, a) < 0)
		memset(a, 0, sizeof(*a));
}

int at_parse_cgcontrdp(const char *line, struct at_cgcontrdp *out)
{
	const char *s = at_after(line, "+CGCONTRDP:");
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	int n = s ? at_split(s, f, NULL, AT_MAX_FIELDS) : -1;
	if (n < 1)
		return -1;
	memset(out, 0, sizeof(*out));
	long cid = at_num(f[0]);
	if (cid < 0 || cid > 255)
		return -1;
	out->cid = (int)cid;
	out->bearer = n > 1 ? (int)at_num(f[1]) : -1;
	if (n > 2)
		at_copy(out->apn, sizeof(out->apn), f[2]);
	if (n > 3)
		addr_field(f[3], &out->local);
	if (n > 4)
		addr_field(f[4], &out->gw);
	if (n > 5)
		addr_field(f[5], &out->dns[0]);
	if (n > 6)
		addr_field(f[6], &out->dns[1]);
	out->ipv4_mtu = out->ipv6_mtu = -1;
	if (n > 11)
		out->ipv4_mtu = (int)at_num(f[11]);
	if (n > 25)
		out->ipv6_mtu = (int)at_num(f[25]);
	return 0;
}

int at_parse_cgpaddr(const char *line, struct at_cgpaddr *out)
{
	const char *s = at_after(line, "+CGPADDR:");
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	int n = s ? at_split(s, f, NULL, AT_MAX_FIELDS) : -1;
	if (n < 1)
		return -1;
	memset(out, 0, sizeof(*out));
	long cid = at_num(f[0]);
	if (cid < 0 || cid > 255)
		return -1;
	out->cid = (int)cid;
	for (int i = 1; i < n && i < 3; i++)
		addr_field(f[i], &out->addr[i - 1]);
	return 0;
}

/* +CGEV event texts (27.007 10.1.19), longest first where one is a prefix
 * of another. */
static const struct {
	const char *text;
	enum at_cgev ev;
} cgev_events[] = {
	{ "NW PDN DEACT", AT_CGEV_PDN_DEACT },
	{ "ME PDN DEACT", AT_CGEV_PDN_DEACT },
	{ "NW DEACT", AT_CGEV_PDN_DEACT },
	{ "ME DEACT", AT_CGEV_PDN_DEACT },
	{ "NW PDN ACT", AT_CGEV_PDN_ACT },
	{ "ME PDN ACT", AT_CGEV_PDN_ACT },
	{ "NW DETACH", AT_CGEV_DETACH },
	{ "ME DETACH", AT_CGEV_DETACH },
};

int at_parse_cgev(const char *line, enum at_cgev *ev, int *cid)
{
	const char *s = at_after(line, "+CGEV:");
	if (!s)
		return -1;
	*ev = AT_CGEV_OTHER;
	*cid = -1;
	for (size_t i = 0; i < sizeof(cgev_events) / sizeof(cgev_events[0]); i++) {
		size_t n = strlen(cgev_events[i].text);
		if (strncasecmp(s, cgev_events[i].text, n) == 0) {
			*ev = cgev_events[i].ev;
			const char *p = s + n;
			while (*p == ' ')
				p++;
			/* "NW DEACT <PDP_type>, <PDP_addr>[,<cid>]" carries no
			 * leading cid; the PDN forms start with it. */
			char *end;
			long c = strtol(p, &end, 10);
			if (end != p && (*end == 0 || *end == ',' || *end == ' ') && c >= 0 && c < 256)
				*cid = (int)c;
			break;
		}
	}
	return 0;
}

int at_parse_cgact(const char *line, int *cid, int *state)
{
	const char *s = at_after(line, "+CGACT:");
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	if (!s || at_split(s, f, NULL, AT_MAX_FIELDS) < 2)
		return -1;
	long c = at_num(f[0]), st = at_num(f[1]);
	if (c < 0 || c > 255 || st < 0 || st > 1)
		return -1;
	*cid = (int)c;
	*state = (int)st;
	return 0;
}

static const struct {
	const char *text;
	enum at_cme code;
} cme_texts[] = {
	{ "SIM not inserted", AT_CME_SIM_NOT_INSERTED },
	{ "SIM PIN required", AT_CME_SIM_PIN_REQUIRED },
	{ "SIM PUK required", AT_CME_SIM_PUK_REQUIRED },
	{ "SIM failure", AT_CME_SIM_FAILURE },
	{ "SIM busy", AT_CME_SIM_BUSY },
	{ "incorrect password", AT_CME_INCORRECT_PASSWORD },
};

enum at_cme at_cme_classify(int code, const char *text)
{
	for (size_t i = 0; i < sizeof(cme_texts) / sizeof(cme_texts[0]); i++)
		if ((code >= 0 && code == (int)cme_texts[i].code) ||
		    (code < 0 && text && strcasecmp(text, cme_texts[i].text) == 0))
			return cme_texts[i].code;
	return AT_CME_OTHER;
}
