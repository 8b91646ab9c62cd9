/* hgwctl: look at hgw's state files.
 *
 *   hgwctl [--state-dir DIR] status            one line per state file
 *   hgwctl [--state-dir DIR] show NAME         one file, pretty-printed
 *   hgwctl [--state-dir DIR] watch             print each file as it changes
 *   hgwctl schema                              every state file's schema (Markdown)
 *   hgwctl [--state-dir DIR] wait NAME PATH VALUE [TIMEOUT_S]
 *                                              wait until NAME's PATH (dotted,
 *                                              array indexes as numbers) equals
 *                                              VALUE; exit 0, or 1 on timeout
 *   hgwctl [--state-dir DIR] resolv FILE       keep FILE a resolv.conf of the WAN
 *                                              links' DNS servers (common/resolv.c),
 *                                              rewritten as the state files change;
 *                                              runs until stopped
 *   hgwctl config [--file FILE] PATH           print a value of the configuration
 *                                              (default /etc/hgw/hgw.json): a string
 *                                              raw, an array one element per line,
 *                                              anything else as JSON; exit 1 when
 *                                              PATH is absent, 2 when the file is
 *                                              unreadable or not JSON.  For the
 *                                              image's shell scripts and units.
 *
 * It changes nothing the daemons own: resolv writes only the file it is
 * given (for the LAN's DNS forwarder). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "resolv.h"
#include "state.h"
#include "state_schemas.h"
#include "watch.h"

static const char *state_dir;

static int usage(FILE *to)
{
	fprintf(to, "Usage: hgwctl [--state-dir DIR] status | show NAME | watch | schema |\n"
		    "              wait NAME PATH VALUE [TIMEOUT_S] |\n"
		    "              resolv FILE | config [--file FILE] PATH\n"
		    "State dir: --state-dir, else $HGW_STATE_DIR, else %s\n",
		HGW_STATE_DIR_DEFAULT);
	return to == stdout ? 0 : 64;
}

static int is_state_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && l > 5 && strcmp(n + l - 5, ".json") == 0;
}

/* Follows "a.b.0.c" into doc. */
static json_t *lookup(json_t *doc, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *v = doc;
	for (char *save, *tok = strtok_r(buf, ".", &save); tok && v;
	     tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(v)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);
			v = *end ? NULL : json_array_get(v, i);
		} else {
			v = json_object_get(v, tok);
		}
	}
	return v;
}

static void print_value(json_t *v)
{
	if (json_is_string(v)) {
		puts(json_string_value(v));
		return;
	}
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	puts(s ? s : "");
	free(s);
}

/* Reads the file itself rather than through a daemon's schema: the scripts
 * that call this want a value, and each daemon's --check-config judges its
 * own section. */
static int cmd_config(const char *file, const char *path)
{
	json_error_t err;
	json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &err);
	if (!doc) {
		fprintf(stderr, "hgwctl: %s:%d: %s\n", file, err.line, err.text);
		return 2;
	}
	json_t *v = lookup(doc, path);
	if (!v) {
		fprintf(stderr, "hgwctl: %s: no %s\n", file, path);
		json_decref(doc);
		return 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
			print_value(e);
	} else {
		print_value(v);
	}
	json_decref(doc);
	return 0;
}

static int cmd_status(void)
{
	DIR *d = opendir(state_dir);
	if (!d) {
		fprintf(stderr, "hgwctl: %s: %s\n", state_dir, strerror(errno));
		return 1;
	}
	struct dirent **list;
	int n = scandir(state_dir, &list, NULL, alphasort);
	closedir(d);
	int shown = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		if (is_state_name(name)) {
			struct hgw_state_in in = { .name = name };
			hgw_state_read(state_dir, &in);
			char path[512];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", state_dir, name);
			long age = stat(path, &st) == 0 ? (long)(time(NULL) - st.st_mtime) : -1;
			if (!in.doc) {
				printf("%-20s (unreadable, see above)\n", name);
			} else {
				const char *state = hgw_json_str(in.doc, "state");
				printf("%-20s %-12s %-14s updated %lds ago\n", name,
				       hgw_json_str(in.doc, "writer"), *state ? state : "-", age);
			}
			hgw_state_in_free(&in);
			shown++;
		}
		free(list[i]);
	}
	free(list);
	if (!shown)
		printf("no state files in %s (no daemon running?)\n", state_dir);
	return 0;
}

static int cmd_show(const char *name)
{
	struct hgw_state_in in = { .name = name };
	hgw_state_read(state_dir, &in);
	if (!in.doc) {
		fprintf(stderr, "hgwctl: %s/%s: absent or invalid\n", state_dir, name);
		return 1;
	}
	fputs(in.text, stdout);
	hgw_state_in_free(&in);
	return 0;
}

#define MAX_FILES 64
static struct hgw_state_in files[MAX_FILES];

/* Takes a free slot of in[] for a state file seen in the directory, unless
 * one already follows it (or all are taken).  Returns the new slot or NULL. */
static struct hgw_state_in *track(struct hgw_state_in *in, const char *name)
{
	struct hgw_state_in *free_slot = NULL;
	for (int i = 0; i < MAX_FILES; i++) {
		if (in[i].name && strcmp(in[i].name, name) == 0)
			return NULL;
		if (!in[i].name && !free_slot)
			free_slot = &in[i];
	}
	if (free_slot)
		free_slot->name = strdup(name);
	return free_slot;
}

static void watch_cb(struct hgw_watch *w, void *arg)
{
	(void)w;
	(void)arg;
	DIR *d = opendir(state_dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (is_state_name(de->d_name))
			track(files, de->d_name);
	}
	if (d)
		closedir(d);
	for (int i = 0; i < MAX_FILES; i++) {
		if (files[i].name && hgw_state_read(state_dir, &files[i]) == 1) {
			char *s = files[i].doc ? json_dumps(files[i].doc, JSON_COMPACT | JSON_SORT_KEYS)
					       : NULL;
			printf("%ld %s %s\n", (long)time(NULL), files[i].name, s ? s : "(withdrawn)");
			free(s);
		}
	}
	fflush(stdout);
}

static struct {
	char dir[512];
	const char *name;
	struct hgw_state_in in[MAX_FILES];
	char *last;
} rs;

static void resolv_cb(struct hgw_watch *w, void *arg)
{
	(void)w;
	(void)arg;
	struct dirent **list;
	int n = scandir(state_dir, &list, NULL, alphasort);
	/* Files that went away drop out: their slot's read finds them absent. */
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		const struct hgw_field *schema = hgw_resolv_schema(name);
		struct hgw_state_in *in = schema ? track(rs.in, name) : NULL;
		if (in)
			in->schema = schema;
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	const char *names[MAX_FILES];
	json_t *docs[MAX_FILES];
	size_t m = 0;
	for (int k = 0; k < MAX_FILES; k++) {
		if (!rs.in[k].name)
			continue;
		hgw_state_read(state_dir, &rs.in[k]);
		names[m] = rs.in[k].name;
		docs[m++] = rs.in[k].doc;
	}
	char *text = hgw_resolv_text(names, docs, m);
	if (text && hgw_file_publish(rs.dir, rs.name, text, strlen(text)) == 1 &&
	    (!rs.last || strcmp(rs.last, text) != 0)) {
		/* One line in the journal per change of servers. */
		char line[512] = "";
		for (char *l = text; (l = strstr(l, "nameserver ")); l++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s",
				 strtok(strndupa(l + 11, 64), "\n"));
		fprintf(stderr, "hgwctl resolv: %s/%s:%s\n", rs.dir, rs.name,
			*line ? line : " no servers (no WAN link up)");
		free(rs.last);
		rs.last = text;
		text = NULL;
	}
	free(text);
}

static int cmd_resolv(const char *file)
{
	const char *slash = strrchr(file, '/');
	snprintf(rs.dir, sizeof(rs.dir), "%.*s", slash ? (int)(slash - file) : 1,
		 slash ? file : ".");
	if (!*rs.dir)
		strcpy(rs.dir, "/");
	rs.name = slash ? slash + 1 : file;
	if (!*rs.name) {
		fprintf(stderr, "hgwctl: resolv: %s names a directory, not a file\n", file);
		return 64;
	}
	struct hgw_watch *w = hgw_watch_new(EV_DEFAULT, state_dir, NULL, 0.05, resolv_cb, NULL);
	if (!w)
		return 1;
	ev_run(EV_DEFAULT, 0);
	return 0;
}

struct waiter {
	struct hgw_state_in in;
	const char *path, *value;
	int done;
};

static int matches(json_t *v, const char *want)
{
	if (!v)
		return 0;
	if (json_is_string(v))
		return strcmp(json_string_value(v), want) == 0;
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	int ok = s && strcmp(s, want) == 0;
	free(s);
	return ok;
}

static void wait_cb(struct hgw_watch *w, void *arg)
{
	(void)w;
	struct waiter *wt = arg;
	hgw_state_read(state_dir, &wt->in);
	if (wt->in.doc && matches(lookup(wt->in.doc, wt->path), wt->value)) {
		wt->done = 1;
		ev_break(EV_DEFAULT, EVBREAK_ALL);
	}
}

static void timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

int main(int argc, char **argv)
{
	hgw_log_init("hgwctl", HGW_LOG_WARN, false);
	state_dir = getenv("HGW_STATE_DIR");
	if (!state_dir || !*state_dir)
		state_dir = HGW_STATE_DIR_DEFAULT;
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "--state-dir") == 0) {
		state_dir = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return usage(stderr);
	const char *cmd = argv[i++];
	int left = argc - i;
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0)
		return usage(stdout);
	if (strcmp(cmd, "status") == 0 && left == 0)
		return cmd_status();
	if (strcmp(cmd, "schema") == 0 && left == 0) {
		for (const struct hgw_state_schema *s = hgw_state_schemas; s->file; s++) {
			printf("## `%s`\n\nWritten by %s: %s.\n\n", s->file, s->writer, s->summary);
			hgw_schema_markdown(stdout, s->fields);
			printf("\n");
		}
		return 0;
	}
	if (strcmp(cmd, "resolv") == 0 && left == 1)
		return cmd_resolv(argv[i]);
	if (strcmp(cmd, "config") == 0 && (left == 1 || left == 3)) {
		if (left == 3 && strcmp(argv[i], "--file") != 0)
			return usage(stderr);
		return cmd_config(left == 3 ? argv[i + 1] : HGW_CONFIG_DEFAULT, argv[argc - 1]);
	}
	if (strcmp(cmd, "show") == 0 && left == 1)
		return cmd_show(argv[i]);
	if (strcmp(cmd, "watch") == 0 && left == 0) {
		struct hgw_watch *w = hgw_watch_new(EV_DEFAULT, state_dir, NULL, 0.05, watch_cb, NULL);
		if (!w)
			return 1;
		ev_run(EV_DEFAULT, 0);
		return 0;
	}
	if (strcmp(cmd, "wait") == 0 && (left == 3 || left == 4)) {
		static struct waiter wt;
		wt.in.name = argv[i];
		wt.path = argv[i + 1];
		wt.value = argv[i + 2];
		double timeout = left == 4 ? atof(argv[i + 3]) : 30;
		const char *const names[] = { argv[i], NULL };
		struct hgw_watch *w = hgw_watch_new(EV_DEFAULT, state_dir, names, 0.01, wait_cb, &wt);
		if (!w)
			return 1;
		ev_timer t;
		ev_timer_init(&t, timeout_cb, timeout, 0);
		ev_timer_start(EV_DEFAULT, &t);
		ev_run(EV_DEFAULT, 0);
		if (!wt.done) {
			char *s = wt.in.doc ? json_dumps(lookup(wt.in.doc, wt.path),
							 JSON_ENCODE_ANY | JSON_COMPACT)
					    : NULL;
			fprintf(stderr, "hgwctl: timed out after %gs waiting for %s %s = %s (now: %s)\n",
				timeout, wt.in.name, wt.path, wt.value,
				s ? s : (wt.in.doc ? "missing" : "file absent"));
			free(s);
		}
		return wt.done ? 0 : 1;
	}
	return usage(stderr);
}
