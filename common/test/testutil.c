#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define MAX_LINES 256
static char *lines[MAX_LINES];
static int nlines;

static void sink(int level, const char *line, void *arg)
{
	(void)level;
	(void)arg;
	if (nlines < MAX_LINES)
		lines[nlines++] = strdup(line);
}

void tu_log_capture(void)
{
	tu_log_clear();
	hgw_log_init("test", HGW_LOG_DEBUG, false);
	hgw_log_set_sink(sink, NULL);
}

void tu_log_release(void)
{
	hgw_log_set_sink(NULL, NULL);
	hgw_log_set_clock(NULL);
	tu_log_clear();
}

void tu_log_clear(void)
{
	for (int i = 0; i < nlines; i++)
		free(lines[i]);
	nlines = 0;
}

int tu_log_count(void) { return nlines; }
const char *tu_log_line(int i) { return i < nlines ? lines[i] : ""; }

int tu_log_grep(const char *needle)
{
	int n = 0;
	for (int i = 0; i < nlines; i++)
		n += strstr(lines[i], needle) != NULL;
	return n;
}

char *tu_mkdtemp(void)
{
	char *t = strdup("/tmp/hgw-unit-XXXXXX");
	assert_non_null(mkdtemp(t));
	return t;
}

void tu_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1024];
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			tu_rmtree(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void tu_write_file(const char *dir, const char *name, const char *text, unsigned mode)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}
