/* Lease files; see lease.h. */
#include "lease.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "duid.h"
#include "log.h"
#include "state.h"

#define LEASE_MAX_BYTES 8192

int lease_save(const char *dir, const char *name, const char *writer, const uint8_t *pkt,
	       size_t len, int64_t obtained)
{
	char *hex = malloc(2 * len + 1);
	if (!hex)
		return -1;
	hex_encode(pkt, len, hex);
	json_t *doc = hgw_state_new(writer, 1);
	json_object_set_new(doc, "packet", json_string(hex));
	json_object_set_new(doc, "obtained", json_integer(obtained));
	free(hex);
	int rc = hgw_state_publish(dir, name, doc);
	json_decref(doc);
	return rc < 0 ? -1 : 0;
}

long lease_load(const char *dir, const char *name, uint8_t *pkt, size_t cap, int64_t *obtained)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode) || st.st_size > LEASE_MAX_BYTES) {
		log_warn("%s: not a lease file, ignored", path);
		return -1;
	}
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	if (!doc) {
		log_warn("%s: %s, ignored", path, err.text);
		return -1;
	}
	json_t *p = json_object_get(doc, "packet"), *o = json_object_get(doc, "obtained");
	long n = -1;
	if (json_is_string(p) && json_is_integer(o))
		n = hex_decode(json_string_value(p), pkt, cap);
	if (n <= 0) {
		log_warn("%s: malformed lease, ignored", path);
		n = -1;
	} else {
		*obtained = json_integer_value(o);
	}
	json_decref(doc);
	return n;
}

int lease_remove(const char *dir, const char *name)
{
	return hgw_state_withdraw(dir, name);
}
