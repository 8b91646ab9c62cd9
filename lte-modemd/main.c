/* lte-modemd: drives the LTE modem over its AT serial port and publishes
 * lte.json.  This file is the I/O: the serial device (termios raw, libev),
 * re-opening it when it disappears (USB re-enumeration), timers, config and
 * secrets.  The protocol lives in modem.c / at_engine.c / ts27007.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "lte_json.h"
#include "modem.h"
#include "state.h"
#include "state_schemas.h"

static const char *const profiles[] = { "auto", "huawei-ndis", "3gpp", NULL };
static const char *const pdp_types[] = { "IPV6", "IPV4V6", "IP", NULL };
static const char *const auths[] = { "none", "pap", "chap", NULL };

static const struct hgw_field schema[] = {
	{ "device", HGW_T_PATH, 0, 0, 0, NULL, "\"/dev/ttyUSB0\"", "the modem's AT command port (a tty); it may come and go, lte-modemd waits for it" },
	{ "baud", HGW_T_INT, 0, 1200, 4000000, NULL, "115200", "serial speed (USB modems ignore it; one of the standard termios rates)" },
	{ "profile", HGW_T_ENUM, 0, 0, 0, profiles, "\"auto\"", "command set: huawei-ndis (^NDISDUP), 3gpp (+CGACT), or auto by manufacturer (AT+CGMI)" },
	{ "apn", HGW_T_STRING, 0, 1, 63, NULL, "\"hybrid.telekom\"", "access point name (letters, digits, '.', '-')" },
	{ "pdp_type", HGW_T_ENUM, 0, 0, 0, pdp_types, "\"IPV6\"", "PDP type: IPV6 (Telekom hybrid), IPV4V6 or IP" },
	{ "cid", HGW_T_INT, 0, 1, 16, NULL, "1", "PDP context identifier to use" },
	{ "auth", HGW_T_ENUM, 0, 0, 0, auths, "\"none\"", "bearer authentication: none, pap or chap" },
	{ "username", HGW_T_STRING, HGW_NULLABLE, 0, 63, NULL, "null", "bearer user name (with auth pap/chap)" },
	{ "password_file", HGW_T_PATH, HGW_NULLABLE | HGW_SECRET, 0, 0, NULL, "null", "file holding the bearer password (mode 0600)" },
	{ "pin_file", HGW_T_PATH, HGW_NULLABLE | HGW_SECRET, 0, 0, NULL, "null", "file holding the SIM PIN (mode 0600); a PIN the SIM refuses is never sent again" },
	{ "interface", HGW_T_IFNAME, 0, 0, 0, NULL, "\"wwan0\"", "network interface that carries the bearer (published for netlinkd)" },
	{ "command_timeout_ms", HGW_T_INT, 0, 100, 120000, NULL, "5000", "time a modem has to answer an ordinary command" },
	{ "attach_timeout_ms", HGW_T_INT, 0, 500, 600000, NULL, "60000", "time for network operations: attach, radio on/off, PIN, bearer up" },
	{ "poll_interval_ms", HGW_T_INT, 0, 100, 3600000, NULL, "15000", "registration, signal and bearer check interval" },
	{ "search_timeout_ms", HGW_T_INT, 0, 500, 86400000, NULL, "180000", "unregistered this long counts as a failure" },
	{ "retry_min_ms", HGW_T_INT, 0, 10, 3600000, NULL, "2000", "first re-attach delay (doubles per failure, with jitter)" },
	{ "retry_max_ms", HGW_T_INT, 0, 10, 3600000, NULL, "300000", "longest re-attach delay" },
	{ "reopen_min_ms", HGW_T_INT, 0, 10, 3600000, NULL, "1000", "first delay before re-opening a vanished or silent device" },
	{ "reopen_max_ms", HGW_T_INT, 0, 10, 3600000, NULL, "30000", "longest delay before re-opening the device" },
	{ "reset_after", HGW_T_INT, 0, 0, 100, NULL, "5", "failures in a row before the radio is cycled (AT+CFUN=0, AT+CFUN=1); 0 = never" },
	{ "timeouts_before_reopen", HGW_T_INT, 0, 1, 100, NULL, "3", "commands in a row without an answer before the device is closed and re-opened" },
	{ "at_log_lines", HGW_T_INT, 0, 0, LTE_LOG_MAX, NULL, "0", "publish the last N AT dialogue lines in lte.json (0 = off; every line then rewrites lte.json)" },
	HGW_F_END,
};

static const struct {
	int baud;
	speed_t speed;
} speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 }, { 19200, B19200 },
	{ 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
	{ 460800, B460800 }, { 921600, B921600 }, { 1000000, B1000000 }, { 2000000, B2000000 },
	{ 3000000, B3000000 }, { 4000000, B4000000 },
};

struct lted {
	struct hgw_daemon *d;
	struct lte_config cfg;
	struct lte_modem m;
	char device[256];
	char ifname[16];
	speed_t speed;
	int fd;
	ev_io io;
	ev_timer tick;    /* the modem's next deadline */
	ev_timer reopen;  /* waiting for the device */
	struct hgw_backoff reopen_bo;
	unsigned reopens;
	unsigned long at_lines;
	bool lost;        /* a write failed: close after this callback */
	int dump_fd;      /* datagrams to netdumpd's AT socket, -1 = none */
	struct sockaddr_un dump_addr;
	enum lte_state last_state;
	char rejected_pin[16]; /* the last PIN the SIM refused: never sent again */
};

static struct lted g;

/* ---- config --------------------------------------------------------------- */

static int cfg_error(const char *key, const char *msg)
{
	log_err("config: lte-modemd.%s: %s", key, msg);
	return -1;
}

static int read_secret(const json_t *c, const char *key, char *out, size_t size)
{
	out[0] = 0;
	const char *path = hgw_json_str(c, key);
	if (!*path)
		return 0;
	struct hgw_errors e = { 0 };
	char buf[256];
	ssize_t n = hgw_secret_read(path, buf, sizeof(buf), &e);
	if (n < 0)
		return cfg_error(key, e.msg[0]);
	if ((size_t)n >= size) {
		memset(buf, 0, sizeof(buf));
		return cfg_error(key, "secret too long");
	}
	memcpy(out, buf, (size_t)n + 1);
	memset(buf, 0, sizeof(buf));
	return 0;
}

static int enum_index(const char *const *names, const char *v)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return 0;
}

/* Things the schema cannot say: characters that would break the quoted AT
 * arguments, the PIN's shape, a speed termios knows. */
static int load_config(const json_t *c, struct lted *x)
{
	struct lte_config *k = &x->cfg;
	memset(k, 0, sizeof(*k));
	at_copy(x->device, sizeof(x->device), hgw_json_str(c, "device"));
	at_copy(x->ifname, sizeof(x->ifname), hgw_json_str(c, "interface"));
	int baud = (int)hgw_json_int(c, "baud");
	size_t i;
	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].baud == baud)
			break;
	if (i == sizeof(speeds) / sizeof(speeds[0]))
		return cfg_error("baud", "not a standard serial speed (e.g. 115200, 921600)");
	x->speed = speeds[i].speed;
	k->profile = (enum lte_profile)enum_index(profiles, hgw_json_str(c, "profile"));
	k->pdp = (enum lte_pdp)enum_index(pdp_types, hgw_json_str(c, "pdp_type"));
	k->auth = (enum lte_auth)enum_index(auths, hgw_json_str(c, "auth"));
	k->cid = (int)hgw_json_int(c, "cid");
	const char *apn = hgw_json_str(c, "apn");
	if (strspn(apn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
	    strlen(apn))
		return cfg_error("apn", "only letters, digits, '.' and '-' are allowed (3GPP TS 23.003)");
	at_copy(k->apn, sizeof(k->apn), apn);
	const char *user = hgw_json_str(c, "username");
	if (strpbrk(user, "\"\\\r\n"))
		return cfg_error("username", "must not contain quotes, backslashes or line breaks");
	at_copy(k->username, sizeof(k->username), user);
	if (read_secret(c, "password_file", k->password, sizeof(k->password)) < 0)
		return -1;
	if (strpbrk(k->password, "\"\\\r\n"))
		return cfg_error("password_file", "the password must not contain quotes or backslashes");
	if (k->auth != LTE_AUTH_NONE && !k->username[0])
		return cfg_error("username", "required with auth pap or chap");
	if (read_secret(c, "pin_file", k->pin, sizeof(k->pin)) < 0)
		return -1;
	size_t pl = strlen(k->pin);
	if (*hgw_json_str(c, "pin_file") && (pl < 4 || pl > 8 || strspn(k->pin, "0123456789") != pl))
		return cfg_error("pin_file", "a SIM PIN is 4 to 8 digits");
	k->cmd_timeout_ms = (uint32_t)hgw_json_int(c, "command_timeout_ms");
	k->attach_timeout_ms = (uint32_t)hgw_json_int(c, "attach_timeout_ms");
	k->poll_ms = (uint32_t)hgw_json_int(c, "poll_interval_ms");
	k->search_timeout_ms = (uint32_t)hgw_json_int(c, "search_timeout_ms");
	k->retry_min_ms = (uint32_t)hgw_json_int(c, "retry_min_ms");
	k->retry_max_ms = (uint32_t)hgw_json_int(c, "retry_max_ms");
	if (k->retry_max_ms < k->retry_min_ms)
		return cfg_error("retry_max_ms", "smaller than retry_min_ms");
	k->reset_after = (unsigned)hgw_json_int(c, "reset_after");
	k->timeouts_before_reopen = (unsigned)hgw_json_int(c, "timeouts_before_reopen");
	k->log_lines = (unsigned)hgw_json_int(c, "at_log_lines");
	uint32_t rmin = (uint32_t)hgw_json_int(c, "reopen_min_ms");
	uint32_t rmax = (uint32_t)hgw_json_int(c, "reopen_max_ms");
	if (rmax < rmin)
		return cfg_error("reopen_max_ms", "smaller than reopen_min_ms");
	hgw_backoff_init(&x->reopen_bo, rmin, rmax, 200, 20);
	return 0;
}

/* ---- publishing ------------------------------------------------------------ */

static void publish(struct lted *x)
{
	struct lte_json_ctx jc = { x->ifname, x->device, x->reopens };
	json_t *doc = lte_json_build(&x->m, &jc);
	const struct lte_status *s = lte_modem_status(&x->m);
	if (s->state != x->last_state) {
		log_notice("state %s -> %s%s%s", lte_state_name(x->last_state), lte_state_name(s->state),
			   s->last_error[0] && s->state != LTE_CONNECTED ? ": " : "",
			   s->state != LTE_CONNECTED ? s->last_error : "");
		x->last_state = s->state;
	}
	if (s->state == LTE_CONNECTED)
		hgw_backoff_reset(&x->reopen_bo);
	/* Readers drop a document that fails the schema and keep the old one:
	 * say so loudly here rather than leave netlinkd on a stale state. */
	json_t *copy = json_deep_copy(doc);
	struct hgw_errors e = { 0 };
	if (hgw_schema_check(copy, hgw_schema_lte, "lte.json", &e))
		log_err("BUG: lte.json does not match its schema: %s", e.msg[0]);
	json_decref(copy);
	hgw_state_publish(x->d->state_dir, "lte.json", doc);
	json_decref(doc);
}

/* ---- the device ------------------------------------------------------------ */

static void schedule_reopen(struct lted *x)
{
	uint32_t ms = hgw_backoff_next(&x->reopen_bo, &hgw_rng_system);
	ev_timer_stop(x->d->loop, &x->reopen);
	ev_timer_set(&x->reopen, ms / 1000.0, 0);
	ev_timer_start(x->d->loop, &x->reopen);
	log_debug("re-opening %s in %u ms", x->device, ms);
}

static void close_device(struct lted *x, const char *reason)
{
	if (x->fd >= 0) {
		ev_io_stop(x->d->loop, &x->io);
		close(x->fd);
		x->fd = -1;
	}
	ev_timer_stop(x->d->loop, &x->tick);
	lte_modem_closed(&x->m, reason);
	x->lost = false;
}

/* After every call into the modem: re-open if it asked, re-arm the timer,
 * publish. */
static void after_modem(struct lted *x)
{
	if (x->fd >= 0 && (x->lost || lte_modem_want_reopen(&x->m))) {
		const char *why = lte_modem_status(&x->m)->last_error;
		char reason[200];
		at_copy(reason, sizeof(reason), x->lost ? "writing to the device failed" : why);
		log_warn("closing %s: %s", x->device, reason);
		close_device(x, reason);
		schedule_reopen(x);
	}
	if (x->fd >= 0) {
		int64_t dl = lte_modem_next_deadline(&x->m);
		ev_timer_stop(x->d->loop, &x->tick);
		if (dl != INT64_MAX) {
			int64_t wait = dl - hgw_now_ms(&hgw_clock_real);
			ev_timer_set(&x->tick, wait > 0 ? wait / 1000.0 + 0.001 : 0.001, 0);
			ev_timer_start(x->d->loop, &x->tick);
		}
	}
	publish(x);
}

static int dev_write(void *arg, const char *buf, size_t len)
{
	struct lted *x = arg;
	size_t off = 0;
	int spins = 0;
	while (off < len && x->fd >= 0) {
		ssize_t n = write(x->fd, buf + off, len - off);
		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN && ++spins < 100) {
			/* a command is a few dozen bytes: a full output
			 * queue drains within a character time or two */
			usleep(1000);
		} else {
			log_warn("write %s: %s", x->device, n < 0 ? strerror(errno) : "short write");
			x->lost = true;
			return -1;
		}
	}
	return off == len ? 0 : -1;
}

static void dev_log(void *arg, char dir, const char *line)
{
	/* numbered, so the log's repeat filter does not fold the dialogue */
	struct lted *x = arg;
	x->at_lines++;
	log_debug("AT#%lu %c %s", x->at_lines, dir, line);
	/* The dialogue is control traffic: netdumpd captures it on its "at"
	 * pseudo-interface, one line per datagram, "> " sent, "< " received
	 * ('!' lines are lte-modemd's own events).  Secrets were already
	 * replaced by the AT engine.  Fire and forget: no netdumpd, or a full
	 * socket, costs nothing and never delays the modem. */
	if (x->dump_fd >= 0) {
		char dg[AT_LINE_MAX + 4];
		int n = snprintf(dg, sizeof(dg), "%c %s", dir, line);
		if (n > 0 && (size_t)n < sizeof(dg))
			(void)sendto(x->dump_fd, dg, (size_t)n, MSG_DONTWAIT,
				     (const struct sockaddr *)&x->dump_addr, sizeof(x->dump_addr));
	}
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct lted *x = w->data;
	char buf[4096];
	ssize_t n = read(x->fd, buf, sizeof(buf));
	if (n > 0) {
		lte_modem_input(&x->m, buf, (size_t)n);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		/* EIO: the pty's master or the USB device went away */
		char reason[160];
		snprintf(reason, sizeof(reason), "%.120s went away (%s)", x->device,
			 n == 0 ? "end of file" : strerror(errno));
		log_warn("%s", reason);
		close_device(x, reason);
		schedule_reopen(x);
	}
	after_modem(x);
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct lted *x = w->data;
	lte_modem_tick(&x->m);
	after_modem(x);
}

static int open_device(struct lted *x)
{
	int fd = open(x->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	char why[200];
	if (fd < 0) {
		snprintf(why, sizeof(why), "cannot open %.120s: %s", x->device, strerror(errno));
		goto fail;
	}
	/* Another program on the same AT port (ModemManager, a second
	 * lte-modemd) would steal our answers. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(why, sizeof(why), "%.120s is in use by another program (flock: %s)", x->device,
			 strerror(errno));
		goto fail;
	}
	struct termios t;
	if (tcgetattr(fd, &t) < 0) {
		snprintf(why, sizeof(why), "%.120s is not a serial port: %s", x->device, strerror(errno));
		goto fail;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)CRTSCTS;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, x->speed);
	cfsetospeed(&t, x->speed);
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		snprintf(why, sizeof(why), "%.120s: cannot set raw mode: %s", x->device, strerror(errno));
		goto fail;
	}
	tcflush(fd, TCIOFLUSH); /* answers meant for whoever had it before */
	x->fd = fd;
	x->reopens++;
	ev_io_set(&x->io, fd, EV_READ);
	ev_io_start(x->d->loop, &x->io);
	log_info("opened %s", x->device);
	lte_modem_opened(&x->m);
	after_modem(x);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	log_warn("%s", why);
	lte_modem_closed(&x->m, why);
	publish(x);
	schedule_reopen(x);
	return -1;
}

static void on_reopen(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct lted *x = w->data;
	if (x->fd < 0)
		open_device(x);
}

/* ---- daemon ---------------------------------------------------------------- */

static void modem_setup(struct lted *x)
{
	struct lte_modem_ops ops = { dev_write, dev_log, x };
	lte_modem_init(&x->m, &x->cfg, &hgw_clock_real, &hgw_rng_system, &ops);
	/* A PIN the SIM refused stays refused across a reload, unless the
	 * reload brought a different PIN. */
	if (x->rejected_pin[0] && strcmp(x->rejected_pin, x->cfg.pin) == 0)
		x->m.pin_rejected = true;
}

static int start(struct hgw_daemon *d)
{
	struct lted *x = d->ctx;
	x->d = d;
	x->fd = -1;
	x->dump_fd = -1;
	x->last_state = LTE_ABSENT;
	if (load_config(d->config, x) < 0)
		return HGW_EX_CONFIG;
	x->dump_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	x->dump_addr.sun_family = AF_UNIX;
	if (snprintf(x->dump_addr.sun_path, sizeof(x->dump_addr.sun_path), "%s/netdumpd-at.sock",
		     d->state_dir) >= (int)sizeof(x->dump_addr.sun_path) && x->dump_fd >= 0) {
		log_warn("state dir path too long for netdumpd's AT socket; AT dialogue not captured");
		close(x->dump_fd);
		x->dump_fd = -1;
	}
	modem_setup(x);
	ev_io_init(&x->io, on_read, -1, EV_READ);
	x->io.data = x;
	ev_timer_init(&x->tick, on_tick, 1, 0);
	x->tick.data = x;
	ev_timer_init(&x->reopen, on_reopen, 1, 0);
	x->reopen.data = x;
	log_info("modem %s at %d baud, APN \"%s\" %s, profile %s", x->device,
		 (int)hgw_json_int(d->config, "baud"), x->cfg.apn, lte_pdp_name(x->cfg.pdp),
		 lte_profile_name(x->cfg.profile));
	open_device(x);
	return 0;
}

static void stop(struct hgw_daemon *d)
{
	struct lted *x = d->ctx;
	/* The bearer is left up: a restarted lte-modemd finds it and a
	 * quick restart does not cost the LTE session.  lte.json goes, so
	 * nobody acts on a state no one maintains. */
	close_device(x, "lte-modemd stopped");
	if (x->dump_fd >= 0)
		close(x->dump_fd);
	x->dump_fd = -1;
	ev_timer_stop(d->loop, &x->reopen);
	hgw_state_withdraw(d->state_dir, "lte.json");
	memset(&x->cfg, 0, sizeof(x->cfg));
	memset(&x->m.cfg, 0, sizeof(x->m.cfg));
	memset(x->rejected_pin, 0, sizeof(x->rejected_pin));
}

static void reload(struct hgw_daemon *d, json_t *old)
{
	struct lted *x = d->ctx;
	struct lted saved = *x;
	if (x->m.pin_rejected && x->cfg.pin[0])
		memcpy(x->rejected_pin, x->cfg.pin, sizeof(x->rejected_pin));
	if (load_config(d->config, x) < 0) {
		log_err("new configuration refused; keeping the running one");
		x->cfg = saved.cfg;
		at_copy(x->device, sizeof(x->device), saved.device);
		at_copy(x->ifname, sizeof(x->ifname), saved.ifname);
		x->speed = saved.speed;
		x->reopen_bo = saved.reopen_bo;
		json_decref(d->config);
		d->config = old;
		explicit_bzero(&saved, sizeof(saved));
		return;
	}
	json_decref(old);
	explicit_bzero(&saved, sizeof(saved)); /* it held the PIN and password */
	/* Start over with the new settings: close, re-initialise, re-open. */
	close_device(x, "configuration reloaded");
	ev_timer_stop(d->loop, &x->reopen);
	modem_setup(x);
	open_device(x);
}

int main(int argc, char **argv)
{
	struct hgw_daemon d = {
		.name = "lte-modemd",
		.summary = "LTE modem over AT commands: SIM, registration, bearer (APN, IPv6 for "
			   "Telekom hybrid), dynamic PDP parameters; publishes lte.json",
		.section = "lte-modemd",
		.schema = schema,
		.caps = NULL,
		.start = start,
		.stop = stop,
		.reload = reload,
		.ctx = &g,
	};
	return hgw_daemon_main(&d, argc, argv);
}
