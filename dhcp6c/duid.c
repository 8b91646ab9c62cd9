/* DUIDs and IAIDs; see duid.h. */
#include "duid.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pkt.h"
#include "state.h"

/* DUID-LLT time base: 2000-01-01 00:00:00 UTC (RFC 8415 11.2). */
#define DUID_EPOCH 946684800

int duid_type_parse(const char *s)
{
	if (!strcmp(s, "llt"))
		return DUID_LLT;
	if (!strcmp(s, "ll"))
		return DUID_LL;
	if (!strcmp(s, "en"))
		return DUID_EN;
	if (!strcmp(s, "uuid"))
		return DUID_UUID;
	return 0;
}

static void rand_bytes(uint8_t *p, size_t n, const struct hgw_rng *rng)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)hgw_rand(rng);
}

void duid_make(struct d6_duid *d, int type, uint16_t hwtype, const uint8_t *hw, size_t hwlen,
	       int64_t time_wall, uint32_t enterprise, const struct hgw_rng *rng)
{
	uint8_t fake[6];
	if ((type == DUID_LLT || type == DUID_LL) && (hwlen == 0 || hwlen > 64)) {
		rand_bytes(fake, 6, rng);
		fake[0] = (uint8_t)((fake[0] & 0xfc) | 0x02); /* local, unicast */
		hw = fake;
		hwlen = 6;
		hwtype = 1;
	}
	struct hgw_wr w = hgw_wr_init(d->b, sizeof(d->b));
	hgw_wr_u16(&w, (uint16_t)type);
	switch (type) {
	case DUID_LLT:
		hgw_wr_u16(&w, hwtype);
		hgw_wr_u32(&w, (uint32_t)(time_wall - DUID_EPOCH));
		hgw_wr_bytes(&w, hw, hwlen);
		break;
	case DUID_LL:
		hgw_wr_u16(&w, hwtype);
		hgw_wr_bytes(&w, hw, hwlen);
		break;
	case DUID_EN: {
		uint8_t id[8];
		rand_bytes(id, sizeof(id), rng);
		hgw_wr_u32(&w, enterprise);
		hgw_wr_bytes(&w, id, sizeof(id));
		break;
	}
	default: { /* UUID, RFC 6355 / RFC 4122 version 4 */
		uint8_t u[16];
		rand_bytes(u, sizeof(u), rng);
		u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
		u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
		hgw_wr_bytes(&w, u, sizeof(u));
		break;
	}
	}
	d->len = (uint16_t)hgw_wr_len(&w);
}

void hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = x[p[i] >> 4];
		out[2 * i + 1] = x[p[i] & 15];
	}
	out[2 * n] = 0;
}

static int nib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (*s) {
		if (*s == ':' || *s == '\n') { /* "00:01:..." is accepted too */
			s++;
			continue;
		}
		int a = nib(s[0]), b = a >= 0 ? nib(s[1]) : -1;
		if (a < 0 || b < 0 || n >= cap)
			return -1;
		out[n++] = (uint8_t)(a << 4 | b);
		s += 2;
	}
	return (long)n;
}

/* 1: dir/dhcp6c.duid holds a DUID of the wanted type (any type when type is
 * DUID_ANY), in *out; 0: no file; -1: a file of another type or not a DUID. */
static int duid_read(const char *path, int type, struct d6_duid *out)
{
	char buf[2 * D6_DUID_MAX + 8];
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	long l = hex_decode(buf, out->b, sizeof(out->b));
	if (l >= 3 && (type == DUID_ANY || (out->b[0] << 8 | out->b[1]) == type)) {
		out->len = (uint16_t)l;
		return 1;
	}
	return -1;
}

int duid_load_or_create(const char *dir, int type, uint16_t hwtype, const uint8_t *hw,
			size_t hwlen, uint32_t enterprise, struct d6_duid *out)
{
	char path[4096], buf[2 * D6_DUID_MAX + 8];
	snprintf(path, sizeof(path), "%s/dhcp6c.duid", dir);
	/* dhcp6c and dhcp4c start together on a fresh data dir and both want
	 * the one DUID: a new one is only created if none exists (hgw_file_put
	 * without replace), and the loser reads the winner's.  (A shared
	 * temporary name once made the loser fail, and dhcp4c exited at the
	 * image's first boot.) */
	for (int attempt = 0; attempt < 3; attempt++) {
		int found = duid_read(path, type, out);
		if (found == 1)
			return 0;
		if (found < 0)
			log_notice("%s: not a DUID of the configured type, making a new one", path);
		duid_make(out, type == DUID_ANY ? DUID_LLT : type, hwtype, hw, hwlen, time(NULL),
			  enterprise, &hgw_rng_system);
		hex_encode(out->b, out->len, buf);
		size_t len = strlen(buf);
		buf[len] = '\n';
		int rc = hgw_file_put(dir, "dhcp6c.duid", buf, len + 1, 0600, found < 0);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			buf[len] = 0;
			log_notice("made a new DUID %s (saved in %s)", buf, path);
			return 0;
		}
		/* rc 0: the other daemon made one first; use it. */
	}
	log_err("%s: keeps changing under us; is another program rewriting it?", path);
	return -1;
}

uint32_t iaid_for(const char *ifname)
{
	uint32_t h = 2166136261u;
	for (const char *p = ifname; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}
