#include "linkwatch.h"

#include <unistd.h>

#include "follow.h"
#include "iface.h"

static void on_netlink(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)loop;
	(void)revents;
	struct linkwatch *w = io->data;
	iface_drain(w->nl);
	w->cb(w->arg);
}

static void on_poll(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	struct linkwatch *w = t->data;
	w->cb(w->arg);
}

void linkwatch_start(struct linkwatch *w, struct ev_loop *loop, const char *state_dir,
		     const json_t *cfg, void (*cb)(void *arg), void *arg)
{
	w->loop = loop;
	w->cb = cb;
	w->arg = arg;
	w->nl = iface_watch_open();
	if (w->nl >= 0) {
		ev_io_init(&w->nl_io, on_netlink, w->nl, EV_READ);
		w->nl_io.data = w;
		ev_io_start(loop, &w->nl_io);
	}
	ev_timer_init(&w->poll, on_poll, 1.0, 1.0);
	w->poll.data = w;
	ev_timer_start(loop, &w->poll);
	w->follow = follow_new(loop, state_dir, cfg, cb, arg);
}

bool linkwatch_follow_ok(const struct linkwatch *w)
{
	return follow_ok(w->follow);
}

void linkwatch_stop(struct linkwatch *w)
{
	if (w->nl >= 0) {
		ev_io_stop(w->loop, &w->nl_io);
		close(w->nl);
		w->nl = -1;
	}
	ev_timer_stop(w->loop, &w->poll);
	follow_free(w->follow);
	w->follow = NULL;
}
