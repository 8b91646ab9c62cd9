/* See follow.h. */
#include "follow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "state.h"
#include "state_schemas.h"
#include "watch.h"

static const struct hgw_field state_name = { "", HGW_T_STRING, 0, 1, 32, NULL, NULL, "state value" };
const struct hgw_field follow_fields[] = {
	{ "file", HGW_T_STRING, HGW_REQUIRED, 1, 64, NULL, NULL,
	  "state file to follow, e.g. \"hybrid.json\", \"pppoe.json\", \"lte.json\"" },
	{ "up_states", HGW_T_ARRAY, HGW_REQUIRED, 1, 16, &state_name, NULL,
	  "values of its \"state\" in which the link is usable, e.g. [\"up\"]" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

struct follow {
	struct hgw_state_in in;
	char file[65];
	const char *names[2]; /* hgw_watch keeps the pointer */
	json_t *up;
	const char *dir;
	struct hgw_watch *w;
	void (*cb)(void *);
	void *arg;
	bool ok;
};

static void evaluate(struct follow *f)
{
	hgw_state_read(f->dir, &f->in);
	bool ok = false;
	const char *st = f->in.doc ? hgw_json_str(f->in.doc, "state") : "";
	size_t i;
	json_t *v;
	json_array_foreach(f->up, i, v)
		if (*st && strcmp(st, json_string_value(v)) == 0)
			ok = true;
	if (ok != f->ok)
		log_notice("follow: %s state \"%s\": link %s", f->file, *st ? st : "(absent)",
			   ok ? "usable" : "not usable");
	f->ok = ok;
}

static void on_watch(struct hgw_watch *w, void *arg)
{
	(void)w;
	struct follow *f = arg;
	evaluate(f);
	f->cb(f->arg);
}

bool follow_config_ok(const json_t *cfg, const char *section)
{
	json_t *fo = json_object_get(cfg, "follow");
	if (!json_is_object(fo))
		return true;
	const char *file = hgw_json_str(fo, "file");
	if (strchr(file, '/') || file[0] == '.') {
		log_err("config: %s.follow.file: \"%s\" is not a file name in the state dir", section,
			file);
		return false;
	}
	return true;
}

struct follow *follow_new(struct ev_loop *loop, const char *state_dir, const json_t *cfg,
			  void (*cb)(void *arg), void *arg)
{
	json_t *fo = json_object_get(cfg, "follow");
	if (!json_is_object(fo))
		return NULL;
	struct follow *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	snprintf(f->file, sizeof(f->file), "%s", hgw_json_str(fo, "file"));
	f->up = json_incref(json_object_get(fo, "up_states"));
	f->dir = state_dir;
	f->cb = cb;
	f->arg = arg;
	f->in.name = f->file;
	/* The writer's schema when the file is one of the suite's. */
	for (const struct hgw_state_schema *s = hgw_state_schemas; s->file; s++)
		if (strcmp(s->file, f->file) == 0)
			f->in.schema = s->fields;
	evaluate(f);
	f->names[0] = f->file;
	f->names[1] = NULL;
	f->w = hgw_watch_new(loop, state_dir, f->names, 0.05, on_watch, f);
	return f;
}

bool follow_ok(const struct follow *f)
{
	return !f || f->ok;
}

void follow_free(struct follow *f)
{
	if (!f)
		return;
	if (f->w)
		hgw_watch_free(f->w);
	hgw_state_in_free(&f->in);
	json_decref(f->up);
	free(f);
}
