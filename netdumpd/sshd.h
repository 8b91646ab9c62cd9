/* The SSH server: trusted listeners only, public-key (and optionally
 * password-hash) authentication, one session channel per connection that
 * streams pcapng; everything else (pty, x11, agent, port forwarding, other
 * channel types, subsystems) is refused.
 *
 * libssh runs non-blocking inside the daemon's libev loop: each connection
 * has an ev_io on its socket that drives libssh (key exchange, then
 * ssh_event_dopoll), so a slow or stuck client never blocks capture or the
 * other clients.  A "shell" request (what `ssh router` sends when no command
 * is given) starts the default stream; no shell exists. */
#ifndef NETDUMPD_SSHD_H
#define NETDUMPD_SSHD_H

#include <ev.h>
#include <jansson.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <stdbool.h>
#include <stdint.h>

#include "authkeys.h"
#include "ifreg.h"
#include "ring.h"
#include "stream.h"

#define SSHD_MAX_LISTEN 16

struct sshd_listener {
	int fd;
	ev_io io;
	char what[64];     /* "192.0.2.1:2222" or "lan0:2222" */
	char ifname[16];   /* for interface listeners */
	char addr[48];     /* for address listeners */
	struct sshd *d;
};

struct sshd_client;

struct sshd {
	struct ev_loop *loop;
	struct ring *ring;
	struct ifreg *reg;
	/* configuration */
	int port;
	json_t *addresses;  /* array of IP strings */
	json_t *interfaces; /* array of interface names */
	int max_clients;
	int login_grace_s;
	char hostkey_path[4096];
	struct authkeys keys;
	char *password_hash; /* crypt(3) hash, NULL = passwords refused */
	/* Link types present, for checking a client's filter at once. */
	int (*dlts)(void *arg, int *out, int max);
	void *dlts_arg;
	/* runtime */
	ssh_bind bind;
	struct sshd_listener l[SSHD_MAX_LISTEN];
	int nl;
	ev_timer retry;
	struct sshd_client *clients;
	int nclients;
	uint64_t accepted, refused, auth_failures;
};

/* Loads or creates the host key, opens the listeners.  Returns 0 or -1. */
int sshd_start(struct sshd *d);
void sshd_stop(struct sshd *d);
/* New packets are in the ring: feed the streaming clients. */
void sshd_kick(struct sshd *d);
/* Adds the clients to a JSON array (status file). */
void sshd_clients_json(struct sshd *d, json_t *arr);

/* Host key: loads path, or generates an Ed25519 key and saves it there
 * (mode 0600) if it does not exist.  Returns 0 or -1. */
int sshd_hostkey(const char *path);

#endif
