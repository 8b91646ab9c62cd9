#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Rate-limit slots: enough to catch several messages that alternate (two
 * links failing in turn), small enough to scan linearly. */
#define SLOTS 32

struct slot {
	uint64_t hash;
	int64_t since_ms;
	unsigned suppressed;
};

static struct {
	char name[32];
	int level;
	bool syslog;
	const struct hgw_clock *clock;
	void (*sink)(int, const char *, void *);
	void *sink_arg;
	struct slot slots[SLOTS];
	unsigned next_slot;
} L = { "hgw", HGW_LOG_INFO, false, &hgw_clock_real, NULL, NULL, { { 0, 0, 0 } }, 0 };

static const char *const level_names[8] = {
	[HGW_LOG_ERR] = "error",   [HGW_LOG_WARN] = "warn",  [HGW_LOG_NOTICE] = "notice",
	[HGW_LOG_INFO] = "info",   [HGW_LOG_DEBUG] = "debug",
};

void hgw_log_init(const char *name, int level, bool use_syslog)
{
	snprintf(L.name, sizeof(L.name), "%s", name);
	L.level = level;
	if (use_syslog && !L.syslog)
		openlog(L.name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	L.syslog = use_syslog;
	hgw_log_reset_limits();
}

void hgw_log_set_level(int level) { L.level = level; }
int hgw_log_get_level(void) { return L.level; }
void hgw_log_set_clock(const struct hgw_clock *c) { L.clock = c ? c : &hgw_clock_real; }

void hgw_log_set_sink(void (*sink)(int, const char *, void *), void *arg)
{
	L.sink = sink;
	L.sink_arg = arg;
}

void hgw_log_reset_limits(void)
{
	memset(L.slots, 0, sizeof(L.slots));
	L.next_slot = 0;
}

int hgw_log_level_parse(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (level_names[i] && strcmp(s, level_names[i]) == 0)
			return i;
	if (strcmp(s, "err") == 0 || strcmp(s, "warning") == 0)
		return s[0] == 'e' ? HGW_LOG_ERR : HGW_LOG_WARN;
	return -1;
}

static uint64_t fnv1a(int level, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)level;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h ? h : 1;
}

/* Returns how many earlier repeats to report, or -1 to suppress this one. */
static long rate_limit(int level, const char *msg)
{
	uint64_t h = fnv1a(level, msg);
	int64_t now = hgw_now_ms(L.clock);
	for (unsigned i = 0; i < SLOTS; i++) {
		struct slot *s = &L.slots[i];
		if (s->hash != h)
			continue;
		if (now - s->since_ms < HGW_LOG_REPEAT_MS) {
			s->suppressed++;
			return -1;
		}
		long n = (long)s->suppressed;
		s->since_ms = now;
		s->suppressed = 0;
		return n;
	}
	/* Round-robin replacement: a message evicted early merely gets logged
	 * again, which is the safe direction. */
	struct slot *s = &L.slots[L.next_slot++ % SLOTS];
	s->hash = h;
	s->since_ms = now;
	s->suppressed = 0;
	return 0;
}

static void emit(int level, const char *msg)
{
	char line[1200];
	if (L.sink) {
		snprintf(line, sizeof(line), "%s %s: %s", L.name, level_names[level], msg);
		L.sink(level, line, L.sink_arg);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	int n = snprintf(line, sizeof(line), "%s.%03ldZ %s[%d] %s: %s\n", when,
			 ts.tv_nsec / 1000000, L.name, (int)getpid(), level_names[level], msg);
	if (n > 0) {
		size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
		if (len == sizeof(line) - 1)
			line[len - 1] = '\n';
		/* One write(2) per line so lines of several daemons sharing a
		 * terminal or log file never interleave mid-line. */
		ssize_t w = write(STDERR_FILENO, line, len);
		(void)w;
	}
	if (L.syslog)
		syslog(level, "%s", msg);
}

void hgw_log(int level, const char *fmt, ...)
{
	if (level < HGW_LOG_ERR)
		level = HGW_LOG_ERR;
	if (level > HGW_LOG_DEBUG)
		level = HGW_LOG_DEBUG;
	if (level > L.level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Newlines would break "one line per event". */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	long repeats = rate_limit(level, msg);
	if (repeats < 0)
		return;
	if (repeats > 0) {
		size_t len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, " (%ld repeats suppressed since last shown)",
			 repeats);
	}
	emit(level, msg);
}
