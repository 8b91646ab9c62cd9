/* Schemas for JSON documents: the config file's sections and every state
 * file are checked against a table of fields before anyone reads them.
 *
 * A schema is an array of struct hgw_field ended by one with name == NULL.
 * Checking is strict: an unknown key, a wrong type, an out-of-range number,
 * a string that is not the address it should be, a missing required key are
 * all errors, each reported with its JSON path ("netlinkd.lan[1].mtu") and
 * what was expected.  Defaults are written into the document, so code that
 * runs after a successful check reads every optional key without testing
 * for its absence.  A field named "*" admits any other key unchecked. */
#ifndef HGW_SCHEMA_H
#define HGW_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum hgw_type {
	HGW_T_BOOL,
	HGW_T_INT,     /* min..max */
	HGW_T_STRING,  /* length min..max */
	HGW_T_ENUM,    /* one of ref (const char *const[], NULL-terminated) */
	HGW_T_IP4,     /* "192.0.2.1" */
	HGW_T_IP6,     /* "2001:db8::1" */
	HGW_T_IP,      /* either family */
	HGW_T_PREFIX4, /* "192.0.2.0/24"; host bits may be set ("192.0.2.1/24") */
	HGW_T_PREFIX6,
	HGW_T_PREFIX,
	HGW_T_MAC,     /* "02:00:00:00:00:01" */
	HGW_T_IFNAME,  /* a Linux interface name: 1..15 chars, no '/', ':' or space */
	HGW_T_PATH,    /* an absolute path */
	HGW_T_OBJECT,  /* ref: const struct hgw_field[] */
	HGW_T_ARRAY,   /* ref: const struct hgw_field * for the items; min..max items */
	HGW_T_MAP,     /* object with free keys; ref: field for every value */
	HGW_T_ANY,     /* any JSON value, unchecked */
};

/* flags */
#define HGW_REQUIRED 0x1u
/* A HGW_T_PATH naming a file with a secret: it must exist and must not be
 * readable or writable by others (see hgw_secret_read). */
#define HGW_SECRET 0x2u
/* ints and strings may also be null (meaning "not set"). */
#define HGW_NULLABLE 0x4u

struct hgw_field {
	const char *name;
	enum hgw_type type;
	unsigned flags;
	int64_t min, max; /* 0,0 = no bound (for INT/STRING/ARRAY) */
	const void *ref;
	const char *def;  /* default as JSON text; NULL = none */
	const char *doc;  /* one line for --help and docs */
};

#define HGW_SCHEMA_MAX_ERRORS 16

struct hgw_errors {
	int count;
	char msg[HGW_SCHEMA_MAX_ERRORS][256];
};

void hgw_errors_add(struct hgw_errors *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Checks obj (which must be a JSON object) against fields; path is the
 * prefix for messages ("netlinkd").  Fills defaults.  Returns the number of
 * errors added to e (0 = valid).  Never fails on a NULL or hostile value. */
int hgw_schema_check(json_t *obj, const struct hgw_field *fields, const char *path,
		     struct hgw_errors *e);

/* Accessors for checked documents. Missing keys give 0 / "" / false. */
int64_t hgw_json_int(const json_t *obj, const char *key);
const char *hgw_json_str(const json_t *obj, const char *key);
bool hgw_json_bool(const json_t *obj, const char *key);

/* Address parsing shared with the schema check: family-specific, with an
 * optional "/len" suffix. Returns 0 on success. */
int hgw_parse_prefix(const char *s, int family, void *addr, int *plen);
int hgw_parse_mac(const char *s, uint8_t mac[6]);

#endif
