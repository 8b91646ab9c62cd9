#include "schema.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hgw_errors_add(struct hgw_errors *e, const char *fmt, ...)
{
	if (!e)
		return;
	if (e->count < HGW_SCHEMA_MAX_ERRORS) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg[e->count], sizeof(e->msg[0]), fmt, ap);
		va_end(ap);
	}
	e->count++;
}

int hgw_parse_prefix(const char *s, int family, void *addr, int *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(family, buf, addr) != 1)
		return -1;
	int max = family == AF_INET ? 32 : 128;
	if (!slash) {
		if (plen)
			*plen = max;
		return 0;
	}
	if (!plen)
		return -1;
	const char *d = slash + 1;
	if (*d < '0' || *d > '9' || strlen(d) > 3)
		return -1;
	char *end;
	long l = strtol(d, &end, 10);
	if (*end || l < 0 || l > max)
		return -1;
	*plen = (int)l;
	return 0;
}

int hgw_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3] == ' ' || s[i * 3 + 1] == ' ' || (i < 5 && s[i * 3 + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

/* Address-like string types: returns NULL if s is valid, else what was
 * expected. */
static const char *check_addr(enum hgw_type t, const char *s)
{
	union {
		struct in_addr a4;
		struct in6_addr a6;
		uint8_t mac[6];
	} u;
	int plen;
	switch (t) {
	case HGW_T_IP4:
		return hgw_parse_prefix(s, AF_INET, &u, NULL) || strchr(s, '/') ? "an IPv4 address" : NULL;
	case HGW_T_IP6:
		return hgw_parse_prefix(s, AF_INET6, &u, NULL) || strchr(s, '/') ? "an IPv6 address" : NULL;
	case HGW_T_IP:
		return strchr(s, '/') || (hgw_parse_prefix(s, AF_INET, &u, NULL) &&
					  hgw_parse_prefix(s, AF_INET6, &u, NULL))
			       ? "an IPv4 or IPv6 address"
			       : NULL;
	case HGW_T_PREFIX4:
		return !strchr(s, '/') || hgw_parse_prefix(s, AF_INET, &u, &plen)
			       ? "an IPv4 prefix like 192.0.2.0/24"
			       : NULL;
	case HGW_T_PREFIX6:
		return !strchr(s, '/') || hgw_parse_prefix(s, AF_INET6, &u, &plen)
			       ? "an IPv6 prefix like 2001:db8::/56"
			       : NULL;
	case HGW_T_PREFIX:
		return !strchr(s, '/') || (hgw_parse_prefix(s, AF_INET, &u, &plen) &&
					   hgw_parse_prefix(s, AF_INET6, &u, &plen))
			       ? "an IPv4 or IPv6 prefix"
			       : NULL;
	case HGW_T_MAC:
		return hgw_parse_mac(s, u.mac) ? "a MAC address like 02:00:00:00:00:01" : NULL;
	case HGW_T_IFNAME:
		return valid_ifname(s) ? NULL : "an interface name (1-15 characters, no '/', ':' or space)";
	case HGW_T_PATH:
		return s[0] == '/' ? NULL : "an absolute path";
	default:
		return NULL;
	}
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

static int check_value(json_t *v, const struct hgw_field *f, const char *path,
		       struct hgw_errors *e);

static int check_object(json_t *obj, const struct hgw_field *fields, const char *path,
			struct hgw_errors *e)
{
	int n = 0;
	bool open = false;
	char sub[256];
	for (const struct hgw_field *f = fields; f->name; f++)
		if (strcmp(f->name, "*") == 0)
			open = true;
	/* Unknown keys first: a typo usually also shows up as a missing key,
	 * and the typo is the message that helps. */
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const struct hgw_field *f;
		for (f = fields; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (!f->name && !open) {
			hgw_errors_add(e, "%s%s%s: unknown key", path, *path ? "." : "", key);
			n++;
		}
	}
	for (const struct hgw_field *f = fields; f->name; f++) {
		if (strcmp(f->name, "*") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->name);
		v = json_object_get(obj, f->name);
		if (!v) {
			if (f->flags & HGW_REQUIRED) {
				hgw_errors_add(e, "%s: required key missing (%s)", sub,
					       f->doc ? f->doc : "no default");
				n++;
			} else if (f->def) {
				json_t *d = json_loads(f->def, JSON_DECODE_ANY, NULL);
				if (!d) {
					hgw_errors_add(e, "%s: bad built-in default %s", sub, f->def);
					n++;
					continue;
				}
				json_object_set_new(obj, f->name, d);
				/* Defaults of nested objects get their own defaults. */
				if (json_is_object(d) && f->type == HGW_T_OBJECT)
					n += check_object(d, f->ref, sub, e);
			}
			continue;
		}
		n += check_value(v, f, sub, e);
	}
	return n;
}

static int check_value(json_t *v, const struct hgw_field *f, const char *path,
		       struct hgw_errors *e)
{
	if (json_is_null(v) && (f->flags & HGW_NULLABLE))
		return 0;
	switch (f->type) {
	case HGW_T_ANY:
		return 0;
	case HGW_T_BOOL:
		if (json_is_boolean(v))
			return 0;
		hgw_errors_add(e, "%s: expected true or false, got %s", path, json_kind(v));
		return 1;
	case HGW_T_INT: {
		if (!json_is_integer(v)) {
			hgw_errors_add(e, "%s: expected an integer, got %s", path, json_kind(v));
			return 1;
		}
		json_int_t i = json_integer_value(v);
		if ((f->min || f->max) && (i < f->min || i > f->max)) {
			hgw_errors_add(e, "%s: expected an integer from %lld to %lld, got %lld", path,
				       (long long)f->min, (long long)f->max, (long long)i);
			return 1;
		}
		return 0;
	}
	case HGW_T_OBJECT:
		if (!json_is_object(v)) {
			hgw_errors_add(e, "%s: expected an object, got %s", path, json_kind(v));
			return 1;
		}
		return check_object(v, f->ref, path, e);
	case HGW_T_ARRAY:
	case HGW_T_MAP: {
		bool arr = f->type == HGW_T_ARRAY;
		if (arr ? !json_is_array(v) : !json_is_object(v)) {
			hgw_errors_add(e, "%s: expected %s, got %s", path, arr ? "an array" : "an object",
				       json_kind(v));
			return 1;
		}
		size_t count = arr ? json_array_size(v) : json_object_size(v);
		if ((f->min || f->max) && ((int64_t)count < f->min || (int64_t)count > f->max)) {
			hgw_errors_add(e, "%s: expected %lld to %lld entries, got %zu", path,
				       (long long)f->min, (long long)f->max, count);
			return 1;
		}
		int n = 0;
		char sub[256];
		if (arr) {
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item) {
				snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
				n += check_value(item, f->ref, sub, e);
			}
		} else {
			const char *key;
			json_t *item;
			json_object_foreach(v, key, item) {
				snprintf(sub, sizeof(sub), "%s.%s", path, key);
				n += check_value(item, f->ref, sub, e);
			}
		}
		return n;
	}
	default:
		break;
	}
	/* Everything else is a string. */
	if (!json_is_string(v)) {
		hgw_errors_add(e, "%s: expected a string, got %s", path, json_kind(v));
		return 1;
	}
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (strlen(s) != len) {
		hgw_errors_add(e, "%s: string contains a NUL character", path);
		return 1;
	}
	if (f->type == HGW_T_ENUM) {
		const char *const *names = f->ref;
		char list[160] = "";
		for (size_t i = 0; names[i]; i++) {
			if (strcmp(names[i], s) == 0)
				return 0;
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s\"%s\"", i ? ", " : "", names[i]);
		}
		hgw_errors_add(e, "%s: expected one of %s, got \"%.40s\"", path, list, s);
		return 1;
	}
	if (f->type == HGW_T_STRING) {
		if ((f->min || f->max) && ((int64_t)len < f->min || (int64_t)len > f->max)) {
			hgw_errors_add(e, "%s: expected a string of %lld to %lld characters, got %zu",
				       path, (long long)f->min, (long long)f->max, len);
			return 1;
		}
		return 0;
	}
	const char *want = check_addr(f->type, s);
	if (want) {
		hgw_errors_add(e, "%s: expected %s, got \"%.60s\"", path, want, s);
		return 1;
	}
	return 0;
}

int hgw_schema_check(json_t *obj, const struct hgw_field *fields, const char *path,
		     struct hgw_errors *e)
{
	if (!json_is_object(obj)) {
		hgw_errors_add(e, "%s: expected an object, got %s", *path ? path : "(top)",
			       obj ? json_kind(obj) : "nothing");
		return 1;
	}
	return check_object(obj, fields, path, e);
}

int64_t hgw_json_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

const char *hgw_json_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

bool hgw_json_bool(const json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}
