#include "daemon.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "state.h"
#include "state_schemas.h"

enum { OPT_STATE_DIR = 1000, OPT_DATA_DIR, OPT_SYSLOG, OPT_VERSION, OPT_HELP, OPT_CHECK, OPT_SCHEMA };

static const struct option base_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "print-schema", no_argument, NULL, OPT_SCHEMA },
};
#define N_BASE (sizeof(base_opts) / sizeof(base_opts[0]))
#define MAX_OPTS 48

static void usage(const struct hgw_daemon *d, FILE *to)
{
	fprintf(to,
		"Usage: %s [options]\n%s\n\n"
		"  -c, --config FILE   configuration (default %s)\n"
		"      --state-dir DIR runtime state files (default $HGW_STATE_DIR or %s)\n"
		"      --data-dir DIR  persistent data (default $HGW_DATA_DIR or %s)\n"
		"  -v, --verbose       log more (twice for debug)\n"
		"  -q, --quiet         log only warnings and errors\n"
		"      --syslog        also log to syslog\n"
		"      --check-config  check the configuration, print it with defaults, exit\n"
		"      --print-schema  print the config section's keys as Markdown, exit\n"
		"      --version       print the version and exit\n"
		"      --help          print this help and exit\n%s",
		d->name, d->summary ? d->summary : "", HGW_CONFIG_DEFAULT, HGW_STATE_DIR_DEFAULT,
		HGW_DATA_DIR_DEFAULT, d->extra_help ? d->extra_help : "");
}

int hgw_drop_caps(const int *keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0) {
		log_err("capget: %s", strerror(errno));
		return -1;
	}
	struct __user_cap_data_struct want[2];
	memset(want, 0, sizeof(want));
	for (const int *k = keep; k && *k >= 0; k++) {
		int idx = *k / 32;
		uint32_t bit = 1u << (*k % 32);
		if (idx > 1)
			continue;
		if (!(data[idx].permitted & bit)) {
			/* Not ours to keep (unprivileged run): say so, the daemon
			 * will fail visibly where it needs it. */
			log_info("capability %d not held; continuing without it", *k);
			continue;
		}
		want[idx].permitted |= bit;
		want[idx].effective |= bit;
	}
	/* The bounding set caps what an exec'd helper could regain. */
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		bool kept = false;
		for (const int *k = keep; k && *k >= 0; k++)
			kept |= *k == c;
		if (!kept && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EPERM) {
			log_err("drop capability %d from bounding set: %s", c, strerror(errno));
			return -1;
		}
	}
	if (syscall(SYS_capset, &hdr, want) < 0) {
		log_err("capset: %s", strerror(errno));
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}

static void on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	struct hgw_daemon *d = w->data;
	log_notice("received %s, stopping", strsignal(w->signum));
	hgw_daemon_exit(d, 0);
	(void)loop;
}

static void on_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	struct hgw_daemon *d = w->data;
	log_notice("received SIGHUP, reloading %s", d->config_path);
	hgw_log_reset_limits();
	if (!d->section) {
		if (d->reload)
			d->reload(d, NULL);
		return;
	}
	struct hgw_errors e = { 0 };
	json_t *cfg = hgw_config_load(d->config_path, d->section, d->schema, &e);
	if (!cfg) {
		for (int i = 0; i < e.count && i < HGW_SCHEMA_MAX_ERRORS; i++)
			log_err("config: %s", e.msg[i]);
		log_err("config not reloaded; keeping the running configuration");
		return;
	}
	json_t *old = d->config;
	d->config = cfg;
	if (d->reload)
		d->reload(d, old);
	else
		json_decref(old);
}

void hgw_daemon_exit(struct hgw_daemon *d, int status)
{
	if (d->stopping)
		return;
	d->stopping = true;
	d->status = status;
	if (d->stop)
		d->stop(d);
	ev_break(d->loop, EVBREAK_ALL);
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

int hgw_daemon_main(struct hgw_daemon *d, int argc, char **argv)
{
	struct option opts[MAX_OPTS];
	size_t n = 0;
	for (size_t i = 0; i < N_BASE; i++)
		opts[n++] = base_opts[i];
	for (const struct option *o = d->extra_opts; o && o->name && n < MAX_OPTS - 1; o++)
		opts[n++] = *o;
	memset(&opts[n], 0, sizeof(opts[n]));

	d->config_path = HGW_CONFIG_DEFAULT;
	d->state_dir = env_or("HGW_STATE_DIR", HGW_STATE_DIR_DEFAULT);
	d->data_dir = env_or("HGW_DATA_DIR", HGW_DATA_DIR_DEFAULT);
	int level = HGW_LOG_INFO;
	bool use_syslog = false, check_only = false;
	int c;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:vq", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d->config_path = optarg; break;
		case 'v': level++; break;
		case 'q': level = HGW_LOG_WARN; break;
		case OPT_STATE_DIR: d->state_dir = optarg; break;
		case OPT_DATA_DIR: d->data_dir = optarg; break;
		case OPT_SYSLOG: use_syslog = true; break;
		case OPT_CHECK: check_only = true; break;
		case OPT_SCHEMA:
			if (d->section) {
				printf("## `%s`\n\n%s\n\n", d->section, d->summary ? d->summary : "");
				hgw_schema_markdown(stdout, d->schema);
			}
			return 0;
		case OPT_VERSION: printf("%s %s\n", d->name, HGW_VERSION); return 0;
		case OPT_HELP: usage(d, stdout); return 0;
		default:
			if (c != '?' && d->opt && d->opt(d, c, optarg) == 0)
				break;
			usage(d, stderr);
			return 64; /* EX_USAGE */
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", d->name, argv[optind]);
		usage(d, stderr);
		return 64;
	}
	d->log_level = level > HGW_LOG_DEBUG ? HGW_LOG_DEBUG : level;
	hgw_log_init(d->name, d->log_level, use_syslog);

	if (d->section) {
		struct hgw_errors e = { 0 };
		d->config = hgw_config_load(d->config_path, d->section, d->schema, &e);
		if (!d->config) {
			for (int i = 0; i < e.count && i < HGW_SCHEMA_MAX_ERRORS; i++)
				log_err("config: %s", e.msg[i]);
			if (e.count > HGW_SCHEMA_MAX_ERRORS)
				log_err("config: ... and %d more errors", e.count - HGW_SCHEMA_MAX_ERRORS);
			log_err("refusing to start with an invalid configuration");
			return HGW_EX_CONFIG;
		}
	}
	if (check_only) {
		/* Show what the daemon will run with, defaults included. */
		if (d->config)
			json_dumpf(d->config, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\n%s: configuration %s is valid\n", d->name, d->config_path);
		json_decref(d->config);
		return 0;
	}
	/* State is readable by every local process (status tools); data holds
	 * keys and DUIDs and is private. */
	if (hgw_mkdir_safe(d->state_dir, 0755) < 0 || hgw_mkdir_safe(d->data_dir, 0700) < 0) {
		json_decref(d->config);
		return 73; /* EX_CANTCREAT */
	}
	if (geteuid() == 0 && hgw_drop_caps(d->caps) < 0) {
		json_decref(d->config);
		return 71; /* EX_OSERR */
	}

	d->loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	ev_signal_init(&d->sig_term, on_stop, SIGTERM);
	ev_signal_init(&d->sig_int, on_stop, SIGINT);
	ev_signal_init(&d->sig_hup, on_hup, SIGHUP);
	d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
	ev_signal_start(d->loop, &d->sig_term);
	ev_signal_start(d->loop, &d->sig_int);
	ev_signal_start(d->loop, &d->sig_hup);
	/* A peer closing a socket must be an error return, not death. */
	signal(SIGPIPE, SIG_IGN);

	log_info("%s %s starting (state %s, data %s)", d->name, HGW_VERSION, d->state_dir,
		 d->data_dir);
	int rc = d->start ? d->start(d) : 0;
	if (rc == 0 && !d->stopping)
		ev_run(d->loop, 0);
	else if (rc)
		d->status = rc;
	json_decref(d->config);
	d->config = NULL;
	log_info("%s stopped", d->name);
	return d->status;
}
