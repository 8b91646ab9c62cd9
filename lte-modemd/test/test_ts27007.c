/* The response parsers fed with real-world lines: Huawei E3372 and ME909,
 * Quectel EC25, Sierra MC7455 answers as they appear in the wild (documented
 * addresses substituted), plus broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "../huawei.h"
#include "../ts27007.h"

static void assert_addr(const struct at_addr *a, const char *want, int plen)
{
	char buf[INET6_ADDRSTRLEN];
	assert_non_null(inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, buf, sizeof(buf)));
	assert_string_equal(buf, want);
	assert_int_equal(a->plen, plen);
}

static void test_split(void **s)
{
	(void)s;
	char f[AT_MAX_FIELDS][AT_FIELD_MAX];
	bool q[AT_MAX_FIELDS];
	assert_int_equal(at_split(" 1 , \"a,b\" ,,\"\" ,x y ", f, q, AT_MAX_FIELDS), 5);
	assert_string_equal(f[0], "1");
	assert_false(q[0]);
	assert_string_equal(f[1], "a,b");
	assert_true(q[1]);
	assert_string_equal(f[2], "");
	assert_string_equal(f[3], "");
	assert_true(q[3]);
	assert_string_equal(f[4], "x y");
	assert_int_equal(at_split("", f, q, AT_MAX_FIELDS), 0);
	assert_int_equal(at_split("\"open", f, q, AT_MAX_FIELDS), -1);
	assert_int_equal(at_split("1,2,3", f, q, 2), -1);
	/* a field longer than AT_FIELD_MAX is cut, not overflowed */
	char big[600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(at_split(big, f, q, AT_MAX_FIELDS), 1);
	assert_int_equal(strlen(f[0]), AT_FIELD_MAX - 1);
	assert_int_equal(at_num("42"), 42);
	assert_int_equal(at_num(""), -1);
	assert_int_equal(at_num("-1"), -1);
	assert_int_equal(at_num("4x"), -1);
}

static void test_addr_forms(void **s)
{
	(void)s;
	struct at_addr a;
	assert_int_equal(at_parse_addr("10.1.2.3", &a), 0);
	assert_int_equal(a.family, 4);
	assert_addr(&a, "10.1.2.3", -1);
	assert_int_equal(at_parse_addr("10.1.2.3.255.255.255.0", &a), 0);
	assert_addr(&a, "10.1.2.3", 24);
	/* Huawei: 16 dotted decimal octets */
	assert_int_equal(at_parse_addr("32.1.13.184.0.1.0.2.0.0.0.0.0.0.0.1", &a), 0);
	assert_int_equal(a.family, 6);
	assert_addr(&a, "2001:db8:1:2::1", -1);
	/* address and mask, 32 octets */
	assert_int_equal(at_parse_addr("32.1.13.184.0.1.0.2.0.0.0.0.0.0.0.1."
				       "255.255.255.255.255.255.255.255.0.0.0.0.0.0.0.0", &a), 0);
	assert_addr(&a, "2001:db8:1:2::1", 64);
	/* colon form (AT+CGPIAF), mask after a blank, or /len */
	assert_int_equal(at_parse_addr("2001:DB8:1:2::1 FFFF:FFFF:FFFF:FFFF::", &a), 0);
	assert_addr(&a, "2001:db8:1:2::1", 64);
	assert_int_equal(at_parse_addr(" 2001:db8::5/56 ", &a), 0);
	assert_addr(&a, "2001:db8::5", 56);
	assert_int_equal(at_parse_addr("2001:db8::5", &a), 0);
	assert_addr(&a, "2001:db8::5", -1);
	/* non-contiguous mask: address kept, no prefix length */
	assert_int_equal(at_parse_addr("10.1.2.3.255.0.255.0", &a), 0);
	assert_int_equal(a.plen, -1);
	/* "none" and broken */
	assert_int_equal(at_parse_addr("0.0.0.0", &a), -1);
	assert_int_equal(at_parse_addr("::", &a), -1);
	assert_int_equal(at_parse_addr("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", &a), -1);
	assert_int_equal(at_parse_addr("", &a), -1);
	assert_int_equal(at_parse_addr("1.2.3", &a), -1);
	assert_int_equal(at_parse_addr("1.2.3.256", &a), -1);
	assert_int_equal(at_parse_addr("1.2.3.4.5", &a), -1);
	assert_int_equal(at_parse_addr("1..2.3", &a), -1);
	assert_int_equal(at_parse_addr("1.2.3.0004", &a), -1);
	assert_int_equal(at_parse_addr("2001:db8::1/129", &a), -1);
	assert_int_equal(at_parse_addr("2001:zz8::1", &a), -1);
	assert_int_equal(at_parse_addr("1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17", &a), -1);
}

static void test_creg(void **s)
{
	(void)s;
	struct at_creg c;
	/* answer to AT+CEREG? with n=2 */
	assert_int_equal(at_parse_creg("+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7", &c), 0);
	assert_int_equal(c.stat, 1);
	assert_int_equal(c.tac, 0x1A2B);
	assert_int_equal(c.ci, 0x01A2B3C4);
	assert_int_equal(c.act, 7);
	/* URC forms */
	assert_int_equal(at_parse_creg("+CEREG: 5,\"1A2B\",\"01A2B3C4\",7", &c), 0);
	assert_int_equal(c.stat, 5);
	assert_int_equal(c.tac, 0x1A2B);
	assert_int_equal(at_parse_creg("+CEREG: 2", &c), 0);
	assert_int_equal(c.stat, 2);
	assert_int_equal(c.tac, -1);
	/* answer with n=0 */
	assert_int_equal(at_parse_creg("+CEREG: 0,3", &c), 0);
	assert_int_equal(c.stat, 3);
	/* firmware that does not quote the TAC */
	assert_int_equal(at_parse_creg("+CEREG: 1,1A2B,01A2B3C4,7", &c), 0);
	assert_int_equal(c.stat, 1);
	assert_int_equal(c.tac, 0x1A2B);
	assert_int_equal(at_parse_creg("+CEREG: 2,1,1A2B,01A2B3C4,7", &c), 0);
	assert_int_equal(c.stat, 1);
	assert_int_equal(c.ci, 0x01A2B3C4);
	/* +CREG from older modems, lower case */
	assert_int_equal(at_parse_creg("+creg: 0,5", &c), 0);
	assert_int_equal(c.stat, 5);
	assert_true(at_reg_is_registered(5));
	assert_false(at_reg_is_registered(2));
	assert_int_equal(at_parse_creg("+CEREG: ", &c), -1);
	assert_int_equal(at_parse_creg("+CEREG: 99", &c), -1);
	assert_int_equal(at_parse_creg("+CSQ: 1,2", &c), -1);
	assert_string_equal(at_act_name(7), "LTE");
	assert_null(at_act_name(99));
}

static void test_signal_and_operator(void **s)
{
	(void)s;
	int rssi;
	assert_int_equal(at_parse_csq("+CSQ: 20,99", &rssi), 0);
	assert_int_equal(rssi, -73);
	assert_int_equal(at_parse_csq("+CSQ: 99,99", &rssi), 0);
	assert_int_equal(rssi, INT32_MIN);
	assert_int_equal(at_parse_csq("+CSQ: 40,99", &rssi), -1);
	struct at_cops o;
	assert_int_equal(at_parse_cops("+COPS: 0,0,\"Telekom.de\",7", &o), 0);
	assert_string_equal(o.oper, "Telekom.de");
	assert_int_equal(o.act, 7);
	assert_int_equal(at_parse_cops("+COPS: 0", &o), 0);
	assert_string_equal(o.oper, "");
	assert_int_equal(at_parse_cops("+COPS: 9,0,\"x\"", &o), -1);
	struct hw_hcsq h;
	assert_int_equal(hw_parse_hcsq("^HCSQ: \"LTE\",63,58,131,21", &h), 0);
	assert_int_equal(h.rssi_x10, -570);
	assert_int_equal(h.rsrp_x10, -820);
	assert_int_equal(h.sinr_x10, 62);   /* -20 + 131 * 0.2 = 6.2 dB */
	assert_int_equal(h.rsrq_x10, -90);  /* -19.5 + 21 * 0.5 = -9 dB */
	assert_int_equal(hw_parse_hcsq("^HCSQ: \"LTE\",255,255,255,255", &h), 0);
	assert_int_equal(h.rsrp_x10, INT32_MIN);
	assert_int_equal(hw_parse_hcsq("^HCSQ: \"NOSERVICE\"", &h), 0);
	assert_int_equal(hw_parse_hcsq("^HCSQ: \"WCDMA\",30,30,58", &h), 0);
	assert_int_equal(h.rssi_x10, -900);
	assert_int_equal(hw_parse_hcsq("^HCSQ: \"FOO\",1", &h), -1);
	assert_int_equal(hw_parse_rssi("^RSSI: 28", &rssi), 0);
	assert_int_equal(rssi, -57);
	struct hw_sysinfoex x;
	assert_int_equal(hw_parse_sysinfoex("^SYSINFOEX: 2,3,0,1,,6,\"LTE\",101,\"LTE\"", &x), 0);
	assert_int_equal(x.sysmode, 6);
	assert_string_equal(x.sysmode_name, "LTE");
	assert_string_equal(x.submode_name, "LTE");
	assert_int_equal(hw_parse_sysinfoex("^SYSINFOEX: 2,3", &x), -1);
}

static void test_cpin_cme(void **s)
{
	(void)s;
	enum at_sim sim;
	assert_int_equal(at_parse_cpin("+CPIN: READY", &sim), 0);
	assert_int_equal(sim, AT_SIM_READY);
	assert_int_equal(at_parse_cpin("+CPIN: SIM PIN", &sim), 0);
	assert_int_equal(sim, AT_SIM_PIN);
	assert_int_equal(at_parse_cpin("+CPIN: SIM PUK", &sim), 0);
	assert_int_equal(sim, AT_SIM_PUK);
	assert_int_equal(at_parse_cpin("+CPIN: PH-NET PIN", &sim), 0);
	assert_int_equal(sim, AT_SIM_OTHER_LOCK);
	assert_int_equal(at_parse_cpin("+CPIN:", &sim), -1);
	assert_int_equal(at_cme_classify(16, NULL), AT_CME_INCORRECT_PASSWORD);
	assert_int_equal(at_cme_classify(-1, "incorrect password"), AT_CME_INCORRECT_PASSWORD);
	assert_int_equal(at_cme_classify(-1, "SIM not inserted"), AT_CME_SIM_NOT_INSERTED);
	assert_int_equal(at_cme_classify(30, "no network service"), AT_CME_OTHER);
}

static void test_cgcontrdp(void **s)
{
	(void)s;
	struct at_cgcontrdp c;
	/* Huawei E3372, IPv6 context: address+mask, gateway, DNS, MTU */
	assert_int_equal(at_parse_cgcontrdp(
		"+CGCONTRDP: 1,5,\"hybrid.telekom.mnc001.mcc262.gprs\","
		"\"32.1.13.184.0.1.0.2.0.0.0.0.0.0.0.1.255.255.255.255.255.255.255.255.0.0.0.0.0.0.0.0\","
		"\"254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1\",\"32.1.13.184.0.83.0.0.0.0.0.0.0.0.0.1\","
		"\"32.1.13.184.0.83.0.0.0.0.0.0.0.0.0.2\",\"0.0.0.0\",\"0.0.0.0\",0,0,1428", &c), 0);
	assert_int_equal(c.cid, 1);
	assert_int_equal(c.bearer, 5);
	assert_string_equal(c.apn, "hybrid.telekom.mnc001.mcc262.gprs");
	assert_addr(&c.local, "2001:db8:1:2::1", 64);
	assert_addr(&c.gw, "fe80::1", -1);
	assert_addr(&c.dns[0], "2001:db8:53::1", -1);
	assert_addr(&c.dns[1], "2001:db8:53::2", -1);
	assert_int_equal(c.ipv4_mtu, 1428);
	assert_int_equal(c.ipv6_mtu, -1);
	/* Quectel with +CGPIAF=1,1,1,1: colon form, extra blanks */
	assert_int_equal(at_parse_cgcontrdp(
		"+CGCONTRDP:  1 , 5 , \"internet\" , \"2001:DB8:1:2::1 FFFF:FFFF:FFFF:FFFF::\" , "
		"\"FE80::1\" , \"2001:DB8:53::1\"", &c), 0);
	assert_addr(&c.local, "2001:db8:1:2::1", 64);
	assert_addr(&c.dns[0], "2001:db8:53::1", -1);
	assert_int_equal(c.dns[1].family, 0);
	/* IPv4 line, no MTU */
	assert_int_equal(at_parse_cgcontrdp("+CGCONTRDP: 1,5,\"internet\",\"10.100.7.9.255.255.255.0\","
					    "\"10.100.7.1\",\"192.0.2.53\"", &c), 0);
	assert_addr(&c.local, "10.100.7.9", 24);
	assert_int_equal(c.ipv4_mtu, -1);
	/* only cid/bearer/apn (context not active) */
	assert_int_equal(at_parse_cgcontrdp("+CGCONTRDP: 1,0,\"\"", &c), 0);
	assert_int_equal(c.local.family, 0);
	assert_int_equal(at_parse_cgcontrdp("+CGCONTRDP: x,5", &c), -1);
	assert_int_equal(at_parse_cgcontrdp("+CGCONTRDP: 1,\"open", &c), -1);
	assert_int_equal(at_parse_cgcontrdp("+CGPADDR: 1", &c), -1);
}

static void test_cgpaddr_cgev_cgact(void **s)
{
	(void)s;
	struct at_cgpaddr p;
	assert_int_equal(at_parse_cgpaddr("+CGPADDR: 1,\"32.1.13.184.0.1.0.2.0.0.0.0.0.0.0.1\"", &p), 0);
	assert_addr(&p.addr[0], "2001:db8:1:2::1", -1);
	assert_int_equal(p.addr[1].family, 0);
	/* IPV4V6: v4 first, then v6; unquoted as some firmwares print it */
	assert_int_equal(at_parse_cgpaddr("+CGPADDR: 1,10.100.7.9,2001:DB8:1:2::1", &p), 0);
	assert_addr(&p.addr[0], "10.100.7.9", -1);
	assert_addr(&p.addr[1], "2001:db8:1:2::1", -1);
	assert_int_equal(at_parse_cgpaddr("+CGPADDR: 1", &p), 0);
	assert_int_equal(p.addr[0].family, 0);
	assert_int_equal(at_parse_cgpaddr("+CGPADDR: 1,\"0.0.0.0\"", &p), 0);
	assert_int_equal(p.addr[0].family, 0);
	assert_int_equal(at_parse_cgpaddr("+CGPADDR: ", &p), -1);
	enum at_cgev ev;
	int cid;
	assert_int_equal(at_parse_cgev("+CGEV: NW PDN DEACT 1", &ev, &cid), 0);
	assert_int_equal(ev, AT_CGEV_PDN_DEACT);
	assert_int_equal(cid, 1);
	assert_int_equal(at_parse_cgev("+CGEV: ME PDN ACT 3,0", &ev, &cid), 0);
	assert_int_equal(ev, AT_CGEV_PDN_ACT);
	assert_int_equal(cid, 3);
	assert_int_equal(at_parse_cgev("+CGEV: NW DEACT \"IPV6\",\"2001:db8::1\"", &ev, &cid), 0);
	assert_int_equal(ev, AT_CGEV_PDN_DEACT);
	assert_int_equal(cid, -1);
	assert_int_equal(at_parse_cgev("+CGEV: NW DETACH", &ev, &cid), 0);
	assert_int_equal(ev, AT_CGEV_DETACH);
	assert_int_equal(at_parse_cgev("+CGEV: NW MODIFY 1,2,0", &ev, &cid), 0);
	assert_int_equal(ev, AT_CGEV_OTHER);
	int state;
	assert_int_equal(at_parse_cgact("+CGACT: 1,1", &cid, &state), 0);
	assert_int_equal(state, 1);
	assert_int_equal(at_parse_cgact("+CGACT: 1,7", &cid, &state), -1);
}

static void test_ndisstat(void **s)
{
	(void)s;
	int st, err;
	assert_int_equal(hw_parse_ndisstat("^NDISSTAT: 1,,,\"IPV6\"", "IPV6", &st, &err), 0);
	assert_int_equal(st, 1);
	assert_int_equal(err, -1);
	assert_int_equal(hw_parse_ndisstat("^NDISSTAT: 0,33,,\"IPV6\"", "IPV6", &st, &err), 0);
	assert_int_equal(st, 0);
	assert_int_equal(err, 33);
	/* dual stack: one group per type */
	assert_int_equal(hw_parse_ndisstat("^NDISSTATQRY: 1,,,\"IPV4\",0,,,\"IPV6\"", "IPV6", &st,
					   &err), 0);
	assert_int_equal(st, 0);
	assert_int_equal(hw_parse_ndisstat("^NDISSTATQRY: 1,,,\"IPV4\",0,,,\"IPV6\"", "IPV4", &st,
					   &err), 0);
	assert_int_equal(st, 1);
	/* old firmware: no type at all */
	assert_int_equal(hw_parse_ndisstat("^NDISSTATQRY: 1", "IPV6", &st, &err), 0);
	assert_int_equal(st, 1);
	assert_int_equal(hw_parse_ndisstat("^NDISSTAT: 1,,,\"IPV4\"", "IPV6", &st, &err), -1);
	assert_int_equal(hw_parse_ndisstat("^NDISSTAT: 9", "", &st, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_addr_forms),
		cmocka_unit_test(test_creg),
		cmocka_unit_test(test_signal_and_operator),
		cmocka_unit_test(test_cpin_cme),
		cmocka_unit_test(test_cgcontrdp),
		cmocka_unit_test(test_cgpaddr_cgev_cgact),
		cmocka_unit_test(test_ndisstat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
