/* netdumpd: the control traffic of every interface in a ring buffer,
 * streamed as pcapng over SSH (ssh -p 2222 router | wireshark -k -i -).
 *
 * Thin driver: configuration, the ring, the captures (capture.c), the SSH
 * server (sshd.c), the AT-dialogue socket and netdumpd.json. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "atpdu.h"
#include "authkeys.h"
#include "capture.h"
#include "config.h"
#include "daemon.h"
#include "filter.h"
#include "ifreg.h"
#include "log.h"
#include "ring.h"
#include "sshd.h"
#include "state.h"
#include "status.h"

extern const struct hgw_field hgw_schema_netdumpd[]; /* common/state_netdumpd.c */

static const struct hgw_field item_ip = { "", HGW_T_IP, 0, 0, 0, NULL, NULL, "address" };
static const struct hgw_field item_if = { "", HGW_T_IFNAME, 0, 0, 0, NULL, NULL, "interface" };
static const struct hgw_field item_pat = { "", HGW_T_STRING, 0, 1, 15, NULL, NULL,
					   "interface name or shell pattern (ppp*)" };

static const struct hgw_field schema[] = {
	{ "port", HGW_T_INT, 0, 1, 65535, NULL, "2222", "SSH port" },
	{ "listen_addresses", HGW_T_ARRAY, 0, 0, 8, &item_ip, "[\"127.0.0.1\", \"::1\"]",
	  "trusted addresses to accept SSH on (may be absent yet: bound with IP_FREEBIND); never a WAN address" },
	{ "listen_interfaces", HGW_T_ARRAY, 0, 0, 8, &item_if, "[]",
	  "trusted interfaces to accept SSH on, IPv4 and IPv6 (SO_BINDTODEVICE: connections arriving on any other interface are not seen)" },
	{ "authorized_keys", HGW_T_PATH, HGW_NULLABLE, 0, 0, NULL, "null",
	  "OpenSSH authorized_keys file with the keys allowed in (null: authorized_keys in the data dir); options are not supported and such lines are refused" },
	{ "password_hash_file", HGW_T_PATH, HGW_NULLABLE | HGW_SECRET, 0, 0, NULL, "null",
	  "file holding a crypt(3) hash (as in /etc/shadow, e.g. from mkpasswd -m yescrypt) that enables password login; null: public keys only" },
	{ "max_clients", HGW_T_INT, 0, 1, 64, NULL, "8", "SSH connections at once; more are refused" },
	{ "login_grace_s", HGW_T_INT, 0, 1, 600, NULL, "30",
	  "seconds a connection may take to authenticate and start a stream" },
	{ "ring_packets", HGW_T_INT, 0, 16, 16000000, NULL, "256000",
	  "ring buffer size in packets (oldest dropped first)" },
	{ "ring_bytes", HGW_T_INT, 0, 1048576, 1073741824, NULL, "33554432",
	  "ring buffer size in packet bytes; all ring memory is allocated at start-up" },
	{ "snaplen", HGW_T_INT, 0, 64, 65535, NULL, "65535", "bytes kept of each packet" },
	{ "kernel_buffer_kib", HGW_T_INT, 0, 256, 65536, NULL, "4096",
	  "kernel capture buffer per interface (KiB, in 256 KiB blocks, each handed over when full or 50 ms after its first packet); absorbs bursts and stalls of netdumpd" },
	{ "filter", HGW_T_STRING, HGW_NULLABLE, 1, 4096, NULL, "null",
	  "capture filter (pcap-filter syntax) replacing the built-in one; null: built-in: ARP, DHCPv4, DHCPv6, ICMP but echo, ICMPv6 errors/RS/RA/NS/NA/redirect, PPPoE discovery, PPP LCP/PAP/CHAP/IPCP/IPv6CP and RA/DHCPv6 inside PPPoE, RFC 8157 GRE control (0x0101, 0xB7EA) and the DHCP inside the tunnel, SIP (5060)" },
	{ "extra_filter", HGW_T_STRING, HGW_NULLABLE, 1, 4096, NULL, "null",
	  "expression OR-ed to the capture filter (e.g. \"udp port 53\")" },
	{ "interfaces", HGW_T_ARRAY, 0, 0, 32, &item_pat, "[]",
	  "interfaces to capture (names or patterns); empty: every interface, including ones that appear later" },
	{ "exclude_interfaces", HGW_T_ARRAY, 0, 0, 32, &item_pat, "[\"lo\"]",
	  "interfaces never captured (names or patterns)" },
	{ "at_socket", HGW_T_BOOL, 0, 0, 0, NULL, "true",
	  "accept AT-dialogue lines ('>' sent / '<' received, one per datagram) on netdumpd-at.sock in the state dir and capture them on pseudo-interface \"at\"" },
	{ "status_interval_ms", HGW_T_INT, 0, 100, 60000, NULL, "1000",
	  "how often netdumpd.json is refreshed (only written when it changed)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

struct ctx {
	struct hgw_daemon *d;
	struct ring ring;
	struct ifreg reg;
	struct capset caps;
	struct sshd sshd;
	int at_fd;
	uint16_t at_ifid;
	ev_io at_io;
	uint64_t at_lines;
	char at_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ev_timer status;
	ev_timer kick;
	char keys_path[4096];
	char *filter, *extra; /* owned copies: the config may be reloaded */
};

static const char *opt_str(json_t *cfg, const char *key)
{
	json_t *v = json_object_get(cfg, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int read_file(const char *path, char **out, size_t *len, size_t max)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		free(buf);
		errno = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void warn_key(int line, const char *why, void *arg)
{
	log_warn("ssh: %s:%d: %s", (const char *)arg, line, why);
}

/* (Re)loads authorized_keys and the password hash into the server. */
static void load_credentials(struct ctx *x, json_t *cfg)
{
	const char *p = opt_str(cfg, "authorized_keys");
	if (p)
		snprintf(x->keys_path, sizeof(x->keys_path), "%s", p);
	else
		snprintf(x->keys_path, sizeof(x->keys_path), "%s/authorized_keys", x->d->data_dir);
	authkeys_free(&x->sshd.keys);
	char *text;
	size_t len;
	if (read_file(x->keys_path, &text, &len, 1 << 20) < 0) {
		log_warn("ssh: no authorized keys (%s: %s): nobody can log in by key", x->keys_path,
			 strerror(errno));
	} else {
		authkeys_parse(&x->sshd.keys, text, len, warn_key, x->keys_path);
		free(text);
		log_info("ssh: %d authorized keys from %s", x->sshd.keys.n, x->keys_path);
	}
	free(x->sshd.password_hash);
	x->sshd.password_hash = NULL;
	const char *hp = opt_str(cfg, "password_hash_file");
	if (hp) {
		char buf[512];
		struct hgw_errors e = { 0 };
		if (hgw_secret_read(hp, buf, sizeof(buf), &e) > 0 && buf[0] == '$')
			x->sshd.password_hash = strdup(buf);
		else
			log_warn("ssh: %s does not hold a crypt(3) hash: password login stays off", hp);
	}
}

static int dlts_in_use(void *arg, int *out, int max)
{
	struct ctx *x = arg;
	int n = 0;
	for (int i = 0; i < CAPTURE_MAX; i++) {
		struct cap *c = &x->caps.caps[i];
		if (!c->used)
			continue;
		bool seen = false;
		for (int j = 0; j < n; j++)
			seen |= out[j] == c->dlt;
		if (!seen && n < max)
			out[n++] = c->dlt;
	}
	return n;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* New packets: feed the clients a moment later, so that a burst goes out
 * in a few large SSH writes instead of one per packet (encryption and
 * syscalls per write are what cost, not bytes). */
#define KICK_DELAY_S 0.005

static void on_kick(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	double t = mono();
	sshd_kick(&x->sshd);
	t = mono() - t;
	if (t > 0.05)
		log_info("ssh: feeding the clients took %.0f ms", t * 1000);
}

static void on_packets(void *arg)
{
	struct ctx *x = arg;
	if (!ev_is_active(&x->kick)) {
		ev_timer_set(&x->kick, KICK_DELAY_S, 0.0);
		ev_timer_start(x->d->loop, &x->kick);
	}
}

/* ---- AT dialogue socket ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_at(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	bool any = false;
	for (int i = 0; i < 64; i++) {
		uint8_t dg[ATPDU_MAX_LINE + 16], pkt[ATPDU_MAX_LINE + 32];
		ssize_t n = recv(x->at_fd, dg, sizeof(dg), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			break;
		int out = 0;
		size_t len = (size_t)n <= sizeof(dg) ? atpdu_build(dg, (size_t)n, pkt, sizeof(pkt), &out) : 0;
		if (!len) {
			log_info("at: ignored a datagram that is not a dialogue line (%zd bytes)", n);
			continue;
		}
		uint64_t seq = ring_push(&x->ring, now_ns(), x->at_ifid,
					 out ? RING_F_OUTBOUND : RING_F_INBOUND, pkt, (uint32_t)len,
					 (uint32_t)len);
		if (seq != UINT64_MAX) {
			ifreg_ref(&x->reg, x->at_ifid);
			x->reg.e[x->at_ifid].packets++;
		}
		x->at_lines++;
		any = true;
	}
	if (any)
		on_packets(x);
}

static int at_open(struct ctx *x)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/netdumpd-at.sock", x->d->state_dir);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		log_err("at: state dir path too long for a socket");
		return -1;
	}
	snprintf(x->at_path, sizeof(x->at_path), "%s", sa.sun_path);
	unlink(sa.sun_path);
	x->at_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* Only the owner (root, lte-modemd) may write into the capture. */
	mode_t old = umask(077);
	int rc = x->at_fd < 0 ? -1 : bind(x->at_fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0) {
		log_err("at: %s: %s", sa.sun_path, strerror(errno));
		if (x->at_fd >= 0)
			close(x->at_fd);
		x->at_fd = -1;
		return -1;
	}
	x->at_ifid = ifreg_get(&x->reg, "at", LINKTYPE_WIRESHARK_UPPER_PDU, 65535);
	ev_io_init(&x->at_io, on_at, x->at_fd, EV_READ);
	x->at_io.data = x;
	ev_io_start(x->d->loop, &x->at_io);
	return 0;
}

/* ---- status file ---- */

static void publish(struct ctx *x)
{
	uint64_t kdrops = capture_kdrops(&x->caps); /* refreshes each c->kdrops */
	struct status_iface ifs[CAPTURE_MAX + 1];
	int n = 0;
	for (int i = 0; i < CAPTURE_MAX; i++) {
		struct cap *c = &x->caps.caps[i];
		if (!c->used)
			continue;
		ifs[n++] = (struct status_iface){ c->name, pcap_datalink_val_to_name(c->dlt),
						  c->packets, c->kdrops, c->kernel_filter };
	}
	if (x->at_fd >= 0)
		ifs[n++] = (struct status_iface){ "at", "WIRESHARK_UPPER_PDU", x->at_lines, 0, -1 };
	json_t *clients = json_array();
	sshd_clients_json(&x->sshd, clients);
	struct status_in in = {
		.ifaces = ifs,
		.nifaces = n,
		.ring = &x->ring,
		.kernel_drops = kdrops,
		.clients_connected = x->sshd.nclients,
		.clients = clients,
		.auth_failures = x->sshd.auth_failures,
	};
	json_t *doc = status_doc(&in);
	hgw_state_publish(x->d->state_dir, "netdumpd.json", doc);
	json_decref(doc);
}

static void on_status(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	double t = mono();
	publish(w->data);
	t = mono() - t;
	if (t > 0.05) /* fsync on a busy disk: the kernel buffer must cover this */
		log_info("status: publishing took %.0f ms", t * 1000);
}

/* ---- daemon ---- */

static int check_filters(struct ctx *x)
{
	static const int dlts[] = { DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL };
	const char *keys[] = { "filter", "extra_filter" };
	const char *vals[] = { x->filter, x->extra };
	for (int k = 0; k < 2; k++) {
		if (!vals[k])
			continue;
		char err[PCAP_ERRBUF_SIZE] = "";
		bool ok = false;
		for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]) && !ok; i++) {
			struct bpf_program p;
			if (filter_compile(dlts[i], 65535, vals[k], &p, err) == 0) {
				pcap_freecode(&p);
				ok = true;
			}
		}
		if (!ok) {
			log_err("config: netdumpd.%s: not a valid capture filter: %s", keys[k], err);
			return -1;
		}
	}
	return 0;
}

static int start(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	json_t *cfg = d->config;
	x->d = d;
	x->at_fd = -1;
	x->filter = opt_str(cfg, "filter") ? strdup(opt_str(cfg, "filter")) : NULL;
	x->extra = opt_str(cfg, "extra_filter") ? strdup(opt_str(cfg, "extra_filter")) : NULL;
	if (check_filters(x) < 0)
		return HGW_EX_CONFIG;
	uint32_t snaplen = (uint32_t)hgw_json_int(cfg, "snaplen");
	uint32_t ring_bytes = (uint32_t)hgw_json_int(cfg, "ring_bytes");
	if (ring_bytes < snaplen + RING_ALIGN) {
		log_err("config: netdumpd.ring_bytes: must hold at least one packet of snaplen bytes");
		return HGW_EX_CONFIG;
	}
	ifreg_init(&x->reg);
	if (ring_init(&x->ring, (uint32_t)hgw_json_int(cfg, "ring_packets"), ring_bytes) < 0) {
		log_err("ring: cannot allocate %u packets / %u bytes", (unsigned)hgw_json_int(cfg, "ring_packets"),
			ring_bytes);
		return 71;
	}
	x->ring.on_evict = ifreg_on_evict;
	x->ring.evict_arg = &x->reg;
	log_info("ring: %u packets, %u bytes, %zu bytes of memory", x->ring.max_pkts,
		 x->ring.max_bytes, ring_memory(&x->ring));

	struct sshd *s = &x->sshd;
	s->loop = d->loop;
	s->ring = &x->ring;
	s->reg = &x->reg;
	s->port = (int)hgw_json_int(cfg, "port");
	/* Kept beyond a reload (which frees the old config): */
	s->addresses = json_incref(json_object_get(cfg, "listen_addresses"));
	s->interfaces = json_incref(json_object_get(cfg, "listen_interfaces"));
	s->max_clients = (int)hgw_json_int(cfg, "max_clients");
	s->login_grace_s = (int)hgw_json_int(cfg, "login_grace_s");
	s->dlts = dlts_in_use;
	s->dlts_arg = x;
	snprintf(s->hostkey_path, sizeof(s->hostkey_path), "%s/netdumpd_host_ed25519_key",
		 d->data_dir);
	load_credentials(x, cfg);
	if (sshd_start(s) < 0)
		return 1;

	ev_init(&x->kick, on_kick);
	x->kick.data = x;
	if (hgw_json_bool(cfg, "at_socket"))
		at_open(x);

	struct capset *c = &x->caps;
	c->loop = d->loop;
	c->ring = &x->ring;
	c->reg = &x->reg;
	c->snaplen = (int)snaplen;
	c->buffer_bytes = (int)hgw_json_int(cfg, "kernel_buffer_kib") * 1024;
	c->filter = x->filter;
	c->extra_filter = x->extra;
	c->ssh_port = s->port;
	c->include = json_incref(json_object_get(cfg, "interfaces"));
	c->exclude = json_incref(json_object_get(cfg, "exclude_interfaces"));
	c->on_packets = on_packets;
	c->arg = x;
	if (capture_start(c) < 0)
		return 1;

	double iv = (double)hgw_json_int(cfg, "status_interval_ms") / 1000.0;
	ev_timer_init(&x->status, on_status, 0.0, iv);
	x->status.data = x;
	ev_timer_start(d->loop, &x->status);
	return 0;
}

static void stop(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	ev_timer_stop(d->loop, &x->status);
	ev_timer_stop(d->loop, &x->kick);
	capture_stop(&x->caps);
	sshd_stop(&x->sshd);
	if (x->at_fd >= 0) {
		ev_io_stop(d->loop, &x->at_io);
		close(x->at_fd);
		unlink(x->at_path);
	}
	hgw_state_withdraw(d->state_dir, "netdumpd.json");
	ring_free(&x->ring);
	json_decref(x->sshd.addresses);
	json_decref(x->sshd.interfaces);
	json_decref(x->caps.include);
	json_decref(x->caps.exclude);
	free(x->filter);
	free(x->extra);
}

/* SIGHUP: the keys and the password are re-read; capture, ring and listener
 * settings take effect at the next start. */
static void reload(struct hgw_daemon *d, json_t *old)
{
	struct ctx *x = d->ctx;
	load_credentials(x, d->config);
	json_decref(old);
	log_notice("reloaded credentials; other settings apply at the next start");
}

/* Packet sockets and SO_BINDTODEVICE need NET_RAW; a port below 1024 NET_BIND_SERVICE. */
static const int caps[] = { CAP_NET_RAW, CAP_NET_BIND_SERVICE, -1 };

int main(int argc, char **argv)
{
	static struct ctx x;
	struct hgw_daemon d = {
		.name = "netdumpd",
		.summary = "control traffic of every interface in a ring, streamed as pcapng over SSH",
		.section = "netdumpd",
		.schema = schema,
		.caps = caps,
		.start = start,
		.stop = stop,
		.reload = reload,
		.ctx = &x,
	};
	return hgw_daemon_main(&d, argc, argv);
}
