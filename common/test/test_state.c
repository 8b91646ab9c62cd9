/* State files: atomic publish, no rewrite when unchanged, schema-checked
 * reads that keep the last good document and log each failure once. */
#include <stdio.h>
#include <stdlib.h>
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

static void read_back(const char *name, char *buf, size_t cap, unsigned *mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	*mode = st.st_mode & 07777;
}

/* hgw_file_put: create-only keeps what is there (the DUID that dhcp6c and
 * dhcp4c race to make); replace writes; the mode is the one asked for; no
 * temporary file is left either way. */
static void test_file_put_create_or_replace(void **s)
{
	(void)s;
	char buf[64];
	unsigned mode;
	assert_int_equal(hgw_file_put(dir, "f", "one\n", 4, 0600, false), 1);
	assert_int_equal(hgw_file_put(dir, "f", "two\n", 4, 0600, false), 0);
	read_back("f", buf, sizeof(buf), &mode);
	assert_string_equal(buf, "one\n");
	assert_int_equal(mode, 0600);
	assert_int_equal(hgw_file_put(dir, "f", "three\n", 6, 0640, true), 1);
	read_back("f", buf, sizeof(buf), &mode);
	assert_string_equal(buf, "three\n");
	assert_int_equal(mode, 0640);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A %s)\" = f", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(hgw_file_put("/nonexistent-dir-hgw", "f", "x", 1, 0600, false), -1);
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

/* A minimal valid value for a field: what a writer must at least put there. */
static json_t *minimal(const struct hgw_field *f);

static json_t *minimal_object(const struct hgw_field *fields)
{
	json_t *o = json_object();
	for (const struct hgw_field *f = fields; f->name; f++)
		if ((f->flags & HGW_REQUIRED) && strcmp(f->name, "*") != 0)
			json_object_set_new(o, f->name, minimal(f));
	return o;
}

static json_t *minimal(const struct hgw_field *f)
{
	static const char *const sample[] = {
		[HGW_T_IP4] = "192.0.2.1",      [HGW_T_IP6] = "2001:db8::1",
		[HGW_T_IP] = "192.0.2.1",       [HGW_T_PREFIX4] = "192.0.2.0/24",
		[HGW_T_PREFIX6] = "2001:db8::/56", [HGW_T_PREFIX] = "2001:db8::/56",
		[HGW_T_MAC] = "02:00:00:00:00:01", [HGW_T_IFNAME] = "eth0",
		[HGW_T_PATH] = "/x",
	};
	if (f->flags & HGW_NULLABLE)
		return json_null();
	switch (f->type) {
	case HGW_T_BOOL: return json_false();
	case HGW_T_INT: return json_integer(f->min);
	case HGW_T_STRING: {
		char buf[300];
		int64_t n = f->min < 1 ? 1 : f->min;
		memset(buf, 'x', (size_t)n);
		buf[n] = 0;
		return json_string(buf);
	}
	case HGW_T_ENUM: return json_string(((const char *const *)f->ref)[0]);
	case HGW_T_OBJECT: return minimal_object(f->ref);
	case HGW_T_ARRAY: {
		json_t *a = json_array();
		for (int64_t i = 0; i < f->min; i++)
			json_array_append_new(a, minimal(f->ref));
		return a;
	}
	case HGW_T_MAP:
	case HGW_T_ANY: return json_object();
	default: return json_string(sample[f->type]);
	}
}

static void test_every_schema_accepts_its_minimal_document(void **s)
{
	(void)s;
	/* Each registered schema accepts a document holding only its required
	 * keys with minimal values, so the registry is self-consistent (no
	 * impossible range, no default that fails its own check). */
	for (const struct hgw_state_schema *sc = hgw_state_schemas; sc->file; sc++) {
		json_t *d = minimal_object(sc->fields);
		json_object_set_new(d, "writer", json_string(sc->writer));
		json_object_set_new(d, "version", json_integer(1));
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
		cmocka_unit_test_setup_teardown(test_file_put_create_or_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_schema_accepts_its_minimal_document, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
