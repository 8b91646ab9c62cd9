/* SSH server; see sshd.h. */
#include "sshd.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <libssh/callbacks.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "log.h"
#include "status.h"

/* Output buffer per client: larger than the largest block (a 64 KiB
 * packet with its IDB and options), so whole blocks always fit. */
#define OUT_CAP (128 * 1024)
#define MAX_AUTH_FAILURES 6
#define CLOSE_WAIT_S 5.0

enum cstate { C_KEX, C_SSH, C_CLOSING };

struct sshd_client {
	struct sshd *d;
	struct sshd_client *next;
	ssh_session s;
	ssh_event ev;
	ssh_channel ch;
	int fd;
	ev_io io;
	ev_timer timer;
	enum cstate state;
	bool authed;
	int failures;
	struct ssh_server_callbacks_struct scb;
	struct ssh_channel_callbacks_struct ccb;
	/* what the channel asked for, acted on after libssh returns */
	bool start_pending;
	struct command cmd;
	char errmsg[PCAP_ERRBUF_SIZE + 64];
	bool streaming, finished;
	struct stream st;
	uint8_t *out;
	size_t out_len, out_off;
	char peer[64];
	char user[64];
	char command_text[80];
};

static void client_free(struct sshd_client *c, const char *why);
static void client_update(struct sshd_client *c);

/* ---- host key ---- */

int sshd_hostkey(const char *path)
{
	ssh_key key = NULL;
	if (access(path, F_OK) == 0) {
		if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
			log_err("ssh: host key %s exists but does not load", path);
			return -1;
		}
		ssh_key_free(key);
		return 0;
	}
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
		log_err("ssh: cannot generate a host key");
		return -1;
	}
	/* Write to a temporary name and rename, so a crash never leaves a
	 * half-written key that would then be refused forever. */
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	mode_t old = umask(077);
	int rc = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, tmp);
	umask(old);
	ssh_key_free(key);
	if (rc != SSH_OK || chmod(tmp, 0600) < 0 || rename(tmp, path) < 0) {
		log_err("ssh: cannot save the host key to %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	log_notice("ssh: generated a new Ed25519 host key in %s", path);
	return 0;
}

/* ---- authentication ---- */

static int auth_pubkey(ssh_session s, const char *user, struct ssh_key_struct *key,
		       char sig_state, void *arg)
{
	(void)s;
	struct sshd_client *c = arg;
	bool ok = authkeys_match(&c->d->keys, key);
	if (sig_state == SSH_PUBLICKEY_STATE_NONE && ok) /* "would this key do?" */
		return SSH_AUTH_SUCCESS;
	if (sig_state == SSH_PUBLICKEY_STATE_VALID && ok) {
		c->authed = true;
		snprintf(c->user, sizeof(c->user), "%s", user ? user : "");
		log_notice("ssh: %s: %s authenticated by public key", c->peer, c->user);
		return SSH_AUTH_SUCCESS;
	}
	c->failures++;
	c->d->auth_failures++;
	log_info("ssh: %s: public key refused", c->peer);
	return SSH_AUTH_DENIED;
}

static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static int auth_password(ssh_session s, const char *user, const char *password, void *arg)
{
	(void)s;
	struct sshd_client *c = arg;
	if (c->d->password_hash && password) {
		struct crypt_data cd;
		memset(&cd, 0, sizeof(cd));
		const char *h = crypt_r(password, c->d->password_hash, &cd);
		if (h && h[0] != '*' && same(h, c->d->password_hash)) {
			c->authed = true;
			snprintf(c->user, sizeof(c->user), "%s", user ? user : "");
			log_notice("ssh: %s: %s authenticated by password", c->peer, c->user);
			return SSH_AUTH_SUCCESS;
		}
	}
	c->failures++;
	c->d->auth_failures++;
	log_info("ssh: %s: password refused", c->peer);
	return SSH_AUTH_DENIED;
}

/* ---- channel ---- */

static int ch_data(ssh_session s, ssh_channel ch, void *data, uint32_t len, int is_stderr,
		   void *arg)
{
	(void)s, (void)ch, (void)data, (void)is_stderr, (void)arg;
	return (int)len; /* input is read and ignored: there is nothing to talk to */
}

static int ch_pty(ssh_session s, ssh_channel ch, const char *term, int w, int h, int pw, int ph,
		  void *arg)
{
	(void)s, (void)ch, (void)term, (void)w, (void)h, (void)pw, (void)ph;
	struct sshd_client *c = arg;
	log_info("ssh: %s: pty request refused", c->peer);
	return -1;
}

static int begin(struct sshd_client *c, const char *text)
{
	if (c->start_pending || c->streaming) {
		log_info("ssh: %s: a second shell/exec request refused", c->peer);
		return -1;
	}
	snprintf(c->command_text, sizeof(c->command_text), "%s", text);
	c->errmsg[0] = '\0';
	command_parse(text, strlen(text), &c->cmd, c->errmsg, sizeof(c->errmsg));
	c->start_pending = true;
	return 0;
}

static int ch_shell(ssh_session s, ssh_channel ch, void *arg)
{
	(void)s, (void)ch;
	return begin(arg, "");
}

static int ch_exec(ssh_session s, ssh_channel ch, const char *cmd, void *arg)
{
	(void)s, (void)ch;
	return begin(arg, cmd ? cmd : "");
}

static int ch_subsystem(ssh_session s, ssh_channel ch, const char *sub, void *arg)
{
	(void)s, (void)ch;
	struct sshd_client *c = arg;
	log_info("ssh: %s: subsystem %s refused", c->peer, sub ? sub : "?");
	return -1;
}

static int ch_env(ssh_session s, ssh_channel ch, const char *n, const char *v, void *arg)
{
	(void)s, (void)ch, (void)n, (void)v, (void)arg;
	return -1; /* no environment to set */
}

static int ch_wontblock(ssh_session s, ssh_channel ch, uint32_t bytes, void *arg)
{
	(void)s, (void)ch, (void)bytes, (void)arg;
	return 0; /* client_update() pumps after every libssh call anyway */
}

static ssh_channel open_session(ssh_session s, void *arg)
{
	struct sshd_client *c = arg;
	if (!c->authed || c->ch) {
		log_info("ssh: %s: session channel refused (%s)", c->peer,
			 c->authed ? "one per connection" : "not authenticated");
		return NULL;
	}
	c->ch = ssh_channel_new(s);
	if (!c->ch)
		return NULL;
	memset(&c->ccb, 0, sizeof(c->ccb));
	c->ccb.userdata = c;
	c->ccb.channel_data_function = ch_data;
	c->ccb.channel_pty_request_function = ch_pty;
	c->ccb.channel_shell_request_function = ch_shell;
	c->ccb.channel_exec_request_function = ch_exec;
	c->ccb.channel_subsystem_request_function = ch_subsystem;
	c->ccb.channel_env_request_function = ch_env;
	c->ccb.channel_write_wontblock_function = ch_wontblock;
	ssh_callbacks_init(&c->ccb);
	ssh_set_channel_callbacks(c->ch, &c->ccb);
	return c->ch;
}

/* ---- streaming ---- */

static void finish_channel(struct sshd_client *c, int status, const char *msg)
{
	if (msg && *msg)
		ssh_channel_write_stderr(c->ch, msg, (uint32_t)strlen(msg));
	ssh_channel_request_send_exit_status(c->ch, status);
	ssh_channel_send_eof(c->ch);
	ssh_channel_close(c->ch);
	c->finished = true;
	c->state = C_CLOSING;
	/* The client answers with its own close and hangs up; give it a
	 * moment to read what is buffered. */
	ev_timer_stop(c->d->loop, &c->timer);
	ev_timer_set(&c->timer, CLOSE_WAIT_S, 0.0);
	ev_timer_start(c->d->loop, &c->timer);
}

static void start_stream(struct sshd_client *c)
{
	c->start_pending = false;
	if (c->errmsg[0]) {
		char m[sizeof(c->errmsg) + 64];
		snprintf(m, sizeof(m), "netdumpd: %s\n%s", c->errmsg, command_usage);
		log_info("ssh: %s: bad command: %s", c->peer, c->errmsg);
		finish_channel(c, 2, m);
		return;
	}
	if (c->cmd.help) {
		finish_channel(c, 0, command_usage);
		return;
	}
	int dlts[16];
	int n = c->d->dlts ? c->d->dlts(c->d->dlts_arg, dlts, 16) : 0;
	if (n == 0) { /* nothing captured yet: check against the usual ones */
		dlts[n++] = DLT_EN10MB;
		dlts[n++] = DLT_RAW;
		dlts[n++] = DLT_LINUX_SLL;
	}
	char err[PCAP_ERRBUF_SIZE];
	if (stream_init(&c->st, c->cmd.mode, c->cmd.filter[0] ? c->cmd.filter : NULL, c->d->ring,
			dlts, n, err) < 0) {
		char m[PCAP_ERRBUF_SIZE + 64];
		snprintf(m, sizeof(m), "netdumpd: bad filter: %s\n", err);
		log_info("ssh: %s: bad filter: %s", c->peer, err);
		finish_channel(c, 2, m);
		return;
	}
	c->out = malloc(OUT_CAP);
	if (!c->out) {
		finish_channel(c, 1, "netdumpd: out of memory\n");
		return;
	}
	c->streaming = true;
	ev_timer_stop(c->d->loop, &c->timer); /* logged in: no more grace timer */
	log_notice("ssh: %s: streaming (%s)", c->peer,
		   c->command_text[0] ? c->command_text : "backlog, then live");
}

/* Moves stream bytes into the channel as far as the client's window goes. */
static void pump(struct sshd_client *c)
{
	if (!c->streaming || c->finished)
		return;
	for (;;) {
		if (c->out_off == c->out_len) {
			bool done;
			c->out_off = 0;
			c->out_len = stream_fill(&c->st, c->d->ring, c->d->reg, c->out, OUT_CAP, &done);
			if (c->out_len == 0) {
				if (done)
					finish_channel(c, 0, NULL);
				return;
			}
		}
		uint32_t win = ssh_channel_window_size(c->ch);
		size_t n = c->out_len - c->out_off;
		if (n > win)
			n = win;
		if (n == 0)
			return; /* the client is not reading: wait for a window adjust */
		int w = ssh_channel_write(c->ch, c->out + c->out_off, (uint32_t)n);
		if (w < 0) {
			client_free(c, "write failed");
			return;
		}
		c->out_off += (size_t)w;
		if ((size_t)w < n)
			return;
	}
}

/* ---- connection life ---- */

static void client_free(struct sshd_client *c, const char *why)
{
	struct sshd *d = c->d;
	log_notice("ssh: %s: closed (%s); %llu packets sent, %llu lost", c->peer, why,
		   (unsigned long long)c->st.sent, (unsigned long long)c->st.lost);
	ev_io_stop(d->loop, &c->io);
	ev_timer_stop(d->loop, &c->timer);
	for (struct sshd_client **p = &d->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	d->nclients--;
	if (c->ev) {
		ssh_event_remove_session(c->ev, c->s);
		ssh_event_free(c->ev);
	}
	if (c->ch)
		ssh_channel_free(c->ch);
	ssh_disconnect(c->s);
	ssh_free(c->s);
	stream_free(&c->st);
	free(c->out);
	free(c);
}

/* After every libssh call: act on requests, pump, decide what to wait for.
 * Returns false if the client was freed. */
static bool client_step(struct sshd_client *c)
{
	if (c->failures >= MAX_AUTH_FAILURES) {
		client_free(c, "too many authentication failures");
		return false;
	}
	int st = ssh_get_status(c->s);
	if (st & (SSH_CLOSED | SSH_CLOSED_ERROR)) {
		client_free(c, (st & SSH_CLOSED_ERROR) ? ssh_get_error(c->s) : "client left");
		return false;
	}
	/* A finished stream waits (timer) for the client to hang up, so that
	 * what libssh still buffers reaches it. */
	if (!c->finished && c->ch && ssh_channel_is_closed(c->ch)) {
		client_free(c, "channel closed by the client");
		return false;
	}
	if (c->start_pending)
		start_stream(c);
	pump(c);
	/* pump may have freed c on a write error: it is still in the list
	 * only if alive. */
	for (struct sshd_client *x = c->d->clients; x; x = x->next)
		if (x == c) {
			client_update(c);
			return true;
		}
	return false;
}

static void client_update(struct sshd_client *c)
{
	int want = EV_READ;
	if (ssh_get_poll_flags(c->s) & SSH_WRITE_PENDING)
		want |= EV_WRITE;
	if ((c->io.events & (EV_READ | EV_WRITE)) != want) {
		ev_io_stop(c->d->loop, &c->io);
		ev_io_set(&c->io, c->fd, want);
		ev_io_start(c->d->loop, &c->io);
	}
}

static void on_client_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sshd_client *c = w->data;
	if (c->state == C_KEX) {
		int rc = ssh_handle_key_exchange(c->s);
		if (rc == SSH_ERROR) {
			client_free(c, ssh_get_error(c->s));
			return;
		}
		if (rc == SSH_OK) {
			c->state = C_SSH;
			c->ev = ssh_event_new();
			if (!c->ev || ssh_event_add_session(c->ev, c->s) != SSH_OK) {
				client_free(c, "out of memory");
				return;
			}
		}
	}
	if (c->state != C_KEX && ssh_event_dopoll(c->ev, 0) == SSH_ERROR) {
		client_free(c, ssh_get_error(c->s));
		return;
	}
	client_step(c);
}

static void on_client_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sshd_client *c = w->data;
	if (c->finished)
		client_free(c, "done");
	else if (!c->streaming)
		client_free(c, "login grace time over");
}

static void peer_name(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
	}
	snprintf(buf, size, "%s%s%s:%d", strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "", port);
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sshd_listener *l = w->data;
	struct sshd *d = l->d;
	int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	char peer[64];
	peer_name(fd, peer, sizeof(peer));
	if (d->nclients >= d->max_clients) {
		log_warn("ssh: %s: refused, %d clients already", peer, d->nclients);
		d->refused++;
		close(fd);
		return;
	}
	struct sshd_client *c = calloc(1, sizeof(*c));
	ssh_session s = c ? ssh_new() : NULL;
	if (!s) {
		free(c);
		close(fd);
		return;
	}
	c->d = d;
	c->s = s;
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	if (ssh_bind_accept_fd(d->bind, s, fd) != SSH_OK) {
		log_err("ssh: %s: %s", peer, ssh_get_error(d->bind));
		ssh_free(s);
		free(c);
		close(fd);
		return;
	}
	ssh_set_blocking(s, 0);
	c->scb.userdata = c;
	c->scb.auth_pubkey_function = auth_pubkey;
	if (d->password_hash)
		c->scb.auth_password_function = auth_password;
	c->scb.channel_open_request_session_function = open_session;
	ssh_callbacks_init(&c->scb);
	ssh_set_server_callbacks(s, &c->scb);
	ssh_set_auth_methods(s, SSH_AUTH_METHOD_PUBLICKEY |
					(d->password_hash ? SSH_AUTH_METHOD_PASSWORD : 0));
	c->next = d->clients;
	d->clients = c;
	d->nclients++;
	d->accepted++;
	log_info("ssh: %s: connected on %s", peer, l->what);
	ev_io_init(&c->io, on_client_io, fd, EV_READ);
	c->io.data = c;
	ev_io_start(d->loop, &c->io);
	ev_timer_init(&c->timer, on_client_timer, d->login_grace_s, 0.0);
	c->timer.data = c;
	ev_timer_start(d->loop, &c->timer);
	c->state = C_KEX;
	int rc = ssh_handle_key_exchange(s); /* sends our banner */
	if (rc == SSH_ERROR) {
		client_free(c, ssh_get_error(s));
		return;
	}
	client_update(c);
}

/* ---- listeners ---- */

static int open_listener(struct sshd *d, struct sshd_listener *l)
{
	bool v6 = !l->addr[0] || strchr(l->addr, ':');
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	int one = 1, zero = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* An address may be added after we start (the LAN comes up later). */
	if (v6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		/* An interface listener takes both families; an address one
		 * only its own. */
		int only = l->ifname[0] ? zero : one;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	}
	if (l->ifname[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, l->ifname, (socklen_t)strlen(l->ifname)) < 0)
		goto fail;
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)d->port);
		if (l->addr[0] && inet_pton(AF_INET6, l->addr, &a->sin6_addr) != 1)
			goto fail;
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)d->port);
		if (inet_pton(AF_INET, l->addr, &a->sin_addr) != 1)
			goto fail;
		sl = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0)
		goto fail;
	l->fd = fd;
	l->d = d;
	ev_io_init(&l->io, on_accept, fd, EV_READ);
	l->io.data = l;
	ev_io_start(d->loop, &l->io);
	log_notice("ssh: listening on %s", l->what);
	return 0;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Opens the listeners not open yet (an interface may appear later). */
static void open_listeners(struct sshd *d)
{
	bool missing = false;
	for (int i = 0; i < d->nl; i++) {
		struct sshd_listener *l = &d->l[i];
		if (l->fd >= 0)
			continue;
		if (open_listener(d, l) < 0) {
			if (l->ifname[0] && errno == ENODEV) {
				missing = true; /* not there yet: try again */
				continue;
			}
			log_err("ssh: cannot listen on %s: %s", l->what, strerror(errno));
			l->fd = -2; /* given up */
		}
	}
	if (!missing)
		ev_timer_stop(d->loop, &d->retry);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	open_listeners(w->data);
}

int sshd_start(struct sshd *d)
{
	ssh_init();
	if (sshd_hostkey(d->hostkey_path) < 0)
		return -1;
	d->bind = ssh_bind_new();
	if (!d->bind)
		return -1;
	bool no = false;
	ssh_bind_options_set(d->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
	if (ssh_bind_options_set(d->bind, SSH_BIND_OPTIONS_HOSTKEY, d->hostkey_path) < 0) {
		log_err("ssh: host key: %s", ssh_get_error(d->bind));
		return -1;
	}
	d->nl = 0;
	size_t i;
	json_t *v;
	json_array_foreach(d->addresses, i, v) {
		if (d->nl == SSHD_MAX_LISTEN)
			break;
		struct sshd_listener *l = &d->l[d->nl++];
		memset(l, 0, sizeof(*l));
		l->fd = -1;
		const char *a = json_string_value(v);
		snprintf(l->addr, sizeof(l->addr), "%s", a);
		snprintf(l->what, sizeof(l->what), "%s%s%s:%d", strchr(a, ':') ? "[" : "", a,
			 strchr(a, ':') ? "]" : "", d->port);
	}
	json_array_foreach(d->interfaces, i, v) {
		if (d->nl == SSHD_MAX_LISTEN)
			break;
		struct sshd_listener *l = &d->l[d->nl++];
		memset(l, 0, sizeof(*l));
		l->fd = -1;
		const char *a = json_string_value(v);
		snprintf(l->ifname, sizeof(l->ifname), "%s", a);
		snprintf(l->what, sizeof(l->what), "%s:%d", a, d->port);
	}
	ev_timer_init(&d->retry, on_retry, 1.0, 1.0);
	d->retry.data = d;
	ev_timer_start(d->loop, &d->retry);
	open_listeners(d);
	return 0;
}

void sshd_stop(struct sshd *d)
{
	while (d->clients)
		client_free(d->clients, "stopping");
	for (int i = 0; i < d->nl; i++)
		if (d->l[i].fd >= 0) {
			ev_io_stop(d->loop, &d->l[i].io);
			close(d->l[i].fd);
			d->l[i].fd = -1;
		}
	ev_timer_stop(d->loop, &d->retry);
	if (d->bind)
		ssh_bind_free(d->bind);
	d->bind = NULL;
	authkeys_free(&d->keys);
	free(d->password_hash);
	d->password_hash = NULL;
	ssh_finalize();
}

void sshd_kick(struct sshd *d)
{
	struct sshd_client *c = d->clients;
	while (c) {
		struct sshd_client *next = c->next;
		if (c->streaming && !c->finished) {
			pump(c);
			/* pump may free c; only touch it if still listed */
			for (struct sshd_client *x = d->clients; x; x = x->next)
				if (x == c) {
					client_update(c);
					break;
				}
		}
		c = next;
	}
}

void sshd_clients_json(struct sshd *d, json_t *arr)
{
	for (struct sshd_client *c = d->clients; c; c = c->next)
		json_array_append_new(arr, status_client(c->peer, c->user,
							 c->streaming ? &c->st : NULL));
}
