/* State files: atomic publish, no rewrite when unchanged, schema-checked
 * reads that keep the last good document and log each failure once. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "state_schemas.h"
#include "testutil.h"

static char *dir;

static int setup(void **s)
{
	(void)s;
	tu_log_capture();
	dir = tu_mkdtemp();
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	tu_rmtree(dir);
	free(dir);
	tu_log_release();
	return 0;
}

static json_t *lte_doc(const char *state, const char *addr)
{
	json_t *d = hgw_state_new("lte-modemd", 1);
	json_object_set_new(d, "state", json_string(state));
	json_object_set_new(d, "interface", json_string("wwan0"));
	json_object_set_new(d, "ipv6", addr ? json_string(addr) : json_null());
	return d;
}

static void test_publish_then_read(void **s)
{
	(void)s;
	json_t *d = lte_doc("connected", "2001:db8::1/64");
	assert_int_equal(hgw_state_publish(dir, "lte.json", d), 1);
	/* Same document: nothing written (mtime and inode unchanged). */
	char path[512];
	snprintf(path, sizeof(path), "%s/lte.json", dir);
	struct stat a, b;
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(hgw_state_publish(dir, "lte.json", d), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	json_decref(d);

	struct hgw_state_in in = { .name = "lte.json", .schema = hgw_schema_lte };
	assert_int_equal(hgw_state_read(dir, &in), 1);
	assert_string_equal(hgw_json_str(in.doc, "ipv6"), "2001:db8::1/64");
	/* Defaults from the schema were filled in for the reader. */
	assert_true(json_is_array(json_object_get(in.doc, "dns")));
	assert_int_equal(hgw_state_read(dir, &in), 0); /* unchanged */

	d = lte_doc("attaching", NULL);
	assert_int_equal(hgw_state_publish(dir, "lte.json", d), 1);
	json_decref(d);
	assert_int_equal(hgw_state_read(dir, &in), 1);
	assert_string_equal(hgw_json_str(in.doc, "state"), "attaching");
	/* No temporary files left behind. */
	snprintf(path, sizeof(path), "%s/.lte.json.%d.tmp", dir, (int)getpid());
	assert_int_not_equal(access(path, F_OK), 0);
	hgw_state_in_free(&in);
}

static void test_withdraw_is_absent_not_error(void **s)
{
	(void)s;
	json_t *d = lte_doc("connected", "2001:db8::1/64");
	hgw_state_publish(dir, "lte.json", d);
	json_decref(d);
	struct hgw_state_in in = { .name = "lte.json", .schema = hgw_schema_lte };
	assert_int_equal(hgw_state_read(dir, &in), 1);
	assert_int_equal(hgw_state_withdraw(dir, "lte.json"), 0);
	assert_int_equal(hgw_state_withdraw(dir, "lte.json"), 0); /* idempotent */
	assert_int_equal(hgw_state_read(dir, &in), 1);
	assert_null(in.doc);
	assert_int_equal(hgw_state_read(dir, &in), 0);
	assert_int_equal(tu_log_grep("warn"), 0);
	hgw_state_in_free(&in);
}

static void test_bad_file_keeps_last_good_and_logs_once(void **s)
{
	(void)s;
	json_t *d = lte_doc("connected", "2001:db8::1/64");
	hgw_state_publish(dir, "lte.json", d);
	json_decref(d);
	struct hgw_state_in in = { .name = "lte.json", .schema = hgw_schema_lte };
	hgw_state_read(dir, &in);

	const char *bad[] = {
		"{\"version\": 1, \"writer\": \"x\", \"state\": \"conn", /* truncated */
		"[]",                                                       /* wrong type */
		"{\"version\": 1, \"writer\": \"x\", \"state\": \"warp\"}",  /* bad enum */
		"{\"version\": 1, \"writer\": \"x\", \"state\": \"connected\", \"ipv6\": \"nope\"}",
		"{\"version\": 1, \"writer\": \"x\", \"state\": \"connected\", \"dns\": [1]}",
		"{\"version\": \"1\", \"writer\": \"x\", \"state\": \"connected\"}",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_log_clear();
		tu_write_file(dir, "lte.json", bad[i], 0644);
		assert_int_equal(hgw_state_read(dir, &in), 0);
		assert_int_equal(hgw_state_read(dir, &in), 0);
		assert_int_equal(hgw_state_read(dir, &in), 0);
		assert_int_equal(tu_log_grep("keeping the last good state"), 1);
		assert_non_null(in.doc);
		assert_string_equal(hgw_json_str(in.doc, "state"), "connected");
	}
	tu_log_clear();
	/* Oversized: refused, last good kept. */
	char path[512];
	snprintf(path, sizeof(path), "%s/lte.json", dir);
	FILE *f = fopen(path, "w");
	for (int i = 0; i < HGW_STATE_MAX_BYTES / 8 + 1; i++)
		fputs("        ", f);
	fclose(f);
	assert_int_equal(hgw_state_read(dir, &in), 0);
	assert_int_equal(tu_log_grep("too large"), 1);
	assert_non_null(in.doc);
	/* A good file again is taken. */
	d = lte_doc("searching", NULL);
	hgw_state_publish(dir, "lte.json", d);
	json_decref(d);
	assert_int_equal(hgw_state_read(dir, &in), 1);
	assert_string_equal(hgw_json_str(in.doc, "state"), "searching");
	hgw_state_in_free(&in);
}

static void test_publish_failure_reported(void **s)
{
	(void)s;
	json_t *d = hgw_state_new("t", 1);
	assert_int_equal(hgw_state_publish("/nonexistent-dir-hgw", "x.json", d), -1);
	assert_int_equal(tu_log_grep("cannot create"), 1);
	json_decref(d);
}

static void test_mkdir_safe(void **s)
{
	(void)s;
	char p[512];
	snprintf(p, sizeof(p), "%s/a/b/c", dir);
	assert_int_equal(hgw_mkdir_safe(p, 0700), 0);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(hgw_mkdir_safe(p, 0700), 0); /* exists: fine */
	chmod(p, 0777);
	assert_int_equal(hgw_mkdir_safe(p, 0700), -1); /* world-writable, no sticky */
	chmod(p, 01777);
	assert_int_equal(hgw_mkdir_safe(p, 0700), 0); /* like /tmp */
	tu_write_file(dir, "file", "x", 0644);
	snprintf(p, sizeof(p), "%s/file", dir);
	assert_int_equal(hgw_mkdir_safe(p, 0700), -1);
	assert_int_equal(hgw_mkdir_safe("relative/dir", 0700), -1);
}

static void test_every_schema_accepts_its_minimal_document(void **s)
{
	(void)s;
	/* Each registered schema accepts version+writer+required keys as null
	 * or a valid value, so the registry is at least self-consistent. */
	for (const struct hgw_state_schema *sc = hgw_state_schemas; sc->file; sc++) {
		json_t *d = hgw_state_new(sc->writer, 1);
		for (const struct hgw_field *f = sc->fields; f->name; f++) {
			if (!(f->flags & HGW_REQUIRED) || json_object_get(d, f->name))
				continue;
			if (f->flags & HGW_NULLABLE)
				json_object_set_new(d, f->name, json_null());
			else if (f->type == HGW_T_ENUM)
				json_object_set_new(d, f->name, json_string(((const char *const *)f->ref)[0]));
			else if (f->type == HGW_T_IFNAME)
				json_object_set_new(d, f->name, json_string("eth0"));
		}
		struct hgw_errors e = { 0 };
		int n = hgw_schema_check(d, sc->fields, sc->file, &e);
		if (n)
			fail_msg("%s: %s", sc->file, e.msg[0]);
		json_decref(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_then_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_is_absent_not_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_file_keeps_last_good_and_logs_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_failure_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_schema_accepts_its_minimal_document, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
