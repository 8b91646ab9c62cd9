/* Logging: one line per event, "name[pid] level: message", to stderr and,
 * when asked, to syslog.  Identical messages are rate-limited: the first is
 * written, repeats within HGW_LOG_REPEAT_MS are counted, and the count is
 * reported with the next occurrence after the window, so a daemon stuck in
 * a retry loop cannot flood the journal yet the user still learns it
 * happened and how often. */
#ifndef HGW_LOG_H
#define HGW_LOG_H

#include <stdbool.h>

#include "clock.h"

enum hgw_log_level {
	HGW_LOG_ERR = 3,
	HGW_LOG_WARN = 4,
	HGW_LOG_NOTICE = 5,
	HGW_LOG_INFO = 6,
	HGW_LOG_DEBUG = 7,
};

#define HGW_LOG_REPEAT_MS 10000

/* name: the daemon; level: the most verbose level written. */
void hgw_log_init(const char *name, int level, bool use_syslog);
void hgw_log_set_level(int level);
int hgw_log_get_level(void);
/* Tests: a clock for the rate limiter and a sink that receives each line
 * instead of stderr (NULL restores stderr). */
void hgw_log_set_clock(const struct hgw_clock *c);
void hgw_log_set_sink(void (*sink)(int level, const char *line, void *arg), void *arg);
/* Forget rate-limit history (tests, and after SIGHUP). */
void hgw_log_reset_limits(void);

void hgw_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) hgw_log(HGW_LOG_ERR, __VA_ARGS__)
#define log_warn(...) hgw_log(HGW_LOG_WARN, __VA_ARGS__)
#define log_notice(...) hgw_log(HGW_LOG_NOTICE, __VA_ARGS__)
#define log_info(...) hgw_log(HGW_LOG_INFO, __VA_ARGS__)
#define log_debug(...) hgw_log(HGW_LOG_DEBUG, __VA_ARGS__)

/* Parses "err", "warn", "notice", "info", "debug"; -1 if unknown. */
int hgw_log_level_parse(const char *s);

#endif
