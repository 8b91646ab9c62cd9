/* The capture ring: bounded by packets and bytes, oldest dropped first,
 * memory fixed, contents intact across wrap-around. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../ifreg.h"
#include "../ring.h"

static void fill(uint8_t *b, uint32_t n, uint64_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31 + i * 7);
}

static void test_push_get_in_order(void **s)
{
	(void)s;
	struct ring r;
	assert_int_equal(ring_init(&r, 8, 4096), 0);
	uint8_t b[100];
	for (uint64_t i = 0; i < 5; i++) {
		fill(b, 60, i);
		assert_true(ring_push(&r, 1000 + i, 1, 0, b, 60, 80) == i);
	}
	assert_int_equal(ring_count(&r), 5);
	assert_int_equal(r.bytes, 300);
	for (uint64_t i = 0; i < 5; i++) {
		const uint8_t *d;
		const struct ring_pkt *p = ring_get(&r, i, &d);
		assert_non_null(p);
		assert_true(p->ts_ns == 1000 + i);
		assert_int_equal(p->caplen, 60);
		assert_int_equal(p->origlen, 80);
		fill(b, 60, i);
		assert_memory_equal(d, b, 60);
	}
	assert_null(ring_get(&r, 5, NULL));
	ring_free(&r);
}

static void test_count_bound_drops_oldest(void **s)
{
	(void)s;
	struct ring r;
	assert_int_equal(ring_init(&r, 4, 1 << 16), 0);
	uint8_t b[10] = { 0 };
	for (int i = 0; i < 10; i++)
		ring_push(&r, (uint64_t)i, 0, 0, b, 10, 10);
	assert_int_equal(ring_count(&r), 4);
	assert_int_equal(r.first_seq, 6);
	assert_int_equal(r.dropped, 6);
	assert_null(ring_get(&r, 5, NULL));
	assert_true(ring_get(&r, 6, NULL)->ts_ns == 6);
	ring_free(&r);
}

static void test_byte_bound_drops_oldest(void **s)
{
	(void)s;
	struct ring r;
	assert_int_equal(ring_init(&r, 1000, 1024), 0);
	uint8_t b[300];
	for (int i = 0; i < 10; i++) {
		fill(b, 300, (uint64_t)i);
		ring_push(&r, (uint64_t)i, 0, 0, b, 300, 300);
		assert_true(r.bytes <= 1024);
	}
	/* 300 bytes take 304 of arena: three fit in 1024. */
	assert_int_equal(ring_count(&r), 3);
	for (uint64_t q = r.first_seq; q < r.next_seq; q++) {
		const uint8_t *d;
		assert_non_null(ring_get(&r, q, &d));
		fill(b, 300, q);
		assert_memory_equal(d, b, 300);
	}
	ring_free(&r);
}

static void test_too_big_is_rejected_and_ring_kept(void **s)
{
	(void)s;
	struct ring r;
	assert_int_equal(ring_init(&r, 16, 256), 0);
	uint8_t b[512] = { 0 };
	ring_push(&r, 1, 0, 0, b, 10, 10);
	assert_true(ring_push(&r, 2, 0, 0, b, 257, 257) == UINT64_MAX);
	assert_int_equal(r.rejected, 1);
	assert_int_equal(ring_count(&r), 1);
	/* exactly the arena fits (after dropping everything else) */
	assert_true(ring_push(&r, 3, 0, 0, b, 256, 256) != UINT64_MAX);
	assert_int_equal(ring_count(&r), 1);
	/* empty packets take a slot and arena room but no payload */
	assert_true(ring_push(&r, 4, 0, 0, NULL, 0, 0) != UINT64_MAX);
	ring_free(&r);
}

/* Random sizes against a model: everything still held reads back intact,
 * held packets are exactly the newest ones, bounds always hold. */
static void test_wraparound_against_model(void **s)
{
	(void)s;
	struct ring r;
	const uint32_t maxp = 50, maxb = 4000;
	assert_int_equal(ring_init(&r, maxp, maxb), 0);
	size_t mem = ring_memory(&r);
	uint32_t *lens = calloc(20000, sizeof(*lens));
	uint8_t b[1600];
	srand(7);
	for (uint64_t i = 0; i < 20000; i++) {
		uint32_t n = (uint32_t)(rand() % (int)sizeof(b));
		if (i % 97 == 0)
			n = 0;
		lens[i] = n;
		fill(b, n, i);
		assert_true(ring_push(&r, i, (uint16_t)(i % 3), 0, b, n, n) == i);
		assert_true(ring_count(&r) <= maxp);
		assert_true(r.bytes <= maxb);
		assert_true(r.next_seq == i + 1);
		/* the newest is always held */
		assert_true(r.first_seq <= i);
		if (i % 50 == 0) {
			for (uint64_t q = r.first_seq; q < r.next_seq; q++) {
				const uint8_t *d;
				const struct ring_pkt *p = ring_get(&r, q, &d);
				assert_non_null(p);
				assert_int_equal(p->caplen, lens[q]);
				assert_true(p->ts_ns == q);
				fill(b, lens[q], q);
				assert_memory_equal(d, b, lens[q]);
				assert_true(p->off + p->caplen <= maxb);
			}
		}
	}
	/* What is held fits the arena by its own accounting too. */
	uint64_t sum = 0;
	for (uint64_t q = r.first_seq; q < r.next_seq; q++)
		sum += (lens[q] + 7) / 8 * 8 + (lens[q] == 0 ? 8 : 0);
	assert_true(sum <= maxb);
	assert_int_equal(ring_memory(&r), mem);
	free(lens);
	ring_free(&r);
}

static int evicted;
static void count_evict(void *arg, const struct ring_pkt *p)
{
	(void)p;
	ifreg_on_evict(arg, p);
	evicted++;
}

static void test_evict_callback_releases_interfaces(void **s)
{
	(void)s;
	struct ifreg g;
	ifreg_init(&g);
	struct ring r;
	assert_int_equal(ring_init(&r, 3, 4096), 0);
	r.on_evict = count_evict;
	r.evict_arg = &g;
	uint16_t a = ifreg_get(&g, "eth0", 1, 65535);
	uint16_t b2 = ifreg_get(&g, "tun0", 12, 65535);
	assert_int_not_equal(a, b2);
	assert_int_equal(ifreg_get(&g, "eth0", 1, 65535), a); /* same entry, 2 refs */
	ifreg_unref(&g, a);
	uint8_t d[4] = { 0 };
	for (int i = 0; i < 3; i++) {
		ring_push(&r, 0, b2, 0, d, 4, 4);
		ifreg_ref(&g, b2);
	}
	ifreg_unref(&g, b2); /* capture closed: the packets keep it alive */
	assert_non_null(ifreg_at(&g, b2));
	for (int i = 0; i < 3; i++) {
		ring_push(&r, 0, a, 0, d, 4, 4);
		ifreg_ref(&g, a);
	}
	assert_int_equal(evicted, 3);
	assert_null(ifreg_at(&g, b2)); /* last packet gone: entry free */
	uint32_t gen = g.e[b2].gen;
	uint16_t c = ifreg_get(&g, "ppp0", 113, 65535);
	assert_int_equal(c, b2); /* reused ... */
	assert_true(g.e[c].gen != gen); /* ... as a new generation */
	assert_int_equal(g.e[c].linktype, 113);
	assert_int_equal(ifreg_linktype(12 /* DLT_RAW */), 101);
	ring_free(&r);
}

static void test_registry_full(void **s)
{
	(void)s;
	struct ifreg g;
	ifreg_init(&g);
	char n[16];
	for (int i = 0; i < IFREG_MAX; i++) {
		snprintf(n, sizeof(n), "if%d", i);
		assert_int_not_equal(ifreg_get(&g, n, 1, 100), IFREG_NONE);
	}
	assert_int_equal(ifreg_get(&g, "one-more", 1, 100), IFREG_NONE);
	ifreg_unref(&g, 5);
	assert_int_equal(ifreg_get(&g, "one-more", 1, 100), 5);
}

static void test_bad_sizes(void **s)
{
	(void)s;
	struct ring r;
	assert_int_equal(ring_init(&r, 0, 4096), -1);
	assert_int_equal(ring_init(&r, 10, 7), -1); /* below one aligned unit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_get_in_order),
		cmocka_unit_test(test_count_bound_drops_oldest),
		cmocka_unit_test(test_byte_bound_drops_oldest),
		cmocka_unit_test(test_too_big_is_rejected_and_ring_kept),
		cmocka_unit_test(test_wraparound_against_model),
		cmocka_unit_test(test_evict_callback_releases_interfaces),
		cmocka_unit_test(test_registry_full),
		cmocka_unit_test(test_bad_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
