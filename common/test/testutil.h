/* Helpers shared by the unit tests: captured log lines, temporary dirs. */
#ifndef HGW_TESTUTIL_H
#define HGW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Captures log lines instead of writing them to stderr. */
void tu_log_capture(void);
void tu_log_release(void);
int tu_log_count(void);
/* Number of captured lines containing needle. */
int tu_log_grep(const char *needle);
const char *tu_log_line(int i);
void tu_log_clear(void);

/* A fresh directory under /tmp; removed (with its files) by tu_rmtree. */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);
void tu_write_file(const char *dir, const char *name, const char *text, unsigned mode);

#endif
