/* The control-traffic filter: against an independent classifier (plain
 * byte offsets) over real captures and crafted packets, and every link
 * type's program must be accepted by the kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/filter.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../filter.h"

/* Relative to the repository root, where the runner starts tests: CI has
 * shared/ beside the checkout. */
#define CAPTURES "../shared/captures/"

static unsigned be16(const uint8_t *p) { return (unsigned)(p[0] << 8 | p[1]); }

static int icmp6_ctl(unsigned t) { return t < 128 || (t >= 133 && t <= 137); }

/* Is this IP packet (at p, n bytes) control traffic?  Written from the
 * protocol specs, not from the BPF. */
static int ip_ctl(const uint8_t *p, size_t n)
{
	if (n < 20)
		return 0;
	unsigned proto;
	size_t l4;
	int v6 = (p[0] >> 4) == 6;
	if (v6) {
		if (n < 40)
			return 0;
		proto = p[6];
		l4 = 40;
	} else {
		proto = p[9];
		l4 = (size_t)(p[0] & 15) * 4;
	}
	if (n < l4 + 8)
		return 0;
	const uint8_t *t = p + l4;
	if (proto == 17) {
		unsigned sp = be16(t), dp = be16(t + 2);
		if (!v6 && (dp == 67 || dp == 68))
			return 1;
		if (v6 && (dp == 546 || dp == 547))
			return 1;
		return sp == 5060 || dp == 5060;
	}
	if (proto == 6)
		return be16(t) == 5060 || be16(t + 2) == 5060;
	if (proto == 1 && !v6)
		return t[0] != 0 && t[0] != 8;
	if (proto == 58 && v6)
		return icmp6_ctl(t[0]);
	if (proto == 47) {
		unsigned gp = be16(t + 2);
		if (gp == 0x0101 || gp == 0xB7EA)
			return 1;
		size_t h = 4 + (t[0] & 0x80 ? 4 : 0) + (t[0] & 0x20 ? 4 : 0) + (t[0] & 0x10 ? 4 : 0);
		if (n < l4 + h + 48)
			return 0;
		const uint8_t *in = t + h;
		if (gp == 0x0800)
			return in[9] == 17 && (be16(in + 22) == 67 || be16(in + 22) == 68);
		if (gp == 0x86DD)
			return in[6] == 17 && (be16(in + 42) == 546 || be16(in + 42) == 547);
	}
	return 0;
}

static int eth_ctl(const uint8_t *p, size_t n)
{
	if (n < 14)
		return 0;
	unsigned et = be16(p + 12);
	if (et == 0x0806 || et == 0x8863)
		return 1;
	if (et == 0x8864) {
		if (n < 22)
			return 0;
		unsigned pp = be16(p + 20);
		if (pp == 0xc021 || pp == 0xc023 || pp == 0xc223 || pp == 0x8021 || pp == 0x8057)
			return 1;
		if (pp == 0x0057 && n >= 22 + 48) {
			const uint8_t *ip6 = p + 22;
			if (ip6[6] == 58)
				return icmp6_ctl(ip6[40]);
			if (ip6[6] == 17)
				return be16(ip6 + 42) == 546 || be16(ip6 + 42) == 547;
		}
		return 0;
	}
	if (et == 0x0800 || et == 0x86DD)
		return ip_ctl(p + 14, n - 14);
	return 0;
}

static int sll_ctl(const uint8_t *p, size_t n)
{
	if (n < 16)
		return 0;
	unsigned et = be16(p + 14);
	if (et == 0x0806)
		return 1;
	if (et == 0x0800 || et == 0x86DD)
		return ip_ctl(p + 16, n - 16);
	return 0;
}

struct tally {
	int match, nomatch, grectl, gredata;
};

static void run_file(const char *path, int (*ref)(const uint8_t *, size_t), struct tally *t)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (!p)
		fail_msg("%s: %s", path, err);
	int dlt = pcap_datalink(p);
	char expr[16384];
	assert_true(filter_build(dlt, NULL, NULL, expr, sizeof(expr)) > 0);
	struct bpf_program prog;
	assert_int_equal(filter_compile(dlt, 65535, expr, &prog, err), 0);
	struct pcap_pkthdr *h;
	const u_char *d;
	int i = 0;
	memset(t, 0, sizeof(*t));
	while (pcap_next_ex(p, &h, &d) == 1) {
		i++;
		int want = ref(d, h->caplen);
		int got = filter_match(&prog, d, h->caplen, h->len);
		if (want != got)
			fail_msg("%s frame %d: filter says %d, reference says %d", path, i, got, want);
		if (got)
			t->match++;
		else
			t->nomatch++;
		/* GRE packets, for the record */
		size_t l3 = dlt == DLT_EN10MB ? 14 : 16;
		unsigned et = be16(d + l3 - 2);
		if (h->caplen > l3 + 44 && et == 0x86DD && d[l3 + 6] == 47) {
			unsigned gp = be16(d + l3 + 42);
			if (gp == 0x0101)
				t->grectl++;
			else
				t->gredata++;
		}
	}
	pcap_freecode(&prog);
	pcap_close(p);
}

static void test_real_lte_capture(void **s)
{
	(void)s;
	struct tally t;
	run_file(CAPTURES "speedport-ltefirst/rmnet0.pcap", eth_ctl, &t);
	/* The capture must exercise both sides, or the test proves nothing. */
	assert_true(t.grectl > 10);
	assert_true(t.gredata > 10);
	assert_true(t.match > t.grectl); /* DHCP inside the tunnel too */
	assert_true(t.nomatch > 100);
}

static void test_real_dsl_capture(void **s)
{
	(void)s;
	struct tally t;
	run_file(CAPTURES "speedport-ltefirst/ppp256.pcap", sll_ctl, &t);
	assert_true(t.match > 0);
	assert_true(t.nomatch > 0);
}

static void test_real_dhcp_captures(void **s)
{
	(void)s;
	struct tally t;
	run_file(CAPTURES "fiber7/dhcp4-fiber7.pcap", eth_ctl, &t);
	assert_true(t.match >= 2);
	run_file(CAPTURES "fiber7/dhcp6-fiber7.pcap", eth_ctl, &t);
	assert_true(t.match >= 2);
}

/* Crafted frames: a name, the bytes (hex), whether it is control. */
static const struct {
	const char *name;
	const char *hex;
	int control;
} frames[] = {
	{ "PPPoE PADI", "ffffffffffff02000000000188631109000000040101000000000000", 1 },
	{ "PPPoE session LCP conf-req", "020000000002020000000001886411000001000cc021010100080000000000000000", 1 },
	{ "PPPoE session CHAP", "020000000002020000000001886411000001000cc223010100080000000000000000", 1 },
	{ "PPPoE session IPv4 data", "0200000000020200000000018864110000010020000000214500001c0000000040110000c0000201c000020204d2162e00080000", 0 },
	{ "PPPoE session IPv6 RA",
	  "020000000002020000000001" "8864" "1100" "0001" "0032" "0057" "6000000000103aff"
	  "fe800000000000000000000000000001" "ff020000000000000000000000000001"
	  "86000000400007080000000000000000", 1 },
	{ "IPv4 ICMP echo", "02000000000202000000000108004500001c000000004001f7a3c0000201c00002020800f7ff00000000", 0 },
	{ "IPv4 ICMP port unreachable", "02000000000202000000000108004500001c000000004001f7a3c0000201c00002020303fcfc00000000", 1 },
	{ "IPv4 UDP bulk", "02000000000202000000000108004500001c0000000040110000c0000201c0000202138913890008000000", 0 },
	{ "IPv4 TCP data", "0200000000020200000000010800450000280000000040060000c0000201c00002020050c350000000000000000050100000000000000000", 0 },
	{ "IPv4 SIP", "02000000000202000000000108004500001c0000000040110000c0000201c000020213c413c40008000000", 1 },
	{ "IPv6 ICMPv6 echo",
	  "020000000002020000000001" "86dd" "6000000000083a40" "20010db8000000000000000000000001" "20010db8000000000000000000000002" "8000000000000000", 0 },
	{ "IPv6 ICMPv6 NS",
	  "020000000002020000000001" "86dd" "6000000000083aff" "20010db8000000000000000000000001" "20010db8000000000000000000000002" "8700000000000000", 1 },
	{ "ARP", "ffffffffffff0200000000010806000108000604000102000000000100000000000000000000000000000000", 1 },
};

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; h[0] && h[1] && n < cap; h += 2)
		sscanf(h, "%2hhx", &out[n++]);
	return n;
}

static void test_crafted_frames(void **s)
{
	(void)s;
	char expr[16384], err[PCAP_ERRBUF_SIZE];
	assert_true(filter_build(DLT_EN10MB, NULL, NULL, expr, sizeof(expr)) > 5);
	struct bpf_program prog;
	assert_int_equal(filter_compile(DLT_EN10MB, 65535, expr, &prog, err), 0);
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		uint8_t b[256];
		size_t n = unhex(frames[i].hex, b, sizeof(b));
		if (eth_ctl(b, n) != frames[i].control) /* the reference must agree */
			fail_msg("%s: the reference classifier disagrees", frames[i].name);
		if (filter_match(&prog, b, (unsigned)n, (unsigned)n) != frames[i].control)
			fail_msg("%s: expected %s", frames[i].name, frames[i].control ? "match" : "no match");
	}
	pcap_freecode(&prog);
}

/* The kernel's classic-BPF checker is stricter than libpcap: a program it
 * refuses makes libpcap filter in userspace, waking netdumpd for every
 * data packet.  Any socket takes a filter, so a UDP socket is enough. */
static void test_kernel_accepts_every_link_type(void **s)
{
	(void)s;
	const int dlts[] = { DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IPV4,
			     DLT_IPV6 };
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		char expr[16384], err[PCAP_ERRBUF_SIZE];
		int used = filter_build(dlts[i], NULL, NULL, expr, sizeof(expr));
		if (used <= 0)
			continue;
		struct bpf_program prog;
		assert_int_equal(filter_compile(dlts[i], 65535, expr, &prog, err), 0);
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		struct sock_fprog f = { .len = (unsigned short)prog.bf_len,
					.filter = (struct sock_filter *)prog.bf_insns };
		int rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &f, sizeof(f));
		close(fd);
		if (rc != 0)
			fail_msg("link type %d: the kernel refuses the filter (%u insns)", dlts[i],
				 prog.bf_len);
		pcap_freecode(&prog);
	}
}

static void test_link_type_specific_clauses(void **s)
{
	(void)s;
	char eth[16384], raw[16384];
	int ne = filter_build(DLT_EN10MB, NULL, NULL, eth, sizeof(eth));
	int nr = filter_build(DLT_RAW, NULL, NULL, raw, sizeof(raw));
	assert_true(ne > nr); /* ARP and PPPoE only on Ethernet */
	assert_null(strstr(raw, "arp"));
	assert_null(strstr(raw, "0x8863"));
	assert_non_null(strstr(eth, "0x8863"));
	/* a user filter replaces the built-in one; extra is OR-ed on */
	char b[256];
	assert_int_equal(filter_build(DLT_EN10MB, "udp port 53", "arp", b, sizeof(b)), 2);
	assert_string_equal(b, "(udp port 53) or (arp)");
	/* ... and is left out where it does not compile */
	assert_int_equal(filter_build(DLT_RAW, "arp", NULL, b, sizeof(b)), 0);
	/* too small a buffer is an error, not a truncated filter */
	assert_int_equal(filter_build(DLT_EN10MB, NULL, NULL, b, 64), -1);
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	assert_int_equal(filter_compile(DLT_EN10MB, 65535, "port 99999", &prog, err), -1);
	assert_true(strlen(err) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_lte_capture),
		cmocka_unit_test(test_real_dsl_capture),
		cmocka_unit_test(test_real_dhcp_captures),
		cmocka_unit_test(test_crafted_frames),
		cmocka_unit_test(test_kernel_accepts_every_link_type),
		cmocka_unit_test(test_link_type_specific_clauses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
