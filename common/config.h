/* The installation's configuration: one JSON file (/etc/hgw/hgw.json by
 * default), one top-level section per daemon.  Each daemon checks the file's
 * top-level keys (so a misspelt section is caught by whichever daemon starts
 * first) and its own section strictly against its schema. */
#ifndef HGW_CONFIG_H
#define HGW_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "schema.h"

#define HGW_CONFIG_DEFAULT "/etc/hgw/hgw.json"
#define HGW_EX_CONFIG 78 /* sysexits.h EX_CONFIG */
/* Larger than any sane configuration; refuses /dev/zero and friends. */
#define HGW_CONFIG_MAX_BYTES (1024 * 1024)

/* Every section name the suite knows. */
extern const char *const hgw_config_sections[];

/* Loads file, checks the top level and the section against schema (defaults
 * filled in).  Returns the section (a new reference) or NULL with the reasons
 * in e.  A missing section is checked as {} (all defaults). */
json_t *hgw_config_load(const char *file, const char *section, const struct hgw_field *schema,
			struct hgw_errors *e);
/* The same from a string (tests, fuzzing). */
json_t *hgw_config_load_str(const char *text, size_t len, const char *section,
			    const struct hgw_field *schema, struct hgw_errors *e);

/* Reads a secret (password, PIN) from a file that must be a regular file not
 * readable or writable by "other".  One line; the trailing newline is
 * stripped.  Returns the length, or -1 with the reason in e. */
ssize_t hgw_secret_read(const char *path, char *buf, size_t size, struct hgw_errors *e);

#endif
