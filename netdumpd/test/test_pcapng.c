/* pcapng writer and client streams, read back by libpcap (an independent
 * pcapng reader) and checked byte by byte against the format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "../ifreg.h"
#include "../pcapng.h"
#include "../ring.h"
#include "../stream.h"

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void test_block_layout(void **s)
{
	(void)s;
	uint8_t b[512];
	size_t n = pcapng_shb(b, sizeof(b), "netdumpd");
	assert_int_equal(n % 4, 0);
	assert_int_equal(be32(b), 0x0A0D0D0A);
	assert_int_equal(be32(b + 4), n);
	assert_int_equal(be32(b + n - 4), n);
	assert_int_equal(be32(b + 8), 0x1A2B3C4D);
	assert_int_equal(be16(b + 12), 1);
	n = pcapng_idb(b, sizeof(b), 1, 65535, "eth0");
	assert_int_equal(n, pcapng_idb_size("eth0"));
	assert_int_equal(be32(b), 1);
	assert_int_equal(be16(b + 8), 1);
	assert_int_equal(be32(b + 12), 65535);
	assert_int_equal(be16(b + 16), 2); /* if_name */
	assert_int_equal(be16(b + 18), 4);
	assert_memory_equal(b + 20, "eth0", 4);
	assert_int_equal(be16(b + 24), 9); /* if_tsresol */
	assert_int_equal(be16(b + 26), 1);
	assert_int_equal(b[28], 9);
	const uint8_t pkt[5] = { 1, 2, 3, 4, 5 };
	struct pcapng_epb_opts o = { .comment = "gap", .flags = 2, .dropcount = 7 };
	n = pcapng_epb(b, sizeof(b), 3, 0x0000000123456789ull, pkt, 5, 60, &o);
	assert_int_equal(n, pcapng_epb_size(5, &o));
	assert_int_equal(be32(b), 6);
	assert_int_equal(be32(b + 8), 3);
	assert_int_equal(be32(b + 12), 0x1);
	assert_int_equal(be32(b + 16), 0x23456789);
	assert_int_equal(be32(b + 20), 5);
	assert_int_equal(be32(b + 24), 60);
	assert_memory_equal(b + 28, pkt, 5);
	assert_int_equal(b[33] | b[34] | b[35], 0); /* padding */
	assert_int_equal(be16(b + 36), 1);          /* opt_comment */
	assert_int_equal(be32(b + n - 4), n);
}

static void test_no_room_writes_nothing(void **s)
{
	(void)s;
	uint8_t b[64];
	memset(b, 0xee, sizeof(b));
	assert_int_equal(pcapng_epb(b, 40, 0, 0, b, 20, 20, NULL), 0);
	assert_int_equal(pcapng_idb(b, 20, 1, 100, "eth0"), 0);
	assert_int_equal(pcapng_shb(b, 8, "x"), 0);
	/* an over-long string option is capped, not overflowing 16 bits */
	char *big = malloc(100000);
	memset(big, 'a', 99999);
	big[99999] = '\0';
	uint8_t *out = malloc(4096);
	assert_true(pcapng_idb(out, 4096, 1, 100, big) > 0);
	free(out);
	free(big);
}

/* Reads a pcapng image with libpcap: packets, interface names, times. */
struct readback {
	int n;
	uint64_t ts[64];
	uint32_t len[64];
	int linktype;
};
static void rb_cb(u_char *u, const struct pcap_pkthdr *h, const u_char *d)
{
	(void)d;
	struct readback *r = (struct readback *)u;
	if (r->n < 64) {
		r->ts[r->n] = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		r->len[r->n] = h->caplen;
	}
	r->n++;
}
static int read_back(const uint8_t *img, size_t len, struct readback *r)
{
	memset(r, 0, sizeof(*r));
	FILE *f = fmemopen((void *)img, len, "r");
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		print_error("libpcap: %s\n", err);
		fclose(f);
		return -1;
	}
	r->linktype = pcap_datalink(p);
	int rc = pcap_loop(p, -1, rb_cb, (u_char *)r);
	pcap_close(p);
	return rc == -1 ? -1 : 0;
}

/* libpcap refuses a section whose interfaces have different link types
 * (Wireshark does not), so mixed streams are walked here, independently of
 * the writer: every block well-formed, EPBs only for announced interfaces,
 * interface ids in announcement order. */
static int walk(const uint8_t *img, size_t len, struct readback *r, int *nidb)
{
	memset(r, 0, sizeof(*r));
	*nidb = 0;
	size_t o = 0;
	while (o < len) {
		if (len - o < 12)
			return -1;
		uint32_t type = be32(img + o), bl = be32(img + o + 4);
		if (bl < 12 || bl % 4 || bl > len - o || be32(img + o + bl - 4) != bl)
			return -1;
		if (o == 0 && type != 0x0A0D0D0A)
			return -1;
		if (type == 1) {
			(*nidb)++;
		} else if (type == 6) {
			uint32_t ifid = be32(img + o + 8);
			if (ifid >= (uint32_t)*nidb)
				return -1;
			if (r->n < 64) {
				r->ts[r->n] = (uint64_t)be32(img + o + 12) << 32 | be32(img + o + 16);
				r->len[r->n] = be32(img + o + 20);
			}
			r->n++;
		}
		o += bl;
	}
	return 0;
}

struct world {
	struct ring r;
	struct ifreg g;
	uint16_t eth, tun;
};
static void world_init(struct world *w, uint32_t pkts)
{
	ifreg_init(&w->g);
	assert_int_equal(ring_init(&w->r, pkts, 1 << 20), 0);
	w->r.on_evict = ifreg_on_evict;
	w->r.evict_arg = &w->g;
	w->eth = ifreg_get(&w->g, "eth0", DLT_EN10MB, 65535);
	w->tun = ifreg_get(&w->g, "tun0", DLT_RAW, 65535);
}
/* An ARP request (Ethernet) or an ICMPv6 RS (raw), tagged with n. */
static void add(struct world *w, uint16_t ifid, uint64_t n)
{
	uint8_t p[64];
	memset(p, 0, sizeof(p));
	uint32_t len;
	if (ifid == w->eth) {
		memset(p, 0xff, 6);
		p[12] = 0x08, p[13] = 0x06;
		p[14] = 0, p[15] = 1, p[16] = 8, p[17] = 0, p[18] = 6, p[19] = 4, p[21] = 1;
		p[60] = (uint8_t)n;
		len = 42 + 18;
	} else {
		p[0] = 0x60;
		p[5] = 8;
		p[6] = 58;
		p[7] = 255;
		p[40] = 133;
		p[44] = (uint8_t)n;
		len = 48;
	}
	ring_push(&w->r, 1000000000ull * 1700000000ull + n, ifid, 0, p, len, len);
	ifreg_ref(&w->g, ifid);
}

/* Drains a stream into img through a buffer of bufsize bytes. */
static size_t drain(struct stream *st, struct world *w, uint8_t *img, size_t cap, size_t bufsize,
		    bool *done)
{
	size_t len = 0;
	uint8_t *buf = malloc(bufsize);
	for (;;) {
		size_t n = stream_fill(st, &w->r, &w->g, buf, bufsize, done);
		if (!n)
			break;
		assert_true(len + n <= cap);
		memcpy(img + len, buf, n);
		len += n;
		if (*done)
			break;
	}
	free(buf);
	return len;
}

static void test_backlog_then_live_no_gap_no_dup(void **s)
{
	(void)s;
	struct world w;
	world_init(&w, 1000);
	for (uint64_t i = 0; i < 5; i++)
		add(&w, i % 2 ? w.tun : w.eth, i);
	struct stream st;
	char err[PCAP_ERRBUF_SIZE];
	assert_int_equal(stream_init(&st, STREAM_ALL, NULL, &w.r, NULL, 0, err), 0);
	static uint8_t img[1 << 16];
	bool done;
	/* a buffer just big enough for the header and one block at a time */
	size_t len = drain(&st, &w, img, sizeof(img), 200, &done);
	assert_false(done);
	for (uint64_t i = 5; i < 12; i++) { /* live, interleaved with reads */
		add(&w, i % 3 ? w.eth : w.tun, i);
		len += drain(&st, &w, img + len, sizeof(img) - len, 200, &done);
	}
	struct readback rb;
	int nidb;
	assert_int_equal(walk(img, len, &rb, &nidb), 0);
	assert_int_equal(nidb, 2);
	assert_int_equal(rb.n, 12);
	for (int i = 0; i < 12; i++)
		assert_true(rb.ts[i] == 1000000000ull * 1700000000ull + (uint64_t)i);
	assert_int_equal(st.sent, 12);
	assert_int_equal(st.lost, 0);
	/* two IDBs exactly: count block types */
	int idbs = 0;
	for (size_t o = 0; o < len; o += be32(img + o + 4))
		idbs += be32(img + o) == 1;
	assert_int_equal(idbs, 2);
	stream_free(&st);
	ring_free(&w.r);
}

static void test_interface_appearing_later_gets_idb(void **s)
{
	(void)s;
	struct world w;
	world_init(&w, 100);
	add(&w, w.eth, 0);
	struct stream st;
	char err[PCAP_ERRBUF_SIZE];
	assert_int_equal(stream_init(&st, STREAM_ALL, NULL, &w.r, NULL, 0, err), 0);
	static uint8_t img[1 << 16];
	bool done;
	size_t len = drain(&st, &w, img, sizeof(img), 4096, &done);
	uint16_t late = ifreg_get(&w.g, "ppp0", DLT_RAW, 65535);
	add(&w, late, 1);
	len += drain(&st, &w, img + len, sizeof(img) - len, 4096, &done);
	/* blocks: SHB, IDB eth0, EPB(if 0), IDB ppp0, EPB(if 1) */
	size_t o = 0;
	uint32_t types[5], ifids[5];
	for (int i = 0; i < 5; i++) {
		assert_true(o < len);
		types[i] = be32(img + o);
		ifids[i] = types[i] == 6 ? be32(img + o + 8) : 0;
		o += be32(img + o + 4);
	}
	assert_int_equal(o, len);
	assert_int_equal(types[1], 1);
	assert_int_equal(types[3], 1);
	assert_int_equal(ifids[2], 0);
	assert_int_equal(ifids[4], 1);
	struct readback rb;
	int nidb;
	assert_int_equal(walk(img, len, &rb, &nidb), 0);
	assert_int_equal(rb.n, 2);
	stream_free(&st);
	ring_free(&w.r);
}

static void test_slow_reader_gets_gap_marker(void **s)
{
	(void)s;
	struct world w;
	world_init(&w, 10);
	struct stream st;
	char err[PCAP_ERRBUF_SIZE];
	assert_int_equal(stream_init(&st, STREAM_ALL, NULL, &w.r, NULL, 0, err), 0);
	static uint8_t img[1 << 16];
	bool done;
	size_t len = drain(&st, &w, img, sizeof(img), 4096, &done);
	for (uint64_t i = 0; i < 25; i++) /* the client reads nothing meanwhile */
		add(&w, w.eth, i);
	len += drain(&st, &w, img + len, sizeof(img) - len, 4096, &done);
	assert_int_equal(st.lost, 15);
	assert_int_equal(st.gaps, 1);
	assert_int_equal(st.sent, 10);
	struct readback rb;
	assert_int_equal(read_back(img, len, &rb), 0);
	assert_int_equal(rb.n, 10);
	assert_true(rb.ts[0] == 1000000000ull * 1700000000ull + 15);
	/* the first packet after the gap carries the comment and dropcount */
	const char *needle = "15 packets lost";
	assert_non_null(memmem(img, len, needle, strlen(needle)));
	stream_free(&st);
	ring_free(&w.r);
}

static void test_backlog_mode_ends_and_live_mode_skips_backlog(void **s)
{
	(void)s;
	struct world w;
	world_init(&w, 100);
	for (uint64_t i = 0; i < 3; i++)
		add(&w, w.eth, i);
	struct stream b, l;
	char err[PCAP_ERRBUF_SIZE];
	assert_int_equal(stream_init(&b, STREAM_BACKLOG, NULL, &w.r, NULL, 0, err), 0);
	assert_int_equal(stream_init(&l, STREAM_LIVE, NULL, &w.r, NULL, 0, err), 0);
	add(&w, w.eth, 3); /* after both started */
	static uint8_t img[1 << 16];
	bool done;
	size_t len = drain(&b, &w, img, sizeof(img), 4096, &done);
	assert_true(done);
	struct readback rb;
	assert_int_equal(read_back(img, len, &rb), 0);
	assert_int_equal(rb.n, 3);
	len = drain(&l, &w, img, sizeof(img), 4096, &done);
	assert_false(done);
	assert_int_equal(read_back(img, len, &rb), 0);
	assert_int_equal(rb.n, 1);
	assert_true(rb.ts[0] == 1000000000ull * 1700000000ull + 3);
	stream_free(&b);
	stream_free(&l);
	ring_free(&w.r);
}

static void test_client_filter(void **s)
{
	(void)s;
	struct world w;
	world_init(&w, 100);
	for (uint64_t i = 0; i < 6; i++)
		add(&w, i % 2 ? w.tun : w.eth, i);
	struct stream st;
	char err[PCAP_ERRBUF_SIZE];
	int dlts[] = { DLT_EN10MB, DLT_RAW };
	/* "arp" only makes sense on Ethernet: tun packets never match */
	assert_int_equal(stream_init(&st, STREAM_ALL, "arp", &w.r, dlts, 2, err), 0);
	static uint8_t img[1 << 16];
	bool done;
	size_t len = drain(&st, &w, img, sizeof(img), 4096, &done);
	struct readback rb;
	assert_int_equal(read_back(img, len, &rb), 0); /* one link type: libpcap reads it */
	assert_int_equal(rb.n, 3);
	assert_int_equal(rb.linktype, DLT_EN10MB);
	assert_int_equal(st.filtered, 3);
	stream_free(&st);
	/* a filter that is no filter is refused with libpcap's reason */
	assert_int_equal(stream_init(&st, STREAM_ALL, "udp port banana", &w.r, dlts, 2, err), -1);
	assert_true(strlen(err) > 0);
	stream_free(&st);
	ring_free(&w.r);
}

static void test_oversized_packet_is_skipped_not_stuck(void **s)
{
	(void)s;
	struct world w;
	world_init(&w, 100);
	uint8_t *big = calloc(1, 5000);
	ring_push(&w.r, 1, w.eth, 0, big, 5000, 5000);
	ifreg_ref(&w.g, w.eth);
	add(&w, w.eth, 1);
	struct stream st;
	char err[PCAP_ERRBUF_SIZE];
	assert_int_equal(stream_init(&st, STREAM_ALL, NULL, &w.r, NULL, 0, err), 0);
	static uint8_t img[1 << 16];
	bool done;
	size_t len = drain(&st, &w, img, sizeof(img), 1024, &done); /* buffer < packet */
	struct readback rb;
	assert_int_equal(read_back(img, len, &rb), 0);
	assert_int_equal(rb.n, 1);
	assert_int_equal(st.lost, 1); /* counted, and marked on the next packet */
	assert_non_null(memmem(img, len, "1 packets lost", 14));
	free(big);
	stream_free(&st);
	ring_free(&w.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_layout),
		cmocka_unit_test(test_no_room_writes_nothing),
		cmocka_unit_test(test_backlog_then_live_no_gap_no_dup),
		cmocka_unit_test(test_interface_appearing_later_gets_idb),
		cmocka_unit_test(test_slow_reader_gets_gap_marker),
		cmocka_unit_test(test_backlog_mode_ends_and_live_mode_skips_backlog),
		cmocka_unit_test(test_client_filter),
		cmocka_unit_test(test_oversized_packet_is_skipped_not_stuck),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
