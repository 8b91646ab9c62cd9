/* Huawei AT extensions: see huawei.h. */
#include "huawei.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ts27007.h"

static int scaled(const char *f, long max, int base_x10, int step_x10)
{
	long v = at_num(f);
	/* 255 means "unknown" in every ^HCSQ field */
	if (v < 0 || v > max)
		return INT32_MIN;
	return base_x10 + (int)v * step_x10;
}

int hw_parse_hcsq(const char *line, struct hw_hcsq *out)
{
	const char *s = at_after(line, "^HCSQ:");
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	int n = s ? at_split(s, f, NULL, AT_MAX_FIELDS) : -1;
	if (n < 1)
		return -1;
	at_copy(out->sysmode, sizeof(out->sysmode), f[0]);
	out->rssi_x10 = out->rsrp_x10 = out->sinr_x10 = out->rsrq_x10 = INT32_MIN;
	if (strcasecmp(f[0], "LTE") == 0) {
		/* rssi 0..96: -120 dBm + n; rsrp 0..97: -140 dBm + n;
		 * sinr 0..251: -20 dB + n/5; rsrq 0..34: -19.5 dB + n/2 */
		if (n > 1)
			out->rssi_x10 = scaled(f[1], 96, -1200, 10);
		if (n > 2)
			out->rsrp_x10 = scaled(f[2], 97, -1400, 10);
		if (n > 3)
			out->sinr_x10 = scaled(f[3], 251, -200, 2);
		if (n > 4)
			out->rsrq_x10 = scaled(f[4], 34, -195, 5);
	} else if (strcasecmp(f[0], "WCDMA") == 0 || strcasecmp(f[0], "GSM") == 0) {
		if (n > 1)
			out->rssi_x10 = scaled(f[1], 96, -1200, 10);
	} else if (strcasecmp(f[0], "NOSERVICE") != 0) {
		return -1;
	}
	return 0;
}

int hw_parse_rssi(const char *line, int *rssi_dbm)
{
	/* ^RSSI uses the +CSQ scale. */
	return at_parse_rssi_scale(line, "^RSSI:", rssi_dbm);
}

int hw_parse_sysinfoex(const char *line, struct hw_sysinfoex *out)
{
	const char *s = at_after(line, "^SYSINFOEX:");
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	int n = s ? at_split(s, f, NULL, AT_MAX_FIELDS) : -1;
	if (n < 6)
		return -1;
	memset(out, 0, sizeof(*out));
	out->srv_status = (int)at_num(f[0]);
	out->sim_state = (int)at_num(f[3]);
	out->sysmode = (int)at_num(f[5]);
	if (out->srv_status < 0 || out->sysmode < 0)
		return -1;
	if (n > 6)
		at_copy(out->sysmode_name, sizeof(out->sysmode_name), f[6]);
	if (n > 8)
		at_copy(out->submode_name, sizeof(out->submode_name), f[8]);
	return 0;
}

int hw_parse_ndisstat(const char *line, const char *pdp_type, int *stat, int *err)
{
	const char *s = at_after(line, "^NDISSTATQRY:");
	if (!s)
		s = at_after(line, "^NDISSTAT:");
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	int n = s ? at_split(s, f, NULL, AT_MAX_FIELDS) : -1;
	if (n < 1)
		return -1;
	/* groups of four: <stat>,<err>,<wx_state>,<PDP_type> */
	for (int g = 0; g < n; g += 4) {
		const char *type = g + 3 < n ? f[g + 3] : "";
		bool match = !pdp_type[0] || !type[0] || strcasecmp(type, pdp_type) == 0;
		if (!match)
			continue;
		long st = at_num(f[g]);
		if (st < 0 || st > 3)
			return -1;
		*stat = (int)st;
		*err = g + 1 < n ? (int)at_num(f[g + 1]) : -1;
		return 0;
	}
	return -1;
}
