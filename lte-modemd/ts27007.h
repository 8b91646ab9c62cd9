/* Parsers for the information responses and URCs of 3GPP TS 27.007 (and the
 * Huawei extensions LTE sticks use), one function per response.  Each takes
 * one line as the modem sent it, prefix included, and fills a struct; all
 * return 0 on success and -1 on a line they cannot make sense of (which the
 * caller logs and ignores).  Nothing here allocates or keeps state. */
#ifndef LTE_TS27007_H
#define LTE_TS27007_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AT_MAX_FIELDS 32
#define AT_FIELD_MAX 160

/* Copies src into dst (size bytes), truncating; always terminated. */
void at_copy(char *dst, size_t size, const char *src);

/* Splits "a, "b,c" ,,d" into fields: quotes removed (a quoted comma does
 * not split), blanks around fields trimmed.  quoted[i] tells whether field
 * i was in quotes.  Returns the number of fields (0..max), -1 if a quote is
 * unterminated or there are more than max fields. */
int at_split(const char *s, char f[][AT_FIELD_MAX], bool *quoted, int max);
/* The text after "PREFIX:" (case-insensitive), blanks skipped; NULL if the
 * line does not start with prefix. */
const char *at_after(const char *line, const char *prefix);
/* Parses a non-negative decimal field; -1 if empty or not a number. */
long at_num(const char *f);

/* An address as a modem writes it in a PDP context.  Forms accepted:
 *   "10.1.2.3"                         IPv4
 *   "10.1.2.3.255.255.255.0"           IPv4 + subnet mask
 *   "32.1.13.184.0.0...1"              IPv6, 16 dotted decimal octets
 *   "32.1.13.184....255.255...0"       IPv6 + mask, 32 octets
 *   "2001:db8::1"                      IPv6, colon form (AT+CGPIAF)
 *   "2001:db8::1 ffff:ffff:ffff:ffff::" or "2001:db8::1/64"
 * family is 4 or 6; plen is the prefix length from the mask, or -1 when
 * none was given or the mask is not contiguous.  An all-zero address
 * ("0.0.0.0", "::") is "none": returns -1. */
struct at_addr {
	int family;
	uint8_t a[16];
	int plen;
};
int at_parse_addr(const char *s, struct at_addr *out);

/* +CEREG / +CREG / +CGREG, both forms:
 *   response (AT+CEREG?): +CEREG: <n>,<stat>[,<tac>,<ci>[,<AcT>]...]
 *   URC:                  +CEREG: <stat>[,<tac>,<ci>[,<AcT>]...]
 * The forms are told apart by the field after the first: quoted
 * (<tac>) or absent means the URC form. */
enum at_reg {
	AT_REG_NOT = 0, AT_REG_HOME = 1, AT_REG_SEARCHING = 2, AT_REG_DENIED = 3,
	AT_REG_UNKNOWN = 4, AT_REG_ROAMING = 5,
};
struct at_creg {
	int stat;       /* enum at_reg; other 27.007 values (6..11) kept as is */
	long tac, ci;   /* -1 unknown */
	int act;        /* 27.007 AcT, -1 unknown; 7 = E-UTRAN */
};
int at_parse_creg(const char *line, struct at_creg *out);
bool at_reg_is_registered(int stat);
const char *at_reg_name(int stat);
const char *at_act_name(int act);

/* +CSQ: <rssi>,<ber>.  rssi_dbm INT32_MIN when unknown (99). */
int at_parse_csq(const char *line, int *rssi_dbm);
/* The same 0..31/99 RSSI scale after another prefix (Huawei's ^RSSI). */
int at_parse_rssi_scale(const char *line, const char *prefix, int *rssi_dbm);

/* +COPS: <mode>[,<format>,<oper>[,<AcT>]] */
struct at_cops {
	int mode;
	char oper[64];  /* "" when not registered */
	int act;        /* -1 unknown */
};
int at_parse_cops(const char *line, struct at_cops *out);

/* +CPIN: READY | SIM PIN | SIM PUK | ... */
enum at_sim { AT_SIM_UNKNOWN, AT_SIM_READY, AT_SIM_PIN, AT_SIM_PUK, AT_SIM_OTHER_LOCK };
int at_parse_cpin(const char *line, enum at_sim *out);

/* +CGCONTRDP (one line per address family of the context):
 *   <cid>,<bearer_id>,<apn>[,<local_addr and subnet_mask>[,<gw_addr>
 *   [,<DNS_prim_addr>[,<DNS_sec_addr>[,<P-CSCF_prim>[,<P-CSCF_sec>
 *   [,<IM_CN_Signalling_Flag>[,<LIPA_indication>[,<IPv4_MTU>[...
 *   [,<IPv6_MTU>]]]]]]]]]]  (IPv6_MTU is field 26 in Release 16) */
struct at_cgcontrdp {
	int cid;
	int bearer;
	char apn[100];
	struct at_addr local;   /* family 0 if absent */
	struct at_addr gw;
	struct at_addr dns[2];
	int ipv4_mtu, ipv6_mtu; /* -1 absent */
};
int at_parse_cgcontrdp(const char *line, struct at_cgcontrdp *out);

/* +CGPADDR: <cid>[,<PDP_addr_1>[,<PDP_addr_2>]]; absent addresses have
 * family 0. */
struct at_cgpaddr {
	int cid;
	struct at_addr addr[2];
};
int at_parse_cgpaddr(const char *line, struct at_cgpaddr *out);

/* +CGEV: what happened to which context. */
enum at_cgev {
	AT_CGEV_OTHER, AT_CGEV_PDN_ACT, AT_CGEV_PDN_DEACT, AT_CGEV_DETACH,
};
int at_parse_cgev(const char *line, enum at_cgev *ev, int *cid);

/* +CGACT: <cid>,<state> (one line of the AT+CGACT? answer). */
int at_parse_cgact(const char *line, int *cid, int *state);

/* Error codes of +CME ERROR that change what we do, by number (CMEE=1) or
 * verbose text (CMEE=2), from TS 27.007 section 9.2. */
enum at_cme {
	AT_CME_OTHER = -1,
	AT_CME_SIM_NOT_INSERTED = 10,
	AT_CME_SIM_PIN_REQUIRED = 11,
	AT_CME_SIM_PUK_REQUIRED = 12,
	AT_CME_SIM_FAILURE = 13,
	AT_CME_SIM_BUSY = 14,
	AT_CME_INCORRECT_PASSWORD = 16,
};
enum at_cme at_cme_classify(int code, const char *text);

#endif
