/* authorized_keys parsing; see authkeys.h. */
#include "authkeys.h"

#include <string.h>

static void say(void (*warn)(int, const char *, void *), void *arg, int line, const char *why)
{
	if (warn)
		warn(line, why, arg);
}

/* One line (NUL-terminated copy, at most 16 KiB: RSA-16384 keys fit). */
static void parse_line(struct authkeys *a, char *s, int lineno,
		       void (*warn)(int, const char *, void *), void *arg)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return;
	char *save = NULL;
	char *type = strtok_r(s, " \t", &save);
	char *b64 = strtok_r(NULL, " \t", &save);
	enum ssh_keytypes_e kt = ssh_key_type_from_name(type);
	if (kt == SSH_KEYTYPE_UNKNOWN) {
		say(warn, arg, lineno, "unknown key type or key options (options are not supported)");
		a->bad++;
		return;
	}
	if (!b64) {
		say(warn, arg, lineno, "key type without key");
		a->bad++;
		return;
	}
	if (a->n == AUTHKEYS_MAX) {
		say(warn, arg, lineno, "too many keys");
		a->bad++;
		return;
	}
	ssh_key key = NULL;
	if (ssh_pki_import_pubkey_base64(b64, kt, &key) != SSH_OK || !key) {
		say(warn, arg, lineno, "key does not decode");
		a->bad++;
		return;
	}
	if (ssh_key_type(key) != kt) {
		say(warn, arg, lineno, "key type does not match the key");
		ssh_key_free(key);
		a->bad++;
		return;
	}
	a->keys[a->n++] = key;
}

int authkeys_parse(struct authkeys *a, const char *text, size_t len,
		   void (*warn)(int line, const char *why, void *arg), void *arg)
{
	memset(a, 0, sizeof(*a));
	char line[16384];
	size_t i = 0;
	int lineno = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		lineno++;
		size_t n = j - i;
		if (n && text[i + n - 1] == '\r')
			n--;
		if (n >= sizeof(line)) {
			say(warn, arg, lineno, "line too long");
			a->bad++;
		} else if (memchr(text + i, '\0', n)) {
			say(warn, arg, lineno, "NUL byte in line");
			a->bad++;
		} else {
			memcpy(line, text + i, n);
			line[n] = '\0';
			parse_line(a, line, lineno, warn, arg);
		}
		i = j + 1;
	}
	return a->n;
}

bool authkeys_match(const struct authkeys *a, const ssh_key key)
{
	for (int i = 0; i < a->n; i++)
		if (ssh_key_cmp(a->keys[i], key, SSH_KEY_CMP_PUBLIC) == 0)
			return true;
	return false;
}

void authkeys_free(struct authkeys *a)
{
	for (int i = 0; i < a->n; i++)
		ssh_key_free(a->keys[i]);
	a->n = 0;
}
