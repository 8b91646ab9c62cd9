/* Directory watcher: inotify on the state directory, driven by libev.
 *
 * Consumers are level-triggered: they are told "something changed, re-read
 * your inputs", never what changed.  Bursts (a writer publishing three files,
 * a rename that is a delete plus a create) are coalesced by a short timer so
 * the consumer reconciles once.  The directory is watched, not the files: a
 * rename replaces the inode, and a watch on the old inode would go quiet.
 * Temporary files (names starting with '.') are ignored.  If the directory
 * itself is removed, it is re-created and watched again, and the consumer is
 * told (every input is now absent). */
#ifndef HGW_WATCH_H
#define HGW_WATCH_H

#include <ev.h>

struct hgw_watch;
typedef void (*hgw_watch_cb)(struct hgw_watch *w, void *arg);

/* names: NULL-terminated file names of interest (copied), or NULL for any file.
 * coalesce_s: quiet time before the callback (e.g. 0.05).  The callback
 * also runs once soon after creation, so a starting daemon reads the files
 * already there.  Returns NULL on error (logged). */
struct hgw_watch *hgw_watch_new(struct ev_loop *loop, const char *dir, const char *const *names,
				double coalesce_s, hgw_watch_cb cb, void *arg);
void hgw_watch_free(struct hgw_watch *w);
/* How many times the callback has run (tests, bench). */
unsigned long hgw_watch_fired(const struct hgw_watch *w);

#endif
