/* The directory watcher under a real libev loop and real inotify: it fires
 * once at start, coalesces bursts, sees renames, deletes and re-creates,
 * ignores temporary files and survives the directory being removed. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "watch.h"
#include "testutil.h"

static char *dir;
static struct ev_loop *loop;
static int calls;

static void cb(struct hgw_watch *w, void *arg)
{
	(void)w;
	(void)arg;
	calls++;
}

static void stop_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(l, EVBREAK_ONE);
}

/* Runs the loop for ms milliseconds. */
static void run_for(int ms)
{
	ev_timer t;
	ev_timer_init(&t, stop_cb, ms / 1000.0, 0);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}

static int setup(void **s)
{
	(void)s;
	tu_log_capture();
	dir = tu_mkdtemp();
	loop = ev_loop_new(EVFLAG_AUTO);
	calls = 0;
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	ev_loop_destroy(loop);
	tu_rmtree(dir);
	free(dir);
	tu_log_release();
	return 0;
}

static void publish(const char *name, int v)
{
	json_t *d = hgw_state_new("t", 1);
	json_object_set_new(d, "v", json_integer(v));
	hgw_state_publish(dir, name, d);
	json_decref(d);
}

static void test_fires_once_at_start(void **s)
{
	(void)s;
	struct hgw_watch *w = hgw_watch_new(loop, dir, NULL, 0.02, cb, NULL);
	assert_non_null(w);
	run_for(100);
	assert_int_equal(calls, 1);
	assert_int_equal(hgw_watch_fired(w), 1);
	hgw_watch_free(w);
}

static void test_burst_is_coalesced(void **s)
{
	(void)s;
	struct hgw_watch *w = hgw_watch_new(loop, dir, NULL, 0.05, cb, NULL);
	run_for(100);
	calls = 0;
	for (int i = 0; i < 20; i++)
		publish("a.json", i);
	publish("b.json", 1);
	run_for(200);
	assert_int_equal(calls, 1);
	hgw_watch_free(w);
}

static void test_rename_delete_recreate(void **s)
{
	(void)s;
	struct hgw_watch *w = hgw_watch_new(loop, dir, NULL, 0.01, cb, NULL);
	run_for(50);
	calls = 0;
	publish("a.json", 1); /* temp file + rename */
	run_for(60);
	assert_int_equal(calls, 1);
	hgw_state_withdraw(dir, "a.json");
	run_for(60);
	assert_int_equal(calls, 2);
	tu_write_file(dir, "a.json", "{}", 0644); /* plain create + write */
	run_for(60);
	assert_int_equal(calls, 3);
	char from[512], to[512];
	snprintf(from, sizeof(from), "%s/a.json", dir);
	snprintf(to, sizeof(to), "%s/c.json", dir);
	rename(from, to); /* moved away and in */
	run_for(60);
	assert_int_equal(calls, 4);
	hgw_watch_free(w);
}

static void test_names_filter_and_temp_files(void **s)
{
	(void)s;
	const char *const names[] = { "pppoe.json", NULL };
	struct hgw_watch *w = hgw_watch_new(loop, dir, names, 0.01, cb, NULL);
	run_for(50);
	calls = 0;
	publish("lte.json", 1);
	tu_write_file(dir, ".pppoe.json.tmp", "{}", 0644);
	run_for(60);
	assert_int_equal(calls, 0);
	publish("pppoe.json", 1);
	run_for(60);
	assert_int_equal(calls, 1);
	hgw_watch_free(w);
}

static struct hgw_watch *watch_with_stack_names(void)
{
	char name[] = "pppoe.json";
	const char *const names[] = { name, NULL };
	struct hgw_watch *w = hgw_watch_new(loop, dir, names, 0.01, cb, NULL);
	memset(name, 'X', sizeof(name) - 1); /* the caller's array is gone */
	return w;
}

static void test_names_are_copied(void **s)
{
	(void)s;
	struct hgw_watch *w = watch_with_stack_names();
	run_for(50);
	calls = 0;
	publish("pppoe.json", 1);
	run_for(60);
	assert_int_equal(calls, 1);
	hgw_watch_free(w);
}

static void test_directory_removed_and_recreated(void **s)
{
	(void)s;
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/state", dir);
	struct hgw_watch *w = hgw_watch_new(loop, sub, NULL, 0.01, cb, NULL);
	assert_non_null(w); /* created if missing */
	run_for(50);
	calls = 0;
	tu_rmtree(sub);
	run_for(100);
	assert_true(calls >= 1); /* consumer told: every input is gone */
	assert_int_equal(tu_log_grep("directory removed"), 1);
	struct stat st;
	assert_int_equal(stat(sub, &st), 0); /* re-created */
	int before = calls;
	json_t *d = hgw_state_new("t", 1);
	hgw_state_publish(sub, "x.json", d);
	json_decref(d);
	run_for(60);
	assert_int_equal(calls, before + 1); /* and watched again */
	hgw_watch_free(w);
}

static void test_unusable_directory_fails_cleanly(void **s)
{
	(void)s;
	tu_write_file(dir, "file", "x", 0644);
	char p[512];
	snprintf(p, sizeof(p), "%s/file", dir);
	assert_null(hgw_watch_new(loop, p, NULL, 0.01, cb, NULL));
	assert_true(tu_log_grep("not a directory") >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fires_once_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst_is_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_delete_recreate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_filter_and_temp_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_are_copied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_removed_and_recreated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unusable_directory_fails_cleanly, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
