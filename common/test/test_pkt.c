/* Bounded reader/writer: every read past the end is an error, never a crash. */
#include <string.h>

#include "pkt.h"
#include "testutil.h"

static void test_reads_big_endian(void **s)
{
	(void)s;
	const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
			      0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12 };
	struct hgw_rd r = hgw_rd_init(b, sizeof(b));
	assert_int_equal(hgw_rd_u8(&r), 0x01);
	assert_int_equal(hgw_rd_u16(&r), 0x0203);
	assert_int_equal(hgw_rd_u24(&r), 0x040506);
	assert_int_equal(hgw_rd_u32(&r), 0x0708090a);
	assert_true(hgw_rd_u64(&r) == 0x0b0c0d0e0f101112ull);
	assert_true(hgw_rd_done(&r));
	assert_true(hgw_rd_ok(&r));
}

static void test_truncated_read_is_sticky_error(void **s)
{
	(void)s;
	const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct hgw_rd r = hgw_rd_init(b, sizeof(b));
	assert_int_equal(hgw_rd_u16(&r), 0xaabb);
	assert_int_equal(hgw_rd_u16(&r), 0); /* one byte left: error */
	assert_false(hgw_rd_ok(&r));
	/* Everything after the first error is a no-op, even what would fit. */
	assert_int_equal(hgw_rd_u8(&r), 0);
	assert_int_equal(hgw_rd_left(&r), 0);
	assert_false(hgw_rd_done(&r));
	assert_null(hgw_rd_ptr(&r, 0));
}

static void test_every_width_fails_on_short_input(void **s)
{
	(void)s;
	const uint8_t b[8] = { 0 };
	for (size_t len = 0; len < 8; len++) {
		struct hgw_rd r = hgw_rd_init(b, len);
		hgw_rd_u64(&r);
		assert_false(hgw_rd_ok(&r));
		r = hgw_rd_init(b, len < 4 ? len : 3);
		hgw_rd_u32(&r);
		assert_false(hgw_rd_ok(&r));
	}
	struct hgw_rd r = hgw_rd_init(NULL, 0);
	assert_true(hgw_rd_done(&r));
	hgw_rd_u8(&r);
	assert_false(hgw_rd_ok(&r));
}

static void test_huge_lengths_do_not_wrap(void **s)
{
	(void)s;
	const uint8_t b[4] = { 1, 2, 3, 4 };
	struct hgw_rd r = hgw_rd_init(b, sizeof(b));
	hgw_rd_u8(&r);
	/* off + SIZE_MAX would wrap; the check is written as n > len - off. */
	assert_false(hgw_rd_skip(&r, SIZE_MAX));
	assert_false(hgw_rd_ok(&r));
	r = hgw_rd_init(b, sizeof(b));
	uint8_t dst[4];
	assert_false(hgw_rd_bytes(&r, dst, SIZE_MAX - 1));
}

static void test_sub_reader_for_tlv(void **s)
{
	(void)s;
	/* type 1, len 2, value 0xbeef, type 2, len 9 (lies: only 1 byte left) */
	const uint8_t b[] = { 1, 2, 0xbe, 0xef, 2, 9, 0x42 };
	struct hgw_rd r = hgw_rd_init(b, sizeof(b));
	assert_int_equal(hgw_rd_u8(&r), 1);
	struct hgw_rd v = hgw_rd_sub(&r, hgw_rd_u8(&r));
	assert_int_equal(hgw_rd_u16(&v), 0xbeef);
	assert_true(hgw_rd_done(&v));
	hgw_rd_u16(&v); /* reading past a sub-reader fails it, not the outer */
	assert_false(hgw_rd_ok(&v));
	assert_true(hgw_rd_ok(&r));
	assert_int_equal(hgw_rd_u8(&r), 2);
	struct hgw_rd bad = hgw_rd_sub(&r, hgw_rd_u8(&r));
	assert_false(hgw_rd_ok(&bad));
	assert_false(hgw_rd_ok(&r));
	assert_int_equal(hgw_rd_u8(&bad), 0);
}

static void test_writer_round_trip_and_overflow(void **s)
{
	(void)s;
	uint8_t buf[16];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	hgw_wr_u8(&w, 0x11);
	size_t len_at = hgw_wr_reserve(&w, 2);
	hgw_wr_u24(&w, 0x223344);
	hgw_wr_u32(&w, 0x55667788);
	hgw_wr_patch_u16(&w, len_at, 7);
	assert_true(hgw_wr_ok(&w));
	assert_int_equal(hgw_wr_len(&w), 10);
	const uint8_t want[] = { 0x11, 0, 7, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	assert_memory_equal(buf, want, sizeof(want));
	/* 6 bytes left: a u64 must fail whole, not write half. */
	hgw_wr_u16(&w, 0xaaaa);
	hgw_wr_u64(&w, 0x0102030405060708ull);
	assert_false(hgw_wr_ok(&w));
	assert_int_equal(hgw_wr_len(&w), 12);
	hgw_wr_u8(&w, 1); /* sticky */
	assert_int_equal(hgw_wr_len(&w), 12);
}

static void test_writer_patch_out_of_range(void **s)
{
	(void)s;
	uint8_t buf[4];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	hgw_wr_u8(&w, 1);
	hgw_wr_patch_u16(&w, 0, 5); /* would cover an unwritten byte */
	assert_false(hgw_wr_ok(&w));
	w = hgw_wr_init(buf, 1);
	size_t at = hgw_wr_reserve(&w, 2);
	assert_true(at == SIZE_MAX);
	hgw_wr_patch_u8(&w, at, 1);
	assert_false(hgw_wr_ok(&w));
	w = hgw_wr_init(buf, sizeof(buf));
	hgw_wr_bytes(&w, "abcd", 4);
	hgw_wr_zero(&w, 1);
	assert_false(hgw_wr_ok(&w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_big_endian),
		cmocka_unit_test(test_truncated_read_is_sticky_error),
		cmocka_unit_test(test_every_width_fails_on_short_input),
		cmocka_unit_test(test_huge_lengths_do_not_wrap),
		cmocka_unit_test(test_sub_reader_for_tlv),
		cmocka_unit_test(test_writer_round_trip_and_overflow),
		cmocka_unit_test(test_writer_patch_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
