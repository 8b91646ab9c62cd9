/* authorized_keys: the public keys allowed to connect, in OpenSSH's format
 * ("ssh-ed25519 AAAA... comment", one per line, # comments).  Lines with
 * options (from=, command=, restrict...) are refused rather than accepted
 * without the restriction they ask for.  Parsing is I/O-free; the caller
 * reads the file. */
#ifndef NETDUMPD_AUTHKEYS_H
#define NETDUMPD_AUTHKEYS_H

#include <libssh/libssh.h>
#include <stdbool.h>
#include <stddef.h>

#define AUTHKEYS_MAX 64

struct authkeys {
	ssh_key keys[AUTHKEYS_MAX];
	int n;
	int bad; /* lines refused */
};

/* Parses text; every refused line is reported through warn (line number
 * and reason) if given.  Returns the number of keys. */
int authkeys_parse(struct authkeys *a, const char *text, size_t len,
		   void (*warn)(int line, const char *why, void *arg), void *arg);
bool authkeys_match(const struct authkeys *a, const ssh_key key);
void authkeys_free(struct authkeys *a);

#endif
