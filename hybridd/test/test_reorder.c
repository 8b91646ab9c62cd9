/* Reorder buffer and upstream scheduler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../reorder.h"
#include "../sched.h"

static uint32_t got[4096];
static int ngot;

static void deliver(void *arg, const uint8_t *pkt, size_t len)
{
	(void)arg;
	assert_int_equal(len, 4);
	uint32_t v;
	memcpy(&v, pkt, 4);
	got[ngot++] = v;
}

static void push(struct rb *b, uint32_t seq, int64_t t)
{
	rb_push(b, seq, (const uint8_t *)&seq, 4, t, deliver, NULL);
}

static void expect(const uint32_t *want, int n)
{
	assert_int_equal(ngot, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
	ngot = 0;
}

static void test_in_order(void **st)
{
	(void)st;
	struct rb b;
	assert_int_equal(rb_init(&b, 64, 64, 50), 0);
	for (uint32_t s = 100; s < 110; s++)
		push(&b, s, 0);
	uint32_t want[] = { 100, 101, 102, 103, 104, 105, 106, 107, 108, 109 };
	expect(want, 10);
	assert_int_equal(b.in_order, 10);
	assert_int_equal(rb_tick(&b, 1000, deliver, NULL), INT64_MAX);
	rb_free(&b);
}

static void test_swapped_and_duplicate(void **st)
{
	(void)st;
	struct rb b;
	assert_int_equal(rb_init(&b, 64, 64, 50), 0);
	push(&b, 1, 0);
	push(&b, 3, 1);
	push(&b, 2, 2);
	push(&b, 2, 3); /* duplicate of a delivered one */
	push(&b, 5, 4);
	push(&b, 5, 5); /* duplicate of a buffered one */
	push(&b, 4, 6);
	uint32_t want[] = { 1, 2, 3, 4, 5 };
	expect(want, 5);
	assert_int_equal(b.late, 1);
	assert_int_equal(b.duplicates, 1);
	assert_int_equal(b.lost, 0);
	rb_free(&b);
}

static void test_lost_released_by_timeout(void **st)
{
	(void)st;
	struct rb b;
	assert_int_equal(rb_init(&b, 64, 64, 50), 0);
	push(&b, 10, 0);
	push(&b, 12, 100); /* 11 lost */
	push(&b, 13, 110);
	uint32_t w1[] = { 10 };
	expect(w1, 1);
	assert_int_equal(rb_tick(&b, 120, deliver, NULL), 150);
	assert_int_equal(ngot, 0);
	assert_int_equal(rb_tick(&b, 150, deliver, NULL), INT64_MAX);
	uint32_t w2[] = { 12, 13 };
	expect(w2, 2);
	assert_int_equal(b.lost, 1);
	assert_int_equal(b.timeouts, 1);
	/* 11 arriving now is too late */
	push(&b, 11, 160);
	assert_int_equal(ngot, 0);
	assert_int_equal(b.late, 1);
	/* two gaps: each waits for its own oldest packet */
	push(&b, 15, 200); /* 14 missing */
	push(&b, 17, 240); /* 16 missing */
	assert_int_equal(rb_tick(&b, 249, deliver, NULL), 250);
	rb_tick(&b, 250, deliver, NULL);
	uint32_t w3[] = { 15 };
	expect(w3, 1);
	assert_int_equal(rb_tick(&b, 251, deliver, NULL), 290);
	rb_tick(&b, 290, deliver, NULL);
	uint32_t w4[] = { 17 };
	expect(w4, 1);
	rb_free(&b);
}

static void test_wraparound(void **st)
{
	(void)st;
	struct rb b;
	assert_int_equal(rb_init(&b, 64, 64, 50), 0);
	push(&b, 0xfffffffeu, 0);
	push(&b, 0x00000000u, 1);
	push(&b, 0xffffffffu, 2);
	push(&b, 0x00000001u, 3);
	uint32_t want[] = { 0xfffffffeu, 0xffffffffu, 0, 1 };
	expect(want, 4);
	push(&b, 0xffffffffu, 4); /* old, not "far ahead" */
	assert_int_equal(ngot, 0);
	assert_int_equal(b.late, 1);
	rb_free(&b);
}

static void test_far_jump_and_timeout_zero(void **st)
{
	(void)st;
	struct rb b;
	assert_int_equal(rb_init(&b, 16, 64, 50), 0);
	push(&b, 1, 0);
	push(&b, 3, 0);
	push(&b, 1000, 0); /* beyond the window: flush and restart */
	uint32_t want[] = { 1, 3, 1000 };
	expect(want, 3);
	assert_int_equal(b.jumps, 1);
	push(&b, 1001, 0);
	uint32_t w2[] = { 1001 };
	expect(w2, 1);
	rb_free(&b);

	assert_int_equal(rb_init(&b, 16, 64, 0), 0);
	push(&b, 1, 0);
	push(&b, 3, 0); /* timeout 0: reordering off, nothing held */
	uint32_t w3[] = { 1, 3 };
	expect(w3, 2);
	/* too big for a slot: dropped, counted */
	uint8_t big[100] = { 0 };
	rb_push(&b, 4, big, sizeof(big), 0, deliver, NULL);
	assert_int_equal(b.too_big, 1);
	rb_free(&b);
	assert_int_equal(rb_init(&b, 10, 64, 0), -1); /* not a power of two */
}

static void test_learns_from_late_packets(void **st)
{
	(void)st;
	struct rb b;
	assert_int_equal(rb_init(&b, 64, 64, 10), 0);
	rb_set_max(&b, 50);
	push(&b, 1, 0);
	push(&b, 3, 0);
	rb_tick(&b, 10, deliver, NULL); /* 2 given up after 10 ms */
	uint32_t w1[] = { 1, 3 };
	expect(w1, 2);
	push(&b, 2, 30); /* arrives 30 ms late: we were too quick */
	assert_int_equal(ngot, 0);
	assert_int_equal(rb_timeout(&b), 20);
	assert_int_equal(b.raised, 1);
	push(&b, 2, 31); /* a second copy does not raise it again */
	assert_int_equal(rb_timeout(&b), 20);
	/* next gap: waits 20 ms now */
	push(&b, 5, 100);
	assert_int_equal(rb_tick(&b, 110, deliver, NULL), 120);
	push(&b, 4, 115);
	uint32_t w2[] = { 4, 5 };
	expect(w2, 2);
	/* bounded by max */
	for (uint32_t g = 0; g < 6; g++) {
		uint32_t base = 10 + g * 3;
		push(&b, base + 1, 200 + g * 100);
		rb_tick(&b, 200 + g * 100 + 60, deliver, NULL);
		push(&b, base, 200 + g * 100 + 61);
		push(&b, base + 2, 200 + g * 100 + 62);
	}
	assert_int_equal(rb_timeout(&b), 50);
	/* decays with in-order traffic, 1 ms per 100 ms */
	ngot = 0;
	for (uint32_t s = 28; s < 28 + 3000; s++) {
		push(&b, s, 1000 + s);
		ngot = 0;
	}
	assert_true(rb_timeout(&b) >= 20 && rb_timeout(&b) <= 25);
	rb_free(&b);
}

static void test_timeout_from_rtt(void **st)
{
	(void)st;
	assert_int_equal(rb_timeout_from_rtt(20, 50, 10, 5, 200), 40);
	assert_int_equal(rb_timeout_from_rtt(50, 20, 10, 5, 200), 40);
	assert_int_equal(rb_timeout_from_rtt(20, 20, 0, 5, 200), 5);
	assert_int_equal(rb_timeout_from_rtt(20, 2000, 10, 5, 200), 200);
	assert_int_equal(rb_timeout_from_rtt(-1, 20, 10, 5, 200), 200);
}

static void test_sched(void **st)
{
	(void)st;
	struct sched s;
	sched_init(&s, SCHED_BONDING);
	/* unlimited DSL: everything on DSL; a tunnel down moves all at once */
	assert_int_equal(sched_pick(&s, 1000, 1, true, true), SCHED_DSL);
	assert_int_equal(sched_pick(&s, 1000, 2, true, false), SCHED_LTE);
	assert_int_equal(sched_pick(&s, 1000, 3, false, true), SCHED_DSL);
	assert_int_equal(sched_pick(&s, 1000, 4, false, false), 0);
	/* 8 Mbit/s DSL, offered 16 Mbit/s for 1 s: about half overflows */
	sched_set_rate(&s, 8000000, 30);
	unsigned dsl = 0, lte = 0;
	for (int64_t i = 0; i < 2000; i++) {
		unsigned m = sched_pick(&s, 1000, 1000000000LL + i * 500000, true, true);
		if (m == SCHED_DSL)
			dsl++;
		else if (m == SCHED_LTE)
			lte++;
	}
	/* 1 s at 8 Mbit/s = 1000 packets of 1000 bytes, plus the buckets */
	assert_true(dsl >= 1000 && dsl <= 1070);
	assert_int_equal(dsl + lte, 2000);
	/* below the rate: nothing overflows */
	unsigned l2 = 0;
	for (int64_t i = 0; i < 1000; i++)
		l2 += sched_pick(&s, 1000, 3000000000LL + i * 2000000, true, true) == SCHED_LTE;
	assert_int_equal(l2, 0);
	sched_init(&s, SCHED_REDUNDANT);
	assert_int_equal(sched_pick(&s, 100, 1, true, true), SCHED_LTE | SCHED_DSL);
	sched_init(&s, SCHED_BACKUP);
	assert_int_equal(sched_pick(&s, 100, 1, true, true), SCHED_DSL);
	assert_int_equal(sched_pick(&s, 100, 1, true, false), SCHED_LTE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_swapped_and_duplicate),
		cmocka_unit_test(test_lost_released_by_timeout),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_far_jump_and_timeout_zero),
		cmocka_unit_test(test_learns_from_late_packets),
		cmocka_unit_test(test_timeout_from_rtt),
		cmocka_unit_test(test_sched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
