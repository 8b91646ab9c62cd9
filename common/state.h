/* State files: how the daemons talk.
 *
 * A writer publishes one JSON document per file in the state directory,
 * atomically (temporary file in the same directory, fsync, rename), so a
 * reader never sees a torn file.  Publishing a document identical to what is
 * already there does nothing, so readers are not woken for no change.
 *
 * A reader keeps, per input file, the last document that parsed and passed
 * its schema.  A file that is missing means "the writer has nothing to say"
 * (not an error); a file that fails to parse or check is logged once per
 * distinct failure and the last good document is kept. */
#ifndef HGW_STATE_H
#define HGW_STATE_H

#include <jansson.h>
#include <stdbool.h>

#include "schema.h"

#define HGW_STATE_DIR_DEFAULT "/tmp/hgw"
#define HGW_DATA_DIR_DEFAULT "/data/hgw"
#define HGW_STATE_MAX_BYTES (256 * 1024)

/* A new document with the fields every state file has. */
json_t *hgw_state_new(const char *writer, int version);

/* Writes doc to dir/name atomically.  Returns 1 if written, 0 if the file
 * already held exactly this document, -1 on error (logged). */
int hgw_state_publish(const char *dir, const char *name, const json_t *doc);
/* The same for any text (hgwctl resolv's resolv.conf). */
int hgw_file_publish(const char *dir, const char *name, const char *text, size_t len);
/* Writes text to dir/name atomically with the given mode, whatever it held.
 * With replace false, only if dir/name does not exist yet, decided
 * atomically: of two processes creating it at once, one writes it and the
 * other gets 0 and can read the winner's.  Returns 1 if written, 0 if not
 * replacing and the file existed, -1 on error (logged). */
int hgw_file_put(const char *dir, const char *name, const char *text, size_t len,
		 unsigned mode, bool replace);
/* Removes dir/name (the writer has stopped or has nothing to say).
 * Returns 0 if removed or already absent. */
int hgw_state_withdraw(const char *dir, const char *name);

/* Fields every state document carries; include in each schema. */
#define HGW_STATE_COMMON_FIELDS                                                          \
	{ "version", HGW_T_INT, HGW_REQUIRED, 1, 1000, NULL, NULL, "schema version" },  \
	{ "writer", HGW_T_STRING, HGW_REQUIRED, 1, 32, NULL, NULL, "daemon that wrote it" }

struct hgw_state_in {
	/* set by the caller */
	const char *name;               /* file name in the state dir */
	const struct hgw_field *schema; /* NULL = any JSON object */
	/* kept by hgw_state_read */
	json_t *doc;                    /* last good document, NULL = absent */
	char *text;                     /* its serialisation, for change detection */
	unsigned long long bad_hash;    /* last failure logged, to log it once */
};

/* Re-reads one input.  Returns 1 if the document changed (appeared,
 * disappeared or differs), 0 if not (including a bad file, which keeps the
 * last good document). */
int hgw_state_read(const char *dir, struct hgw_state_in *in);
void hgw_state_in_free(struct hgw_state_in *in);

/* Parses and checks a document from memory; NULL with reasons in e. */
json_t *hgw_state_parse(const char *text, size_t len, const struct hgw_field *schema,
			const char *name, struct hgw_errors *e);

/* Creates dir (and parents) with mode if missing; refuses a path that
 * exists but is not a directory or is writable by others without the
 * sticky bit.  Returns 0 or -1 (logged). */
int hgw_mkdir_safe(const char *dir, unsigned mode);

#endif
