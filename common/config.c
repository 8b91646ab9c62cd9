#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const hgw_config_sections[] = {
	"lte-modemd", "pppoed", "hybridd", "dhcp6c", "dhcp4c", "netlinkd", "netdumpd", NULL,
};

/* Walks the schema for HGW_SECRET paths and checks each file now, so a bad
 * permission is a config error at start-up, not a failure at first dial. */
static void check_secrets(json_t *obj, const struct hgw_field *fields, const char *path,
			  struct hgw_errors *e)
{
	char sub[256];
	for (const struct hgw_field *f = fields; f->name; f++) {
		json_t *v = json_object_get(obj, f->name);
		if (!v)
			continue;
		snprintf(sub, sizeof(sub), "%s.%s", path, f->name);
		if (f->type == HGW_T_OBJECT && json_is_object(v)) {
			check_secrets(v, f->ref, sub, e);
		} else if (f->type == HGW_T_ARRAY && json_is_array(v)) {
			const struct hgw_field *item = f->ref;
			size_t i;
			json_t *it;
			json_array_foreach(v, i, it) {
				if (item->type == HGW_T_OBJECT && json_is_object(it)) {
					snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, f->name, i);
					check_secrets(it, item->ref, sub, e);
				}
			}
		} else if ((f->flags & HGW_SECRET) && json_is_string(v)) {
			char buf[256];
			struct hgw_errors inner = { 0 };
			if (hgw_secret_read(json_string_value(v), buf, sizeof(buf), &inner) < 0)
				hgw_errors_add(e, "%s: %s", sub, inner.msg[0]);
			memset(buf, 0, sizeof(buf));
		}
	}
}

static json_t *take_section(json_t *root, const char *section, const struct hgw_field *schema,
			    struct hgw_errors *e)
{
	if (!json_is_object(root)) {
		hgw_errors_add(e, "(top): expected an object with one key per daemon");
		json_decref(root);
		return NULL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		size_t i;
		for (i = 0; hgw_config_sections[i]; i++)
			if (strcmp(key, hgw_config_sections[i]) == 0)
				break;
		if (!hgw_config_sections[i])
			hgw_errors_add(e, "%s: unknown section (known: lte-modemd, pppoed, hybridd, "
					  "dhcp6c, dhcp4c, netlinkd, netdumpd)",
				       key);
	}
	json_t *sec = json_object_get(root, section);
	if (!sec)
		sec = json_object();
	else
		json_incref(sec);
	json_decref(root);
	int before = e->count;
	hgw_schema_check(sec, schema, section, e);
	if (e->count == before)
		check_secrets(sec, schema, section, e);
	if (e->count) {
		json_decref(sec);
		return NULL;
	}
	return sec;
}

json_t *hgw_config_load_str(const char *text, size_t len, const char *section,
			    const struct hgw_field *schema, struct hgw_errors *e)
{
	json_error_t je;
	/* Duplicate keys are refused: with two "mtu" keys, which one did the
	 * user mean? */
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		hgw_errors_add(e, "line %d column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	return take_section(root, section, schema, e);
}

json_t *hgw_config_load(const char *file, const char *section, const struct hgw_field *schema,
			struct hgw_errors *e)
{
	FILE *f = fopen(file, "re");
	if (!f) {
		hgw_errors_add(e, "%s: cannot open: %s", file, strerror(errno));
		return NULL;
	}
	char *buf = malloc(HGW_CONFIG_MAX_BYTES + 1);
	size_t n = buf ? fread(buf, 1, HGW_CONFIG_MAX_BYTES + 1, f) : 0;
	int rerr = ferror(f);
	fclose(f);
	if (!buf || rerr) {
		hgw_errors_add(e, "%s: cannot read", file);
		free(buf);
		return NULL;
	}
	if (n > HGW_CONFIG_MAX_BYTES) {
		hgw_errors_add(e, "%s: larger than %d bytes", file, HGW_CONFIG_MAX_BYTES);
		free(buf);
		return NULL;
	}
	int before = e->count;
	json_t *sec = hgw_config_load_str(buf, n, section, schema, e);
	free(buf);
	/* Prefix the file name onto what was found in it. */
	for (int i = before; i < e->count && i < HGW_SCHEMA_MAX_ERRORS; i++) {
		char tmp[sizeof(e->msg[0])];
		snprintf(tmp, sizeof(tmp), "%s", e->msg[i]);
		snprintf(e->msg[i], sizeof(e->msg[i]), "%s: %.200s", file, tmp);
	}
	return sec;
}

ssize_t hgw_secret_read(const char *path, char *buf, size_t size, struct hgw_errors *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		hgw_errors_add(e, "secret file %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	ssize_t n = -1;
	if (fstat(fd, &st) < 0) {
		hgw_errors_add(e, "secret file %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		hgw_errors_add(e, "secret file %s: not a regular file", path);
	} else if (st.st_mode & (S_IROTH | S_IWOTH)) {
		hgw_errors_add(e, "secret file %s: mode %04o lets every user read or change it; "
				  "chmod 600 it",
			       path, (unsigned)(st.st_mode & 07777));
	} else {
		n = read(fd, buf, size);
		if (n < 0) {
			hgw_errors_add(e, "secret file %s: %s", path, strerror(errno));
		} else if ((size_t)n == size) {
			hgw_errors_add(e, "secret file %s: longer than %zu bytes", path, size - 1);
			n = -1;
		} else {
			while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
				n--;
			buf[n] = 0;
			if (memchr(buf, '\n', (size_t)n) || memchr(buf, 0, (size_t)n)) {
				hgw_errors_add(e, "secret file %s: must hold one line", path);
				n = -1;
			}
		}
	}
	close(fd);
	if (n < 0)
		memset(buf, 0, size);
	return n;
}
