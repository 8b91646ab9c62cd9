/* The daemon skeleton every hgw program shares: flags, config, directories,
 * logging, capabilities, the libev loop and signals.
 *
 *   -c FILE         config (default /etc/hgw/hgw.json)
 *   --state-dir DIR runtime state (default $HGW_STATE_DIR or /tmp/hgw)
 *   --data-dir DIR  persistent data (default $HGW_DATA_DIR or /data/hgw)
 *   -v              more verbose (repeat for debug); -q less
 *   --syslog        also log to syslog
 *   --version, --help
 *
 * SIGTERM/SIGINT stop the loop and call stop() (withdraw state where that is
 * right); SIGHUP re-reads and re-checks the config and calls reload() with it
 * (an invalid config is logged and the running one kept). */
#ifndef HGW_DAEMON_H
#define HGW_DAEMON_H

#include <ev.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "schema.h"

#ifndef HGW_VERSION
#define HGW_VERSION "0.1.0"
#endif

struct hgw_daemon {
	/* set by the daemon */
	const char *name;               /* program and log name */
	const char *summary;            /* one line for --help */
	const char *section;            /* config section, NULL = no config */
	const struct hgw_field *schema; /* the section's schema */
	const int *caps;                /* capabilities to keep, ended by -1; NULL = none */
	/* Extra long options (ended by a zero entry) and their handler: return
	 * 0 if handled, -1 for a usage error.  Use values >= 256 for val. */
	const struct option *extra_opts;
	const char *extra_help;
	int (*opt)(struct hgw_daemon *d, int val, const char *arg);
	/* Called after set-up; non-zero return exits with that status. */
	int (*start)(struct hgw_daemon *d);
	/* Called once on SIGTERM/SIGINT before the loop ends. */
	void (*stop)(struct hgw_daemon *d);
	/* Called on SIGHUP with the new, checked section. The callee takes the
	 * reference; d->config already points at it. */
	void (*reload)(struct hgw_daemon *d, json_t *old);
	void *ctx;

	/* filled in by hgw_daemon_main */
	const char *config_path;
	const char *state_dir;
	const char *data_dir;
	json_t *config;
	struct ev_loop *loop;
	int log_level;
	bool stopping;
	int status;
	ev_signal sig_term, sig_int, sig_hup;
};

/* Runs the daemon; returns the process exit status. */
int hgw_daemon_main(struct hgw_daemon *d, int argc, char **argv);
/* Ends the loop from inside (fatal error): status becomes the exit code. */
void hgw_daemon_exit(struct hgw_daemon *d, int status);

/* Drops every capability except keep (ended by -1) from the effective,
 * permitted, inheritable and bounding sets.  No-op (success) when not root
 * and holding none.  Returns 0 or -1 (logged). */
int hgw_drop_caps(const int *keep);

#endif
