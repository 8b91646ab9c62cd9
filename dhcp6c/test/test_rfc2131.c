/* DHCPv4: codec against real captures (fiber7, Telekom in-tunnel), framing,
 * hostile packets, and the state machine through every timer. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../rfc2131_client.h"
#include "../state4.h"
#include "log.h"
#include "pcaputil.h"
#include "state.h"
#include "state_schemas.h"

#define CAP "../shared/captures/"
#define WALL0 1700000000
static const uint16_t ports4[] = { 67, 68, 0 };
static struct udp_pl pl[16];

static void ip_eq(struct in_addr a, const char *s)
{
	char b[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, b, sizeof(b));
	assert_string_equal(b, s);
}

static void test_fiber7(void **st)
{
	(void)st;
	int n = pcap_udp_payloads(CAP "fiber7/dhcp4-fiber7.pcap", ports4, pl, 16);
	if (n < 0)
		skip();
	assert_int_equal(n, 2);
	struct d4_msg m;
	assert_int_equal(d4_parse(pl[0].data, pl[0].len, &m, NULL), 0);
	assert_int_equal(m.type, D4_OFFER);
	assert_int_equal(m.xid, 0x7708d724);
	ip_eq(m.yiaddr, "85.195.207.62");
	ip_eq(m.giaddr, "85.195.207.1");
	ip_eq(m.server_id, "77.109.140.123");
	assert_int_equal(m.lease, 1800);
	ip_eq(m.mask, "255.255.255.128");
	assert_int_equal(m.n_routers, 1);
	ip_eq(m.routers[0], "85.195.207.1");
	assert_int_equal(m.n_dns, 2);
	ip_eq(m.dns[1], "213.144.129.20");
	assert_int_equal(m.hlen, 6);
	assert_int_equal(m.chaddr[0], 0xd8);
	assert_int_equal(d4_parse(pl[1].data, pl[1].len, &m, NULL), 0);
	assert_int_equal(m.type, D4_ACK);
	assert_int_equal(m.lease, 1608);
	ip_eq(m.server_id, "213.144.129.5");
}

/* Telekom hybrid: DHCPv4 inside the GRE tunnel (LTE side). */
static void test_speedport(void **st)
{
	(void)st;
	int n = pcap_udp_payloads(CAP "speedport-ltefirst/rmnet0.pcap", ports4, pl, 16);
	if (n < 0)
		skip();
	assert_int_equal(n, 4);
	struct d4_msg m;
	/* The Speedport's DISCOVER: htype 1, a MAC chaddr on a MAC-less tunnel */
	assert_int_equal(d4_parse(pl[0].data, pl[0].len, &m, NULL), 0);
	assert_int_equal(m.type, D4_DISCOVER);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.htype, 1);
	assert_int_equal(m.hlen, 6);
	assert_int_equal(m.flags, 0); /* no broadcast flag: replies come unicast */
	static const uint8_t mac[] = { 0x04, 0x02, 0x1f, 0x13, 0x7c, 0x54 };
	assert_memory_equal(m.chaddr, mac, 6);
	assert_int_equal(d4_parse(pl[1].data, pl[1].len, &m, NULL), 0);
	assert_int_equal(m.type, D4_OFFER);
	ip_eq(m.yiaddr, "93.255.139.174");
	assert_int_equal(d4_parse(pl[3].data, pl[3].len, &m, NULL), 0);
	assert_int_equal(m.type, D4_ACK);
	assert_int_equal(m.xid, 0x7760a172);
	ip_eq(m.yiaddr, "93.255.139.174");
	ip_eq(m.mask, "255.255.0.0");
	ip_eq(m.routers[0], "93.255.0.1");
	ip_eq(m.server_id, "93.255.0.1");
	assert_int_equal(m.lease, 259200);
	assert_int_equal(m.t1, 129600);
	assert_int_equal(m.t2, 226800);
	assert_int_equal(m.n_dns, 2);
	ip_eq(m.dns[0], "255.255.255.255"); /* yes, really */
}

static void test_truncations(void **st)
{
	(void)st;
	const char *files[] = { CAP "fiber7/dhcp4-fiber7.pcap", CAP "speedport-ltefirst/rmnet0.pcap" };
	for (int f = 0; f < 2; f++) {
		int n = pcap_udp_payloads(files[f], ports4, pl, 16);
		if (n < 0)
			skip();
		for (int i = 0; i < n; i++)
			for (size_t l = 0; l < pl[i].len; l++) {
				uint8_t *copy = malloc(l ? l : 1);
				memcpy(copy, pl[i].data, l);
				struct d4_msg m;
				const char *why = NULL;
				if (d4_parse(copy, l, &m, &why) < 0)
					assert_non_null(why);
				free(copy);
			}
	}
}

/* A reply built by hand, independent of d4_build. */
struct b4 {
	uint8_t b[1024];
	size_t n;
};
static void b4_init(struct b4 *b, uint8_t type, uint32_t xid, const uint8_t *chaddr, const char *yi)
{
	memset(b, 0, sizeof(*b));
	b->b[0] = 2;
	b->b[1] = 1;
	b->b[2] = 6;
	b->b[4] = (uint8_t)(xid >> 24);
	b->b[5] = (uint8_t)(xid >> 16);
	b->b[6] = (uint8_t)(xid >> 8);
	b->b[7] = (uint8_t)xid;
	if (yi)
		inet_pton(AF_INET, yi, b->b + 16);
	memcpy(b->b + 28, chaddr, 6);
	b->b[236] = 0x63;
	b->b[237] = 0x82;
	b->b[238] = 0x53;
	b->b[239] = 0x63;
	b->n = 240;
	b->b[b->n++] = 53;
	b->b[b->n++] = 1;
	b->b[b->n++] = type;
}
static void b4_opt(struct b4 *b, uint8_t code, const void *p, uint8_t len)
{
	b->b[b->n++] = code;
	b->b[b->n++] = len;
	memcpy(b->b + b->n, p, len);
	b->n += len;
}
static void b4_u32(struct b4 *b, uint8_t code, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	b4_opt(b, code, x, 4);
}
static void b4_ip(struct b4 *b, uint8_t code, const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	b4_opt(b, code, &a, 4);
}
static void b4_end(struct b4 *b) { b->b[b->n++] = 255; }

static void test_options_and_hostile(void **st)
{
	(void)st;
	static const uint8_t ch[6] = { 2, 0, 0, 0, 0, 1 };
	struct b4 b;
	struct d4_msg m;
	const char *why;
	/* RFC 3396: a split option is concatenated; RFC 3442 routes */
	b4_init(&b, D4_ACK, 1, ch, "192.0.2.10");
	uint8_t r1[] = { 24, 10, 1, 2, 192, 0, 2, 1, 0 };
	uint8_t r2[] = { 192, 0, 2, 254 };
	b4_opt(&b, 121, r1, sizeof(r1));
	b4_ip(&b, 1, "255.255.255.0");
	b4_opt(&b, 121, r2, sizeof(r2));
	b4_opt(&b, 15, "example.net", 11);
	uint8_t mtu[2] = { 0x05, 0xdc };
	b4_opt(&b, 26, mtu, 2);
	b4_end(&b);
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), 0);
	assert_int_equal(m.n_routes, 2);
	ip_eq(m.routes[0].dst, "10.1.2.0");
	assert_int_equal(m.routes[0].plen, 24);
	ip_eq(m.routes[1].via, "192.0.2.254");
	assert_int_equal(m.routes[1].plen, 0);
	assert_string_equal(m.domain, "example.net");
	assert_int_equal(m.mtu, 1500);
	/* malformed 121: ignored whole */
	b4_init(&b, D4_ACK, 1, ch, "192.0.2.10");
	uint8_t bad[] = { 33, 1, 2, 3, 4, 5, 6, 7, 8 };
	b4_opt(&b, 121, bad, sizeof(bad));
	b4_end(&b);
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), 0);
	assert_true(m.routes_bad);
	assert_int_equal(m.n_routes, 0);
	/* option length past the end */
	b4_init(&b, D4_ACK, 1, ch, NULL);
	b.b[b.n++] = 6;
	b.b[b.n++] = 200;
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), -1);
	/* no cookie, short header, hlen 17, no message type */
	b4_init(&b, D4_ACK, 1, ch, NULL);
	b.b[236] = 0;
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), -1);
	assert_int_equal(d4_parse(b.b, 200, &m, &why), -1);
	b4_init(&b, D4_ACK, 1, ch, NULL);
	b.b[2] = 17;
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), -1);
	b4_init(&b, 0, 1, ch, NULL);
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), -1);
	/* overload: options continue in the file field */
	b4_init(&b, D4_ACK, 1, ch, "192.0.2.10");
	b4_opt(&b, 52, (uint8_t[]){ 1 }, 1);
	b4_end(&b);
	uint8_t *file = b.b + 108;
	file[0] = 51;
	file[1] = 4;
	file[5] = 100;
	file[6] = 255;
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), 0);
	assert_true(m.has_lease);
	assert_int_equal(m.lease, 100);
	/* a lease option of the wrong size is not a lease */
	b4_init(&b, D4_ACK, 1, ch, "192.0.2.10");
	b4_opt(&b, 51, "\1\2", 2);
	b4_end(&b);
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), 0);
	assert_false(m.has_lease);
	/* MTU below 68 is ignored; non-printable domain sanitised */
	b4_init(&b, D4_ACK, 1, ch, "192.0.2.10");
	b4_opt(&b, 26, (uint8_t[]){ 0, 10 }, 2);
	b4_opt(&b, 15, "a\nb\"", 4);
	b4_end(&b);
	assert_int_equal(d4_parse(b.b, b.n, &m, &why), 0);
	assert_int_equal(m.mtu, 0);
	assert_string_equal(m.domain, "a?b?");
}

static void test_build_and_frame(void **st)
{
	(void)st;
	static const uint8_t ch[6] = { 2, 1, 2, 3, 4, 5 };
	uint8_t cid[7] = { 1, 2, 1, 2, 3, 4, 5 }, prl[] = { 1, 3, 6, 121 };
	struct d4_req r = { .type = D4_REQUEST, .xid = 0xdeadbeef, .htype = 1, .hlen = 6, .chaddr = ch,
			    .client_id = cid, .client_id_len = 7, .hostname = "hgw",
			    .vendor_class = (const uint8_t *)"vc", .vendor_class_len = 2, .prl = prl,
			    .prl_len = sizeof(prl) };
	inet_pton(AF_INET, "192.0.2.10", &r.requested);
	inet_pton(AF_INET, "192.0.2.1", &r.server_id);
	uint8_t buf[600];
	size_t n = d4_build(&r, buf, sizeof(buf));
	assert_true(n >= 300);
	struct d4_msg m;
	assert_int_equal(d4_parse(buf, n, &m, NULL), 0);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.type, D4_REQUEST);
	assert_int_equal(m.xid, 0xdeadbeef);
	ip_eq(m.server_id, "192.0.2.1");
	assert_memory_equal(m.chaddr, ch, 6);
	assert_int_equal(d4_build(&r, buf, 250), 0);
	/* framing: checksums verify, unframe returns the payload */
	uint8_t frame[700];
	struct in_addr src = { 0 }, dst = { htonl(INADDR_BROADCAST) };
	size_t fl = d4_frame(frame, sizeof(frame), src, dst, 68, 67, buf, n, 7);
	assert_int_equal(fl, n + 28);
	const uint8_t *p;
	const char *why;
	assert_int_equal(d4_unframe(frame, fl, 67, true, &p, NULL, &why), (long)n);
	assert_memory_equal(p, buf, n);
	assert_int_equal(d4_unframe(frame, fl, 68, true, &p, NULL, &why), -1); /* wrong port */
	frame[fl - 1] ^= 1;
	assert_int_equal(d4_unframe(frame, fl, 67, true, &p, NULL, &why), -1);
	assert_string_equal(why, "bad UDP checksum");
	assert_int_equal(d4_unframe(frame, fl, 67, false, &p, NULL, &why), (long)n);
	frame[10] ^= 1;
	assert_int_equal(d4_unframe(frame, fl, 67, false, &p, NULL, &why), -1);
	assert_string_equal(why, "bad IPv4 header checksum");
	for (size_t l = 0; l < 40; l++)
		assert_int_equal(d4_unframe(frame, l, 67, true, &p, NULL, &why), -1);
}

/* ---- state machine ---- */
static struct hgw_fake_clock clk;
static struct hgw_fake_rng rng;
static struct d4c c;
static int64_t t0;
static const uint8_t mych[6] = { 2, 0xaa, 0, 0, 0, 1 };

static void setup(void)
{
	hgw_fake_clock_init(&clk, WALL0);
	hgw_fake_rng_init(&rng, 9);
	t0 = hgw_now_ms(&clk.clock);
	struct d4c_config cfg = { .htype = 1, .hlen = 6 };
	memcpy(cfg.chaddr, mych, 6);
	d4c_init(&c, &cfg, &clk.clock, &rng.rng);
}
static int64_t now(void) { return hgw_now_ms(&clk.clock) - t0; }
static int step(void)
{
	int64_t t = d4c_next_timer(&c);
	assert_true(t != INT64_MAX);
	if (t > hgw_now_ms(&clk.clock))
		hgw_fake_clock_advance(&clk, t - hgw_now_ms(&clk.clock));
	d4c_timer(&c);
	if (!c.tx_len)
		return 0;
	struct d4_msg m;
	assert_int_equal(d4_parse(c.tx, c.tx_len, &m, NULL), 0);
	return m.type;
}
static void feed(struct b4 *b)
{
	struct d4_msg m;
	assert_int_equal(d4_parse(b->b, b->n, &m, NULL), 0);
	d4c_recv(&c, &m, b->b, b->n);
}
static void reply(struct b4 *b, uint8_t type, const char *yi, uint32_t lease, uint32_t t1, uint32_t t2)
{
	b4_init(b, type, c.xid, mych, yi);
	b4_ip(b, 54, "192.0.2.1");
	if (lease)
		b4_u32(b, 51, lease);
	if (t1)
		b4_u32(b, 58, t1);
	if (t2)
		b4_u32(b, 59, t2);
	b4_ip(b, 1, "255.255.255.0");
	b4_ip(b, 3, "192.0.2.1");
	b4_end(b);
}
static void bind4(uint32_t lease, uint32_t t1, uint32_t t2)
{
	d4c_start(&c);
	struct d4_msg m;
	assert_int_equal(d4_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_int_equal(m.type, D4_DISCOVER);
	struct b4 b;
	reply(&b, D4_OFFER, "192.0.2.10", lease, t1, t2);
	feed(&b);
	assert_int_equal(c.state, D4C_REQUESTING);
	assert_int_equal(d4_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_int_equal(m.type, D4_REQUEST);
	ip_eq(m.server_id, "192.0.2.1");
	reply(&b, D4_ACK, "192.0.2.10", lease, t1, t2);
	feed(&b);
	assert_int_equal(c.state, D4C_BOUND);
}

static void test_discover_backoff(void **st)
{
	(void)st;
	setup();
	d4c_start(&c);
	int64_t prev = 0, waits[8];
	for (int i = 0; i < 8; i++) {
		int64_t before = now();
		assert_int_equal(step(), D4_DISCOVER);
		waits[i] = now() - before;
		(void)prev;
	}
	/* 4 s +- 1, 8 +- 1, 16 +- 1, 32 +- 1, then 64 +- 1 (RFC 2131 4.1) */
	const int64_t base[] = { 4000, 8000, 16000, 32000, 64000, 64000, 64000, 64000 };
	for (int i = 0; i < 8; i++)
		assert_true(waits[i] >= base[i] - 1000 && waits[i] <= base[i] + 1000);
}

static void test_timers_renew_rebind_expire(void **st)
{
	(void)st;
	setup();
	bind4(1000, 0, 0);
	assert_int_equal(c.lease.t1, 500);
	assert_int_equal(c.lease.t2, 875);
	json_t *doc = state4_doc(&c, "tun0");
	char *text = json_dumps(doc, 0);
	struct hgw_errors e = { 0 };
	json_t *chk = hgw_state_parse(text, strlen(text), hgw_schema_dhcp4, "dhcp4.tun0.json", &e);
	assert_non_null(chk);
	assert_string_equal(hgw_json_str(chk, "address"), "192.0.2.10/24");
	assert_string_equal(hgw_json_str(chk, "router"), "192.0.2.1");
	assert_int_equal(hgw_json_int(chk, "renew_at"), WALL0 + 500);
	assert_int_equal(hgw_json_int(chk, "expires"), WALL0 + 1000);
	json_decref(chk);
	free(text);
	json_decref(doc);
	/* T1: unicast Renew to the server with ciaddr */
	assert_int_equal(step(), D4_REQUEST);
	assert_int_equal(now(), 500000);
	assert_int_equal(c.state, D4C_RENEWING);
	assert_true(c.tx_unicast);
	ip_eq(c.tx_dst, "192.0.2.1");
	struct d4_msg m;
	d4_parse(c.tx, c.tx_len, &m, NULL);
	ip_eq(m.ciaddr, "192.0.2.10");
	assert_false(m.has_server_id); /* 4.3.2: no server id when renewing */
	/* retransmit after max(60 s, half the time to T2) */
	assert_int_equal(step(), D4_REQUEST);
	assert_int_equal(now(), 687500);
	assert_int_equal(step(), D4_REQUEST);
	assert_int_equal(now(), 781250);
	assert_int_equal(step(), D4_REQUEST); /* 60 s minimum */
	assert_int_equal(now(), 841250);
	int t = step(); /* capped at T2: rebinding starts */
	assert_int_equal(t, D4_REQUEST);
	assert_int_equal(now(), 875000);
	assert_int_equal(c.state, D4C_REBINDING);
	assert_false(c.tx_unicast);
	while ((t = step()) == D4_REQUEST && c.state == D4C_REBINDING)
		;
	assert_int_equal(now(), 1000000);
	assert_int_equal(t, D4_DISCOVER);
	assert_false(c.lease.valid);
}

static void test_nak_and_hostile(void **st)
{
	(void)st;
	setup();
	d4c_start(&c);
	struct b4 b;
	/* wrong xid, wrong chaddr, OFFER without server id, ACK in SELECTING */
	reply(&b, D4_OFFER, "192.0.2.10", 100, 0, 0);
	b.b[7] ^= 1;
	feed(&b);
	static const uint8_t other[6] = { 2, 9, 9, 9, 9, 9 };
	b4_init(&b, D4_OFFER, c.xid, other, "192.0.2.10");
	b4_ip(&b, 54, "192.0.2.1");
	b4_end(&b);
	feed(&b);
	b4_init(&b, D4_OFFER, c.xid, mych, "192.0.2.10");
	b4_end(&b);
	feed(&b);
	reply(&b, D4_ACK, "192.0.2.10", 100, 0, 0);
	feed(&b);
	assert_int_equal(c.state, D4C_SELECTING);
	assert_int_equal(c.ignored, 4);
	reply(&b, D4_OFFER, "192.0.2.10", 100, 0, 0);
	feed(&b);
	assert_int_equal(c.state, D4C_REQUESTING);
	/* ACK without lease time, ACK from another server: ignored */
	reply(&b, D4_ACK, "192.0.2.10", 0, 0, 0);
	feed(&b);
	b4_init(&b, D4_ACK, c.xid, mych, "192.0.2.10");
	b4_ip(&b, 54, "192.0.2.99");
	b4_u32(&b, 51, 100);
	b4_end(&b);
	feed(&b);
	assert_int_equal(c.state, D4C_REQUESTING);
	/* T1 > T2 from the server: defaults instead */
	reply(&b, D4_ACK, "192.0.2.10", 1000, 900, 100);
	feed(&b);
	assert_int_equal(c.state, D4C_BOUND);
	assert_int_equal(c.lease.t1, 500);
	assert_int_equal(c.lease.t2, 875);
	/* NAK while renewing: lease gone, Discover after a pause */
	assert_int_equal(step(), D4_REQUEST);
	reply(&b, D4_NAK, NULL, 0, 0, 0);
	feed(&b);
	assert_false(c.lease.valid);
	assert_int_equal(c.state, D4C_INIT);
	assert_int_equal(step(), D4_DISCOVER);
}

static void test_reboot_and_release(void **st)
{
	(void)st;
	setup();
	bind4(1000, 0, 0);
	uint8_t raw[1500];
	size_t len = c.lease.raw_len;
	memcpy(raw, c.lease.raw, len);
	/* restart 100 s later: INIT-REBOOT with the remembered address */
	setup();
	hgw_fake_clock_advance(&clk, 100000);
	assert_true(d4c_restore(&c, raw, len, WALL0));
	d4c_start(&c);
	assert_int_equal(c.state, D4C_REBOOTING);
	struct d4_msg m;
	d4_parse(c.tx, c.tx_len, &m, NULL);
	assert_int_equal(m.type, D4_REQUEST);
	struct in_addr zero = { 0 };
	assert_memory_equal(&m.ciaddr, &zero, 4);
	assert_false(m.has_server_id);
	/* no answer: after the tries, keep the lease and rebind */
	assert_int_equal(step(), D4_REQUEST);
	assert_int_equal(step(), D4_REQUEST);
	assert_int_equal(c.state, D4C_REBINDING);
	assert_true(c.lease.valid);
	struct b4 b;
	reply(&b, D4_ACK, "192.0.2.10", 1000, 0, 0);
	feed(&b);
	assert_int_equal(c.state, D4C_BOUND);
	/* link down keeps the lease, unbound; up again: INIT-REBOOT */
	d4c_link(&c, false);
	assert_int_equal(c.state, D4C_UNBOUND);
	assert_true(c.lease.valid);
	d4c_link(&c, true);
	assert_int_equal(c.state, D4C_REBOOTING);
	reply(&b, D4_ACK, "192.0.2.10", 1000, 0, 0);
	feed(&b);
	/* Release: unicast to the server, ciaddr and server id */
	assert_true(d4c_release(&c));
	d4_parse(c.tx, c.tx_len, &m, NULL);
	assert_int_equal(m.type, D4_RELEASE);
	ip_eq(m.ciaddr, "192.0.2.10");
	ip_eq(m.server_id, "192.0.2.1");
	assert_true(c.tx_unicast);
	assert_int_equal(c.state, D4C_RELEASED);
	assert_false(c.lease.valid);
	json_t *doc = state4_doc(&c, "eth0");
	assert_true(json_is_null(json_object_get(doc, "address")));
	json_decref(doc);
	/* an expired lease is not restored */
	setup();
	hgw_fake_clock_advance(&clk, 2000000);
	assert_false(d4c_restore(&c, raw, len, WALL0 - 2000));
}

static void test_arp_check_and_decline(void **st)
{
	(void)st;
	setup();
	c.cfg.arp_probe_ms = 1000;
	d4c_start(&c);
	struct b4 b;
	reply(&b, D4_OFFER, "192.0.2.10", 1000, 0, 0);
	feed(&b);
	reply(&b, D4_ACK, "192.0.2.10", 1000, 0, 0);
	feed(&b);
	assert_int_equal(c.state, D4C_CHECKING);
	assert_true(c.probe);
	json_t *doc = state4_doc(&c, "eth0");
	assert_string_equal(hgw_json_str(doc, "state"), "requesting"); /* not applied yet */
	json_decref(doc);
	int64_t before = now();
	assert_int_equal(step(), 0); /* nothing answered: bound, nothing sent */
	assert_int_equal(now() - before, 1000);
	assert_int_equal(c.state, D4C_BOUND);
	d4c_conflict(&c); /* too late: ignored once bound */
	assert_int_equal(c.state, D4C_BOUND);

	setup();
	c.cfg.arp_probe_ms = 1000;
	d4c_start(&c);
	reply(&b, D4_OFFER, "192.0.2.10", 1000, 0, 0);
	feed(&b);
	reply(&b, D4_ACK, "192.0.2.10", 1000, 0, 0);
	feed(&b);
	d4c_conflict(&c);
	struct d4_msg m;
	assert_int_equal(d4_parse(c.tx, c.tx_len, &m, NULL), 0);
	assert_int_equal(m.type, D4_DECLINE);
	ip_eq(m.server_id, "192.0.2.1");
	assert_false(c.tx_unicast);
	assert_false(c.lease.valid);
	assert_int_equal(c.state, D4C_INIT);
	before = now();
	assert_int_equal(step(), D4_DISCOVER);
	assert_int_equal(now() - before, 10000); /* 4.4.1: wait 10 s */
}

int main(void)
{
	hgw_log_init("test", HGW_LOG_WARN, false);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fiber7),
		cmocka_unit_test(test_speedport),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_options_and_hostile),
		cmocka_unit_test(test_build_and_frame),
		cmocka_unit_test(test_discover_backoff),
		cmocka_unit_test(test_timers_renew_rebind_expire),
		cmocka_unit_test(test_nak_and_hostile),
		cmocka_unit_test(test_reboot_and_release),
		cmocka_unit_test(test_arp_check_and_decline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
