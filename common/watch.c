#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

#define MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | \
	      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/* When the directory vanished, how often to try to re-create it. */
#define REWATCH_S 1.0

struct hgw_watch {
	struct ev_loop *loop;
	char *dir;
	char **names; /* own copy, NULL-terminated; NULL = every file */
	double coalesce_s;
	hgw_watch_cb cb;
	void *arg;
	int fd;
	int wd;
	ev_io io;
	ev_timer coalesce;
	ev_timer rewatch;
	unsigned long fired;
};

static bool interesting(const struct hgw_watch *w, const char *name)
{
	if (name[0] == '.')
		return false;
	if (!w->names)
		return true;
	for (size_t i = 0; w->names[i]; i++)
		if (strcmp(w->names[i], name) == 0)
			return true;
	return false;
}

static void kick(struct hgw_watch *w)
{
	/* The first event of a burst arms the timer and later ones ride along:
	 * the callback runs coalesce_s after the burst began.  (Re-arming on
	 * every event would let a writer that never pauses starve readers.) */
	if (!ev_is_active(&w->coalesce)) {
		ev_timer_set(&w->coalesce, w->coalesce_s, 0);
		ev_timer_start(w->loop, &w->coalesce);
	}
}

static int add_watch(struct hgw_watch *w)
{
	if (hgw_mkdir_safe(w->dir, 0755) < 0)
		return -1;
	w->wd = inotify_add_watch(w->fd, w->dir, MASK);
	if (w->wd < 0) {
		log_err("watch %s: %s", w->dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void rewatch_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)revents;
	struct hgw_watch *w = t->data;
	if (add_watch(w) == 0) {
		log_notice("watch %s: directory is back", w->dir);
		ev_timer_stop(loop, t);
		kick(w);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)revents;
	struct hgw_watch *w = io->data;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				/* Events were lost; level-triggered consumers just
				 * re-read everything. */
				kick(w);
			} else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
				if (ev->wd != w->wd)
					continue;
				if (!(ev->mask & IN_IGNORED))
					inotify_rm_watch(w->fd, w->wd);
				w->wd = -1;
				log_warn("watch %s: directory removed; re-creating it", w->dir);
				if (!ev_is_active(&w->rewatch)) {
					/* Try at once, then every REWATCH_S. */
					ev_timer_set(&w->rewatch, 0, REWATCH_S);
					ev_timer_start(loop, &w->rewatch);
				}
				kick(w);
			} else if (ev->len && interesting(w, ev->name)) {
				kick(w);
			}
		}
	}
}

static void coalesce_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	struct hgw_watch *w = t->data;
	w->fired++;
	w->cb(w, w->arg);
}

/* Copies a NULL-terminated list: callers pass stack arrays, and a dangling
 * pointer kept here would crash at the next event, far from the mistake. */
static char **copy_names(const char *const *names)
{
	size_t n = 0;
	while (names[n])
		n++;
	char **c = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; c && i < n; i++) {
		if (!(c[i] = strdup(names[i]))) {
			while (i--)
				free(c[i]);
			free(c);
			return NULL;
		}
	}
	return c;
}

struct hgw_watch *hgw_watch_new(struct ev_loop *loop, const char *dir, const char *const *names,
				double coalesce_s, hgw_watch_cb cb, void *arg)
{
	struct hgw_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->loop = loop;
	w->fd = -1;
	w->wd = -1;
	w->coalesce_s = coalesce_s > 0 ? coalesce_s : 0.001;
	w->cb = cb;
	w->arg = arg;
	w->dir = strdup(dir);
	w->names = names ? copy_names(names) : NULL;
	if (!w->dir || (names && !w->names)) {
		log_err("watch %s: out of memory", dir);
		hgw_watch_free(w);
		return NULL;
	}
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		log_err("watch %s: inotify: %s", dir, strerror(errno));
		hgw_watch_free(w);
		return NULL;
	}
	if (add_watch(w) < 0) {
		hgw_watch_free(w);
		return NULL;
	}
	ev_io_init(&w->io, io_cb, w->fd, EV_READ);
	w->io.data = w;
	ev_io_start(loop, &w->io);
	ev_timer_init(&w->coalesce, coalesce_cb, 0, 0);
	w->coalesce.data = w;
	ev_timer_init(&w->rewatch, rewatch_cb, 0, REWATCH_S);
	w->rewatch.data = w;
	kick(w);
	return w;
}

void hgw_watch_free(struct hgw_watch *w)
{
	if (!w)
		return;
	if (w->loop) {
		ev_io_stop(w->loop, &w->io);
		ev_timer_stop(w->loop, &w->coalesce);
		ev_timer_stop(w->loop, &w->rewatch);
	}
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; w->names && w->names[i]; i++)
		free(w->names[i]);
	free(w->names);
	free(w->dir);
	free(w);
}

unsigned long hgw_watch_fired(const struct hgw_watch *w)
{
	return w->fired;
}
