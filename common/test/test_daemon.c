/* The daemon skeleton, run in a forked child per case: flags, strict config
 * with exit 78, --check-config, SIGTERM stop, SIGHUP reload (a bad config
 * keeps the running one), directories created, capabilities dropped. */
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "testutil.h"

static char *dir;
static char cfg[512], state[512], data[512];

static const struct hgw_field schema[] = {
	{ "interval", HGW_T_INT, 0, 1, 60, NULL, "5", "seconds" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static int setup(void **s)
{
	(void)s;
	dir = tu_mkdtemp();
	snprintf(cfg, sizeof(cfg), "%s/hgw.json", dir);
	snprintf(state, sizeof(state), "%s/run/state", dir);
	snprintf(data, sizeof(data), "%s/data", dir);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	tu_rmtree(dir);
	free(dir);
	return 0;
}

/* What the child reports back through its exit status and a file. */
static int reloads, stops;
static int64_t seen_interval;

static void note(const char *what)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/notes", dir);
	FILE *f = fopen(p, "a");
	fprintf(f, "%s\n", what);
	fclose(f);
}

static int start_then_term(struct hgw_daemon *d)
{
	seen_interval = hgw_json_int(d->config, "interval");
	char buf[64];
	snprintf(buf, sizeof(buf), "start interval=%lld", (long long)seen_interval);
	note(buf);
	kill(getpid(), SIGTERM);
	return 0;
}

static void on_stop(struct hgw_daemon *d)
{
	(void)d;
	stops++;
	note("stop");
}

static int run_child(int (*start)(struct hgw_daemon *), void (*reload)(struct hgw_daemon *, json_t *),
		     const char *const *extra)
{
	pid_t pid = fork();
	if (pid == 0) {
		static struct hgw_daemon d = { .name = "testd", .section = "netlinkd", .schema = schema };
		d.start = start;
		d.stop = on_stop;
		d.reload = reload;
		char *argv[16] = { "testd", "-c", cfg, "--state-dir", state, "--data-dir", data, "-q" };
		int argc = 8;
		for (int i = 0; extra && extra[i]; i++)
			argv[argc++] = (char *)extra[i];
		optind = 1;
		_exit(hgw_daemon_main(&d, argc, argv));
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int notes_contain(const char *want)
{
	char p[600], line[256];
	snprintf(p, sizeof(p), "%s/notes", dir);
	FILE *f = fopen(p, "r");
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return found;
}

static void test_starts_stops_and_makes_dirs(void **s)
{
	(void)s;
	tu_write_file(dir, "hgw.json", "{\"netlinkd\": {\"interval\": 7}}", 0644);
	assert_int_equal(run_child(start_then_term, NULL, NULL), 0);
	assert_true(notes_contain("start interval=7"));
	assert_true(notes_contain("stop"));
	struct stat st;
	assert_int_equal(stat(state, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(stat(data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700); /* data holds keys: private */
}

static void test_bad_config_exits_78(void **s)
{
	(void)s;
	tu_write_file(dir, "hgw.json", "{\"netlinkd\": {\"interval\": 99}}", 0644);
	assert_int_equal(run_child(start_then_term, NULL, NULL), HGW_EX_CONFIG);
	assert_false(notes_contain("start"));
	tu_write_file(dir, "hgw.json", "{\"netlinkd\": ", 0644);
	assert_int_equal(run_child(start_then_term, NULL, NULL), HGW_EX_CONFIG);
	unlink(cfg);
	assert_int_equal(run_child(start_then_term, NULL, NULL), HGW_EX_CONFIG);
}

static void test_check_config_and_usage(void **s)
{
	(void)s;
	tu_write_file(dir, "hgw.json", "{}", 0644);
	const char *check[] = { "--check-config", NULL };
	assert_int_equal(run_child(start_then_term, NULL, check), 0);
	assert_false(notes_contain("start"));
	const char *bad[] = { "--no-such-flag", NULL };
	assert_int_equal(run_child(start_then_term, NULL, bad), 64);
	const char *extra[] = { "stray", NULL };
	assert_int_equal(run_child(start_then_term, NULL, extra), 64);
	const char *ver[] = { "--version", NULL };
	assert_int_equal(run_child(start_then_term, NULL, ver), 0);
}

static void on_reload(struct hgw_daemon *d, json_t *old)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "reload %lld->%lld", (long long)hgw_json_int(old, "interval"),
		 (long long)hgw_json_int(d->config, "interval"));
	note(buf);
	json_decref(old);
	reloads++;
}

static void hup_then_term(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	static int step;
	if (step == 0) {
		/* Valid change, then an invalid one that must be refused. */
		tu_write_file(dir, "hgw.json", "{\"netlinkd\": {\"interval\": 9}}", 0644);
		kill(getpid(), SIGHUP);
	} else if (step == 1) {
		tu_write_file(dir, "hgw.json", "{\"netlinkd\": {\"interval\": \"x\"}}", 0644);
		kill(getpid(), SIGHUP);
	} else {
		note(reloads == 1 ? "one reload" : "wrong reload count");
		kill(getpid(), SIGTERM);
		ev_timer_stop(loop, t);
	}
	step++;
}

static int start_with_timer(struct hgw_daemon *d)
{
	static ev_timer t;
	ev_timer_init(&t, hup_then_term, 0.05, 0.05);
	ev_timer_start(d->loop, &t);
	return 0;
}

static void test_sighup_reload_keeps_running_config_when_bad(void **s)
{
	(void)s;
	tu_write_file(dir, "hgw.json", "{\"netlinkd\": {\"interval\": 3}}", 0644);
	assert_int_equal(run_child(start_with_timer, on_reload, NULL), 0);
	assert_true(notes_contain("reload 3->9"));
	assert_true(notes_contain("one reload"));
	assert_true(notes_contain("stop"));
}

static int start_fails(struct hgw_daemon *d)
{
	(void)d;
	return 69;
}

static void test_start_failure_is_exit_status(void **s)
{
	(void)s;
	tu_write_file(dir, "hgw.json", "{}", 0644);
	assert_int_equal(run_child(start_fails, NULL, NULL), 69);
}

static void test_drop_caps(void **s)
{
	(void)s;
	if (geteuid() != 0)
		skip();
	pid_t pid = fork();
	if (pid == 0) {
		hgw_log_init("t", HGW_LOG_ERR, false);
		const int keep[] = { CAP_NET_ADMIN, CAP_NET_RAW, -1 };
		if (hgw_drop_caps(keep) < 0)
			_exit(1);
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		unsigned long long eff = ~0ull, bnd = ~0ull;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "CapEff: %llx", &eff);
			sscanf(line, "CapBnd: %llx", &bnd);
		}
		fclose(f);
		unsigned long long want = (1ull << CAP_NET_ADMIN) | (1ull << CAP_NET_RAW);
		_exit(eff == want && bnd == want ? 0 : 2);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_starts_stops_and_makes_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config_exits_78, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_config_and_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sighup_reload_keeps_running_config_when_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_failure_is_exit_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_caps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
