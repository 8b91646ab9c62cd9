#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

json_t *hgw_state_new(const char *writer, int version)
{
	return json_pack("{s:i, s:s}", "version", version, "writer", writer);
}

static char *serialise(const json_t *doc)
{
	/* Sorted keys and fixed indentation: the same document always gives the
	 * same bytes, which is what makes "unchanged" detectable. */
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	if (!t) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = 0;
	return t;
}

/* Reads a whole small file; NULL with errno set.  ENOENT is "absent". */
static char *slurp(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	char *buf = malloc(max + 1);
	size_t n = 0;
	while (buf && n <= max) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (buf && n > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	if (buf) {
		buf[n] = 0;
		*len = n;
	}
	return buf;
}

int hgw_file_put(const char *dir, const char *name, const char *text, size_t len,
		 unsigned mode, bool replace)
{
	char path[512], tmp[512];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, name, (int)getpid()) >= (int)sizeof(tmp)) {
		log_err("state %s/%s: path too long", dir, name);
		return -1;
	}
	/* The temporary name is this process's own: two writers of one file
	 * (dhcp6c and dhcp4c making the DUID) never write into each other's. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		log_err("state %s: cannot create %s: %s", path, tmp, strerror(errno));
		return -1;
	}
	size_t off = 0;
	int err = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = errno ? errno : EIO;
			break;
		}
		off += (size_t)w;
	}
	/* fsync before the file takes its name: after a power cut it is either
	 * the old or the new document, never an empty one.  (On tmpfs it costs
	 * nothing.) */
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && !replace) {
		/* link() fails if the name exists, so the first writer wins; a
		 * file system without hard links falls back to rename. */
		if (link(tmp, path) == 0) {
			unlink(tmp);
			return 1;
		}
		err = errno;
		if (err == EEXIST) {
			unlink(tmp);
			return 0;
		}
		err = 0;
	}
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		log_err("state %s: cannot write: %s", path, strerror(err));
		return -1;
	}
	return 1;
}

int hgw_file_publish(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	size_t oldlen;
	char *old = slurp(path, HGW_STATE_MAX_BYTES, &oldlen);
	if (old && oldlen == len && memcmp(old, text, len) == 0) {
		free(old);
		return 0;
	}
	free(old);
	return hgw_file_put(dir, name, text, len, 0644, true);
}

int hgw_state_publish(const char *dir, const char *name, const json_t *doc)
{
	char *text = serialise(doc);
	if (!text) {
		log_err("state %s/%s: cannot serialise", dir, name);
		return -1;
	}
	int r = hgw_file_publish(dir, name, text, strlen(text));
	free(text);
	return r;
}

int hgw_state_withdraw(const char *dir, const char *name)
{
	char path[512];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	if (unlink(path) < 0 && errno != ENOENT) {
		log_err("state %s: cannot remove: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

json_t *hgw_state_parse(const char *text, size_t len, const struct hgw_field *schema,
			const char *name, struct hgw_errors *e)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		hgw_errors_add(e, "%s: line %d column %d: %s", name, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		hgw_errors_add(e, "%s: expected a JSON object", name);
		json_decref(doc);
		return NULL;
	}
	if (schema && hgw_schema_check(doc, schema, "", e)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static unsigned long long hash_str(const char *s)
{
	unsigned long long h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ? h : 1;
}

int hgw_state_read(const char *dir, struct hgw_state_in *in)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, in->name);
	size_t len;
	char *text = slurp(path, HGW_STATE_MAX_BYTES, &len);
	if (!text) {
		if (errno == ENOENT) {
			in->bad_hash = 0;
			if (!in->doc)
				return 0;
			log_debug("state %s: withdrawn", path);
			json_decref(in->doc);
			free(in->text);
			in->doc = NULL;
			in->text = NULL;
			return 1;
		}
		char what[128];
		snprintf(what, sizeof(what), "%s", errno == EFBIG ? "too large" : strerror(errno));
		unsigned long long h = hash_str(what);
		if (h != in->bad_hash)
			log_warn("state %s: cannot read (%s); keeping the last good state", path, what);
		in->bad_hash = h;
		return 0;
	}
	if (in->text && strcmp(in->text, text) == 0) {
		free(text);
		in->bad_hash = 0;
		return 0;
	}
	struct hgw_errors e = { 0 };
	json_t *doc = hgw_state_parse(text, len, in->schema, in->name, &e);
	if (!doc) {
		/* Log each distinct failure once: a writer that keeps producing the
		 * same bad file must not flood the log. */
		unsigned long long h = hash_str(text);
		if (h != in->bad_hash) {
			log_warn("state %s is invalid (%s%s); keeping the last good state", path,
				 e.msg[0], e.count > 1 ? ", and more" : "");
			in->bad_hash = h;
		}
		free(text);
		return 0;
	}
	in->bad_hash = 0;
	json_decref(in->doc);
	free(in->text);
	in->doc = doc;
	in->text = text;
	return 1;
}

void hgw_state_in_free(struct hgw_state_in *in)
{
	json_decref(in->doc);
	free(in->text);
	in->doc = NULL;
	in->text = NULL;
	in->bad_hash = 0;
}

int hgw_mkdir_safe(const char *dir, unsigned mode)
{
	char buf[512];
	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf) || buf[0] != '/') {
		log_err("directory %s: must be an absolute path", dir);
		return -1;
	}
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;
			*p = 0;
			if (mkdir(buf, c ? 0755 : mode) < 0 && errno != EEXIST) {
				log_err("directory %s: cannot create: %s", buf, strerror(errno));
				return -1;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_err("directory %s: exists but is not a directory", dir);
		return -1;
	}
	/* A world-writable state dir without the sticky bit would let any user
	 * replace another daemon's state file. */
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		log_err("directory %s: writable by every user; refusing to use it", dir);
		return -1;
	}
	return 0;
}
