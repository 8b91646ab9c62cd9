/* Watching the link a DHCP client runs on, the same for dhcp6c and
 * dhcp4c: netlink link and address events, a 1 s poll as a safety net
 * (missed events, and tentative link-locals whose DAD completion produces
 * no event on old kernels), and optionally another daemon's state file
 * (follow.h).  Each source just calls back "check the link"; what counts
 * as usable (up, with a link-local, followed file up) is the client's. */
#ifndef HGW_LINKWATCH_H
#define HGW_LINKWATCH_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>

struct follow;

struct linkwatch {
	struct ev_loop *loop;
	int nl;
	ev_io nl_io;
	ev_timer poll;
	struct follow *follow;
	void (*cb)(void *arg);
	void *arg;
};

/* cfg is the client's config section (for "follow"). */
void linkwatch_start(struct linkwatch *w, struct ev_loop *loop, const char *state_dir,
		     const json_t *cfg, void (*cb)(void *arg), void *arg);
/* The followed state file says the link is up (true when none is followed). */
bool linkwatch_follow_ok(const struct linkwatch *w);
void linkwatch_stop(struct linkwatch *w);

#endif
