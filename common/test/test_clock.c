/* Fake clock, fake rng, backoff with jitter. */
#include "clock.h"
#include "testutil.h"

static void test_fake_clock_moves_only_when_told(void **s)
{
	(void)s;
	struct hgw_fake_clock fc;
	hgw_fake_clock_init(&fc, 1700000000);
	int64_t t0 = hgw_now_ms(&fc.clock);
	assert_int_equal(hgw_now_ms(&fc.clock), t0);
	assert_int_equal(hgw_wall_s(&fc.clock), 1700000000);
	hgw_fake_clock_advance(&fc, 1500);
	assert_int_equal(hgw_now_ms(&fc.clock), t0 + 1500);
	assert_int_equal(hgw_wall_s(&fc.clock), 1700000001);
}

static void test_real_clock_is_monotonic(void **s)
{
	(void)s;
	int64_t a = hgw_now_ms(&hgw_clock_real), b = hgw_now_ms(&hgw_clock_real);
	assert_true(b >= a);
	assert_true(hgw_wall_s(&hgw_clock_real) > 1600000000);
}

static void test_fake_rng_is_deterministic(void **s)
{
	(void)s;
	struct hgw_fake_rng a, b;
	hgw_fake_rng_init(&a, 42);
	hgw_fake_rng_init(&b, 42);
	for (int i = 0; i < 100; i++)
		assert_int_equal(hgw_rand(&a.rng), hgw_rand(&b.rng));
	for (int i = 0; i < 1000; i++) {
		int64_t v = hgw_rand_range(&a.rng, -5, 5);
		assert_true(v >= -5 && v <= 5);
	}
	assert_int_equal(hgw_rand_range(&a.rng, 7, 7), 7);
}

static void test_backoff_grows_to_cap_without_jitter(void **s)
{
	(void)s;
	struct hgw_fake_rng r;
	hgw_fake_rng_init(&r, 1);
	struct hgw_backoff b;
	hgw_backoff_init(&b, 1000, 30000, 200, 0);
	const uint32_t want[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(hgw_backoff_next(&b, &r.rng), want[i]);
	assert_int_equal(b.attempts, 7);
	hgw_backoff_reset(&b);
	assert_int_equal(hgw_backoff_next(&b, &r.rng), 1000);
}

static void test_backoff_jitter_stays_in_band_and_varies(void **s)
{
	(void)s;
	struct hgw_fake_rng r;
	hgw_fake_rng_init(&r, 99);
	struct hgw_backoff b;
	uint32_t lo = UINT32_MAX, hi = 0;
	for (int i = 0; i < 500; i++) {
		hgw_backoff_init(&b, 10000, 10000, 200, 20);
		uint32_t d = hgw_backoff_next(&b, &r.rng);
		assert_true(d >= 8000 && d <= 12000);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	/* 500 draws from ±20 %: both ends of the band are reached closely. */
	assert_true(lo < 8300);
	assert_true(hi > 11700);
}

static void test_backoff_bad_parameters_are_clamped(void **s)
{
	(void)s;
	struct hgw_fake_rng r;
	hgw_fake_rng_init(&r, 5);
	struct hgw_backoff b;
	hgw_backoff_init(&b, 0, 0, 50, 500); /* zero initial, factor < 1, jitter > 100 % */
	for (int i = 0; i < 10; i++)
		assert_true(hgw_backoff_next(&b, &r.rng) >= 1);
	assert_int_equal(b.factor_pct, 100);
	assert_int_equal(b.jitter_pct, 100);
	hgw_backoff_init(&b, 4000000000u, 4000000000u, 1000, 100);
	for (int i = 0; i < 10; i++)
		assert_true(hgw_backoff_next(&b, &r.rng) >= 1); /* no overflow */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_clock_moves_only_when_told),
		cmocka_unit_test(test_real_clock_is_monotonic),
		cmocka_unit_test(test_fake_rng_is_deterministic),
		cmocka_unit_test(test_backoff_grows_to_cap_without_jitter),
		cmocka_unit_test(test_backoff_jitter_stays_in_band_and_varies),
		cmocka_unit_test(test_backoff_bad_parameters_are_clamped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
