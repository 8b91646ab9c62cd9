/* Parsers for the Huawei extensions found on E3372/ME909/E392 sticks in NDIS
 * mode (Huawei "HiLink-less" AT interface specification): signal (^HCSQ,
 * ^RSSI), system info (^SYSINFOEX, ^MODE) and the NDIS bearer (^NDISSTAT
 * URC, ^NDISSTATQRY answer).  Same conventions as ts27007.h. */
#ifndef LTE_HUAWEI_H
#define LTE_HUAWEI_H

#include <stdint.h>

/* ^HCSQ: "LTE",<rssi>,<rsrp>,<sinr>,<rsrq> (also "WCDMA"/"GSM"/"NOSERVICE").
 * Figures in tenths of dB(m); INT32_MIN when not given. */
struct hw_hcsq {
	char sysmode[16];
	int rssi_x10, rsrp_x10, sinr_x10, rsrq_x10;
};
int hw_parse_hcsq(const char *line, struct hw_hcsq *out);

/* ^RSSI: <rssi> (the +CSQ scale). */
int hw_parse_rssi(const char *line, int *rssi_dbm);

/* ^SYSINFOEX: <srv_status>,<srv_domain>,<roam_status>,<sim_state>,
 * <lock_state>,<sysmode>,<sysmode_name>,<submode>,<submode_name> */
struct hw_sysinfoex {
	int srv_status;  /* 2 = valid service */
	int sim_state;   /* 1 = valid, 255 = absent */
	int sysmode;     /* 6 = LTE */
	char sysmode_name[24];
	char submode_name[24];
};
int hw_parse_sysinfoex(const char *line, struct hw_sysinfoex *out);

/* ^NDISSTAT: <stat>[,<err>[,<wx_state>[,<PDP_type>]]] and
 * ^NDISSTATQRY: the same, repeated per PDP type ("1,,,"IPV4",0,,,"IPV6"").
 * For the PDP type wanted ("IPV6", "IPV4"; "" = the first group), gives
 * stat (0 down, 1 up, 2 connecting, 3 disconnecting) and the network's
 * error code (-1 none).  Returns -1 if the line has no such group. */
int hw_parse_ndisstat(const char *line, const char *pdp_type, int *stat, int *err);

#endif
