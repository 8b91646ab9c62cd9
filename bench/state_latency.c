/* Benchmark: how long a state change takes to reach another daemon.
 *
 * A writer process publishes a state document (hgw_state_publish: temp file,
 * fsync, rename) and a reader process, woken by hgw_watch (inotify + libev,
 * coalescing timer at its minimum), reads and schema-checks it
 * (hgw_state_read), then acknowledges over a pipe.  The baseline sends the
 * same JSON text through a pipe to a reader that parses it and acknowledges
 * the same way: the cost of the simplest possible IPC on this machine at
 * this moment.  Reported: median and 99th percentile of both, and the ratio.
 * Expect the state-file path to be about a millisecond: the reader's
 * coalescing timer (libev over epoll) has millisecond granularity, and that
 * delay is deliberate (bursts become one reconcile).
 *
 * Usage: state_latency [ROUNDS] [STATE_DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "state_schemas.h"
#include "watch.h"

static int ack_fd;
static const char *dir;
static struct hgw_state_in in = { .name = "dhcp6.tun0.json", .schema = hgw_schema_dhcp6 };

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static json_t *doc(int i)
{
	json_t *d = hgw_state_new("dhcp6c", 1);
	char p[64];
	snprintf(p, sizeof(p), "2001:db8:%x::/56", i & 0xffff);
	json_object_set_new(d, "interface", json_string("tun0"));
	json_object_set_new(d, "state", json_string("bound"));
	json_object_set_new(d, "prefixes", json_pack("[{s:s, s:i, s:i}]", "prefix", p,
						       "preferred_until", 1700000000 + i,
						       "valid_until", 1700000600 + i));
	json_object_set_new(d, "dns", json_pack("[s]", "2001:db8::53"));
	return d;
}

static void on_change(struct hgw_watch *w, void *arg)
{
	(void)w;
	(void)arg;
	if (hgw_state_read(dir, &in) == 1 && in.doc) {
		char b = 1;
		if (write(ack_fd, &b, 1) != 1)
			exit(1);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp);
	printf("%-28s median %8.1f us   p99 %8.1f us\n", what, v[n / 2], v[n * 99 / 100]);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	char tmpl[] = "/tmp/hgw-bench-XXXXXX";
	dir = argc > 2 ? argv[2] : mkdtemp(tmpl);
	if (rounds < 10 || rounds > 100000 || !dir) {
		fprintf(stderr, "usage: state_latency [ROUNDS 10..100000] [DIR]\n");
		return 64;
	}
	hgw_log_init("bench", HGW_LOG_WARN, false);
	double *sf = calloc((size_t)rounds, sizeof(double));
	double *bl = calloc((size_t)rounds, sizeof(double));
	double *pub = calloc((size_t)rounds, sizeof(double));

	/* 1. State file + inotify. */
	int ack[2];
	if (pipe(ack) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		close(ack[0]);
		ack_fd = ack[1];
		struct hgw_watch *w = hgw_watch_new(EV_DEFAULT, dir, NULL, 0.0001, on_change, NULL);
		if (!w)
			_exit(1);
		ev_run(EV_DEFAULT, 0);
		_exit(0);
	}
	close(ack[1]);
	usleep(200000); /* let the reader set up its watch */
	for (int i = 0; i < rounds; i++) {
		json_t *d = doc(i + 1);
		double t0 = now_us();
		hgw_state_publish(dir, "dhcp6.tun0.json", d);
		pub[i] = now_us() - t0;
		char b;
		if (read(ack[0], &b, 1) != 1) {
			fprintf(stderr, "reader died\n");
			return 1;
		}
		sf[i] = now_us() - t0;
		json_decref(d);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(ack[0]);

	/* 2. Baseline: the same text through a pipe, parsed by the reader. */
	int data[2];
	if (pipe(data) < 0 || pipe(ack) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(data[1]);
		close(ack[0]);
		static char buf[65536];
		for (;;) {
			uint32_t len;
			if (read(data[0], &len, 4) != 4 || len >= sizeof(buf))
				_exit(0);
			size_t got = 0;
			while (got < len) {
				ssize_t r = read(data[0], buf + got, len - got);
				if (r <= 0)
					_exit(1);
				got += (size_t)r;
			}
			struct hgw_errors e = { 0 };
			json_t *d = hgw_state_parse(buf, len, hgw_schema_dhcp6, "x", &e);
			char b = d != NULL;
			json_decref(d);
			if (write(ack[1], &b, 1) != 1)
				_exit(1);
		}
	}
	close(data[0]);
	close(ack[1]);
	for (int i = 0; i < rounds; i++) {
		json_t *d = doc(i + 1);
		double t0 = now_us();
		char *text = json_dumps(d, JSON_INDENT(2) | JSON_SORT_KEYS);
		uint32_t len = (uint32_t)strlen(text);
		if (write(data[1], &len, 4) != 4 || write(data[1], text, len) != (ssize_t)len)
			return 1;
		char b;
		if (read(ack[0], &b, 1) != 1 || !b)
			return 1;
		bl[i] = now_us() - t0;
		free(text);
		json_decref(d);
	}
	close(data[1]);
	waitpid(pid, NULL, 0);

	double msf, mbl;
	report("publish alone (writer)", pub, rounds);
	report("state file + inotify", sf, rounds);
	msf = sf[rounds / 2];
	report("baseline: pipe + parse", bl, rounds);
	mbl = bl[rounds / 2];
	printf("ratio (median): %.1fx   rounds: %d   dir: %s\n", msf / mbl, rounds, dir);
	if (argc <= 2) {
		char p[512];
		snprintf(p, sizeof(p), "%s/dhcp6.tun0.json", dir);
		unlink(p);
		rmdir(dir);
	}
	return 0;
}
