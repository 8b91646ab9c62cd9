/* pppoed: PPPoE client for the DSL port (RFC 2516, RFC 1661, RFC 1994,
 * RFC 1334, RFC 1332/1877, RFC 5072, RFC 4638).
 *
 * Thin driver around session.c: the packet sockets, the data plane (kernel
 * PPP where the kernel has it, a TUN device where it does not), the timer,
 * pppoe.json and the remembered addresses.  pppoed sets no address or route:
 * netlinkd reads pppoe.json and does that. */
#include <errno.h>
#include <linux/capability.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "kernel.h"
#include "link.h"
#include "log.h"
#include "tun.h"
#include "pppoe_doc.h"
#include "session.h"
#include "state.h"

static const char *const modes[] = { "auto", "kernel", "userspace", NULL };
static const char *const auths[] = { "any", "chap", "pap", NULL };

static const struct hgw_field schema[] = {
	{ "interface", HGW_T_IFNAME, HGW_REQUIRED, 0, 0, NULL, NULL,
	  "Ethernet port facing the DSL modem (PPPoE runs on it)" },
	{ "ifname", HGW_T_IFNAME, 0, 0, 0, NULL, "\"ppp0\"",
	  "the session's network device: pppN in kernel mode (N is asked for), the TUN's name in userspace mode" },
	{ "mode", HGW_T_ENUM, 0, 0, 0, modes, "\"auto\"",
	  "data plane: kernel (AF_PPPOX + /dev/ppp), userspace (TUN), auto = kernel if the kernel has PPPoE" },
	{ "username", HGW_T_STRING, HGW_REQUIRED, 1, 255, NULL, NULL,
	  "PPP user name (Telekom: <Anschlusskennung><T-Online-Nummer>#<Mitbenutzer>@t-online.de)" },
	{ "password_file", HGW_T_PATH, HGW_REQUIRED | HGW_SECRET, 0, 0, NULL, NULL,
	  "file holding the PPP password on one line; must not be readable by others" },
	{ "auth", HGW_T_ENUM, 0, 0, 0, auths, "\"any\"",
	  "authentication we agree to: any (CHAP-MD5 preferred), chap (CHAP-MD5 only), pap (PAP only)" },
	{ "ac_name", HGW_T_STRING, 0, 0, 128, NULL, "\"\"", "only accept offers from this AC-Name (\"\" = any)" },
	{ "service", HGW_T_STRING, 0, 0, 128, NULL, "\"\"", "Service-Name to ask for (\"\" = any)" },
	{ "mru", HGW_T_INT, 0, 1280, 1500, NULL, "1492",
	  "MRU to negotiate; above 1492 asks the AC for RFC 4638 PPP-Max-Payload (needs baby jumbo frames)" },
	{ "ipv4", HGW_T_BOOL, 0, 0, 0, NULL, "true", "run IPCP (IPv4)" },
	{ "ipv6", HGW_T_BOOL, 0, 0, 0, NULL, "true", "run IPv6CP (IPv6 link-local; addresses then come from SLAAC/DHCPv6)" },
	{ "dns", HGW_T_BOOL, 0, 0, 0, NULL, "true", "ask for DNS servers in IPCP (RFC 1877)" },
	{ "remember", HGW_T_BOOL, 0, 0, 0, NULL, "true",
	  "ask again for the last IPv4 address and IPv6 interface identifier (kept in the data dir)" },
	{ "padi_initial_ms", HGW_T_INT, 0, 100, 60000, NULL, "1000", "first PADI retransmission timeout; doubles each try" },
	{ "padi_max_ms", HGW_T_INT, 0, 100, 600000, NULL, "64000", "upper bound of the PADI timeout" },
	{ "padr_timeout_ms", HGW_T_INT, 0, 100, 60000, NULL, "3000", "wait for PADS after each PADR" },
	{ "padr_tries", HGW_T_INT, 0, 1, 10, NULL, "3", "PADRs to the chosen AC before discovery starts over" },
	{ "restart_ms", HGW_T_INT, 0, 100, 60000, NULL, "3000", "RFC 1661 Restart timer (LCP, IPCP, IPv6CP, PAP)" },
	{ "max_configure", HGW_T_INT, 0, 1, 100, NULL, "10", "RFC 1661 Max-Configure" },
	{ "max_terminate", HGW_T_INT, 0, 1, 100, NULL, "2", "RFC 1661 Max-Terminate" },
	{ "max_failure", HGW_T_INT, 0, 1, 100, NULL, "5", "RFC 1661 Max-Failure (Naks before Reject)" },
	{ "echo_interval_ms", HGW_T_INT, 0, 0, 3600000, NULL, "10000", "LCP Echo-Request interval (0 = no keepalive)" },
	{ "echo_failures", HGW_T_INT, 0, 1, 100, NULL, "3", "unanswered Echo-Requests before the session is declared dead" },
	{ "auth_timeout_ms", HGW_T_INT, 0, 1000, 300000, NULL, "30000", "give up authenticating after this long" },
	{ "reconnect_initial_ms", HGW_T_INT, 0, 0, 600000, NULL, "2000", "first wait after a failure; doubles per failure" },
	{ "reconnect_max_ms", HGW_T_INT, 0, 0, 3600000, NULL, "120000", "upper bound of the reconnect wait" },
	{ "auth_retry_initial_ms", HGW_T_INT, 0, 0, 3600000, NULL, "60000",
	  "first wait after an authentication failure (long: a wrong password must not hammer the AC)" },
	{ "auth_retry_max_ms", HGW_T_INT, 0, 0, 86400000, NULL, "1800000", "upper bound of the wait after authentication failures" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

#define BATCH 32
#define FRAME_MAX 2048
#define HEADROOM (14 + PPPOE_HDR_LEN + 2)

struct ctx {
	struct hgw_daemon *d;
	struct session s;
	struct session_config cfg;
	char secret[256];
	const char *eth, *ifname;
	bool kernel;
	uint8_t mac[6];
	int ifindex;
	int disc_fd, sess_fd, tun_fd;
	struct kppp k;
	bool k_open;
	bool draining;
	json_t *cfg_ref; /* the strings in cfg point into it */
	ev_io disc_io, sess_io, tun_io, chan_io, unit_io;
	ev_timer timer, eth_timer;
	bool remember;
	uint32_t saved_v4;
	uint64_t saved_iid;
	uint64_t rx_other_session, tx_too_big, tx_dropped;
};

static struct mmsghdr rx_msgs[BATCH], tx_msgs[BATCH];
static struct iovec rx_iov[BATCH], tx_iov[BATCH];
static uint8_t rx_buf[BATCH][FRAME_MAX], tx_buf[BATCH][FRAME_MAX];

static void publish(struct ctx *x)
{
	struct doc_ctx dc = {
		.ifname = x->kernel ? (x->k_open ? x->k.ifname : NULL) : x->ifname,
		.ethernet = x->eth,
		.mode = x->kernel ? "kernel" : "userspace",
	};
	if (x->s.phase == PH_DOWN && x->s.retry_at != INT64_MAX)
		dc.next_attempt_wall = hgw_wall_s(&hgw_clock_real) +
				       (x->s.retry_at - hgw_now_ms(&hgw_clock_real) + 999) / 1000;
	json_t *doc = pppoe_doc(&x->s, &dc);
	hgw_state_publish(x->d->state_dir, "pppoe.json", doc);
	json_decref(doc);
}

static void kernel_input(struct ev_loop *loop, ev_io *w, int revents);

/* Kernel mode: the PPP channel and unit follow the session's life. */
static void kernel_follow(struct ctx *x)
{
	if (!x->kernel)
		return;
	if (x->s.sid && !x->k_open) {
		int unit = atoi(x->ifname + 3);
		if (kppp_open(&x->k, x->eth, x->s.sid, x->s.ac_mac, unit, x->s.lcp.link_mru) == 0) {
			x->k_open = true;
			ev_io_init(&x->chan_io, kernel_input, x->k.chan, EV_READ);
			ev_io_init(&x->unit_io, kernel_input, x->k.unit_fd, EV_READ);
			x->chan_io.data = x->unit_io.data = x;
			ev_io_start(x->d->loop, &x->chan_io);
			ev_io_start(x->d->loop, &x->unit_io);
			x->s.changed = true;
		} else {
			session_reconnect(&x->s, "could not set up the kernel PPP session");
		}
	} else if (!x->s.sid && x->k_open) {
		ev_io_stop(x->d->loop, &x->chan_io);
		ev_io_stop(x->d->loop, &x->unit_io);
		kppp_close(&x->k);
		x->k_open = false;
		x->s.changed = true;
	}
}

static void send_out(struct ctx *x)
{
	for (int i = 0; i < x->s.n_out; i++) {
		struct session_frame *f = &x->s.out[i];
		if (f->disc) {
			if (x->disc_fd >= 0)
				link_send(x->disc_fd, f->dst, x->mac, PPPOE_ETH_DISC, NULL, 0, f->buf, f->len);
		} else if (x->kernel) {
			if (x->k_open)
				kppp_send(&x->k, f->buf, f->len);
		} else {
			uint8_t hdr[PPPOE_HDR_LEN];
			pppoe_sess_header(hdr, x->s.sid, f->len);
			if (x->sess_fd >= 0)
				link_send(x->sess_fd, f->dst, x->mac, PPPOE_ETH_SESS, hdr, sizeof(hdr), f->buf,
				  f->len);
		}
	}
	x->s.n_out = 0;
}

/* After every input: send, follow the session with the data plane,
 * publish, remember, re-arm. */
static void flush(struct ctx *x)
{
	/* The PPP channel must exist before the first LCP frame is sent. */
	kernel_follow(x);
	send_out(x);
	kernel_follow(x);
	if (x->s.remember) {
		x->s.remember = false;
		if (x->remember) {
			uint32_t v4 = x->s.v4_up ? x->s.ipcp.addr : 0;
			uint64_t iid = x->s.v6_up ? x->s.v6.iid : 0;
			pppoe_last_save(x->d->data_dir, v4, iid);
			if (v4)
				x->s.cfg.hint_ipv4 = v4;
			if (iid)
				x->s.cfg.hint_iid = iid;
		}
	}
	if (x->s.changed) {
		x->s.changed = false;
		publish(x);
	}
	ev_timer_stop(x->d->loop, &x->timer);
	int64_t t = session_next_timer(&x->s);
	if (t != INT64_MAX) {
		int64_t now = hgw_now_ms(&hgw_clock_real);
		ev_timer_set(&x->timer, t > now ? (double)(t - now) / 1000.0 : 0.0, 0.0);
		ev_timer_start(x->d->loop, &x->timer);
	}
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	session_timer(&x->s);
	flush(x);
}

static void on_sess(struct ev_loop *loop, ev_io *w, int revents);

static void on_disc(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct ctx *x = w->data;
	uint8_t buf[FRAME_MAX];
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(x->disc_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			break;
		if (n < 14 || memcmp(buf + 6, x->mac, 6) == 0)
			continue;
		/* A PADT ends the session, but the AC sent it after the frames
		 * waiting in the session socket (CHAP Failure, Terminate):
		 * read those first so the reason is the real one. */
		if (n > 15 && buf[15] == PPPOE_PADT && x->s.sid && !x->draining) {
			x->draining = true;
			if (!x->kernel)
				on_sess(loop, &x->sess_io, 0);
			else if (x->k_open)
				kernel_input(loop, &x->chan_io, 0);
			x->draining = false;
		}
		session_recv_disc(&x->s, buf + 6, buf + 14, (size_t)n - 14);
	}
	flush(x);
}

/* Userspace data plane, Ethernet to TUN: a batch of session frames per
 * wake-up, control frames to the session, IP packets to the TUN. */
static void on_sess(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	bool control = false;
	/* The AC may send its first LCP request right behind the PADS; the
	 * two sockets are read in no set order, so take the PADS first. */
	if (x->s.phase == PH_DISCOVERY && !x->draining) {
		x->draining = true;
		on_disc(loop, &x->disc_io, 0);
		x->draining = false;
	}
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < BATCH; i++) {
			rx_iov[i].iov_base = rx_buf[i];
			rx_iov[i].iov_len = FRAME_MAX;
			memset(&rx_msgs[i].msg_hdr, 0, sizeof(rx_msgs[i].msg_hdr));
			rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
			rx_msgs[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(x->sess_fd, rx_msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			const uint8_t *f = rx_buf[i];
			size_t len = rx_msgs[i].msg_len;
			uint16_t sid;
			const uint8_t *ppp;
			size_t plen;
			const char *why;
			if (len < 14 || memcmp(f + 6, x->mac, 6) == 0)
				continue;
			if (pppoe_sess_parse(f + 14, len - 14, &sid, &ppp, &plen, &why) < 0)
				continue;
			/* RFC 2516 4: a session is the pair (AC MAC, id). */
			if (!x->s.sid || sid != x->s.sid || memcmp(f + 6, x->s.ac_mac, 6) != 0) {
				x->rx_other_session++;
				continue;
			}
			uint16_t proto = session_recv_ppp(&x->s, ppp, plen);
			if (proto) {
				size_t hl = (ppp[0] & 1) ? 1 : 2;
				if (write(x->tun_fd, ppp + hl, plen - hl) < 0)
					x->tx_dropped++;
			} else {
				control = true;
			}
		}
		if (n < BATCH)
			break;
	}
	if (control)
		flush(x);
}

/* TUN to Ethernet: read a batch, wrap each packet in place (headroom kept
 * in front), one sendmmsg. */
static void on_tun(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	for (int round = 0; round < 8; round++) {
		int m = 0, reads = 0;
		while (m < BATCH) {
			uint8_t *b = tx_buf[m];
			ssize_t n = read(x->tun_fd, b + HEADROOM, FRAME_MAX - HEADROOM);
			if (n <= 0)
				break;
			reads++;
			uint16_t proto = (b[HEADROOM] >> 4) == 6 ? 0x0057 : 0x0021;
			if (!x->s.sid || !session_data_ok(&x->s, proto)) {
				x->tx_dropped++;
				continue;
			}
			if ((size_t)n > x->s.mtu) {
				x->tx_too_big++;
				continue;
			}
			memcpy(b, x->s.ac_mac, 6);
			memcpy(b + 6, x->mac, 6);
			b[12] = PPPOE_ETH_SESS >> 8;
			b[13] = PPPOE_ETH_SESS & 0xff;
			pppoe_sess_header(b + 14, x->s.sid, (size_t)n + 2);
			b[20] = (uint8_t)(proto >> 8);
			b[21] = (uint8_t)proto;
			tx_iov[m].iov_base = b;
			tx_iov[m].iov_len = (size_t)n + HEADROOM;
			memset(&tx_msgs[m].msg_hdr, 0, sizeof(tx_msgs[m].msg_hdr));
			tx_msgs[m].msg_hdr.msg_iov = &tx_iov[m];
			tx_msgs[m].msg_hdr.msg_iovlen = 1;
			m++;
		}
		int off = 0;
		while (off < m) {
			int k = sendmmsg(x->sess_fd, tx_msgs + off, (unsigned)(m - off), 0);
			if (k <= 0) {
				x->tx_dropped += (uint64_t)(m - off);
				break;
			}
			off += k;
		}
		if (reads < BATCH)
			break;
	}
}

static void kernel_input(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	uint8_t buf[FRAME_MAX];
	for (int i = 0; i < 16 && x->k_open; i++) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_info("pppoe: /dev/ppp read: %s", strerror(errno));
			break;
		}
		session_recv_ppp(&x->s, buf, (size_t)n);
	}
	flush(x);
}

static int load_config(struct ctx *x, json_t *c)
{
	struct session_config *s = &x->cfg;
	memset(s, 0, sizeof(*s));
	x->eth = hgw_json_str(c, "interface");
	x->ifname = hgw_json_str(c, "ifname");
	struct hgw_errors e = { 0 };
	if (hgw_secret_read(hgw_json_str(c, "password_file"), x->secret, sizeof(x->secret), &e) < 0) {
		log_err("pppoed: config: pppoed.password_file: %s", e.count ? e.msg[0] : "unreadable");
		return HGW_EX_CONFIG;
	}
	s->user = hgw_json_str(c, "username");
	s->secret = x->secret;
	const char *auth = hgw_json_str(c, "auth");
	s->allow_chap = strcmp(auth, "pap") != 0;
	s->allow_pap = strcmp(auth, "chap") != 0;
	s->ipv4 = hgw_json_bool(c, "ipv4");
	s->ipv6 = hgw_json_bool(c, "ipv6");
	if (!s->ipv4 && !s->ipv6) {
		log_err("pppoed: config: pppoed: ipv4 and ipv6 are both off; nothing to connect");
		return HGW_EX_CONFIG;
	}
	s->ask_dns = hgw_json_bool(c, "dns");
	s->mru = (uint16_t)hgw_json_int(c, "mru");
	s->pd.ac_name = hgw_json_str(c, "ac_name");
	s->pd.service = hgw_json_str(c, "service");
	s->pd.max_payload = s->mru > PPPOE_STD_MRU ? s->mru : 0;
	s->pd.padi_initial_ms = (uint32_t)hgw_json_int(c, "padi_initial_ms");
	s->pd.padi_max_ms = (uint32_t)hgw_json_int(c, "padi_max_ms");
	s->pd.padr_timeout_ms = (uint32_t)hgw_json_int(c, "padr_timeout_ms");
	s->pd.padr_tries = (int)hgw_json_int(c, "padr_tries");
	s->restart_ms = (uint32_t)hgw_json_int(c, "restart_ms");
	s->max_configure = (int)hgw_json_int(c, "max_configure");
	s->max_terminate = (int)hgw_json_int(c, "max_terminate");
	s->max_failure = (int)hgw_json_int(c, "max_failure");
	s->echo_interval_ms = (uint32_t)hgw_json_int(c, "echo_interval_ms");
	s->echo_failures = (int)hgw_json_int(c, "echo_failures");
	s->auth_timeout_ms = (uint32_t)hgw_json_int(c, "auth_timeout_ms");
	s->reconnect_initial_ms = (uint32_t)hgw_json_int(c, "reconnect_initial_ms");
	s->reconnect_max_ms = (uint32_t)hgw_json_int(c, "reconnect_max_ms");
	s->auth_retry_initial_ms = (uint32_t)hgw_json_int(c, "auth_retry_initial_ms");
	s->auth_retry_max_ms = (uint32_t)hgw_json_int(c, "auth_retry_max_ms");
	x->remember = hgw_json_bool(c, "remember");
	const char *mode = hgw_json_str(c, "mode");
	bool have = kppp_available();
	if (strcmp(mode, "kernel") == 0 && !have) {
		log_err("pppoed: config: pppoed.mode: kernel PPPoE is not available (no AF_PPPOX or /dev/ppp)");
		return HGW_EX_CONFIG;
	}
	x->kernel = strcmp(mode, "kernel") == 0 || (strcmp(mode, "auto") == 0 && have);
	if (x->kernel && (strncmp(x->ifname, "ppp", 3) != 0 || x->ifname[3] < '0' || x->ifname[3] > '9')) {
		log_err("pppoed: config: pppoed.ifname: kernel mode needs a pppN name, not \"%s\"", x->ifname);
		return HGW_EX_CONFIG;
	}
	return 0;
}

static void eth_close(struct ctx *x)
{
	if (x->disc_fd >= 0) {
		ev_io_stop(x->d->loop, &x->disc_io);
		close(x->disc_fd);
	}
	if (x->sess_fd >= 0) {
		ev_io_stop(x->d->loop, &x->sess_io);
		close(x->sess_fd);
	}
	x->disc_fd = x->sess_fd = -1;
}

/* The Ethernet port may appear after us (a USB adapter, a driver loading
 * late) or be re-created: its packet sockets are opened whenever they are
 * missing, and re-opened when the interface index changes. */
static bool eth_open(struct ctx *x)
{
	if (x->disc_fd >= 0)
		return true;
	if (if_nametoindex(x->eth) == 0)
		return false;
	x->disc_fd = link_open(x->eth, PPPOE_ETH_DISC, &x->ifindex, x->mac);
	if (x->disc_fd < 0)
		return false;
	if (!x->kernel) {
		x->sess_fd = link_open(x->eth, PPPOE_ETH_SESS, &x->ifindex, x->mac);
		if (x->sess_fd < 0) {
			close(x->disc_fd);
			x->disc_fd = -1;
			return false;
		}
		ev_io_init(&x->sess_io, on_sess, x->sess_fd, EV_READ);
		x->sess_io.data = x;
		ev_io_start(x->d->loop, &x->sess_io);
	}
	ev_io_init(&x->disc_io, on_disc, x->disc_fd, EV_READ);
	ev_set_priority(&x->disc_io, EV_MAXPRI);
	x->disc_io.data = x;
	ev_io_start(x->d->loop, &x->disc_io);
	log_notice("pppoe: %s (index %d, %02x:%02x:%02x:%02x:%02x:%02x) opened", x->eth, x->ifindex,
		   x->mac[0], x->mac[1], x->mac[2], x->mac[3], x->mac[4], x->mac[5]);
	return true;
}

static void on_eth_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct ctx *x = w->data;
	if (x->disc_fd >= 0 && (int)if_nametoindex(x->eth) != x->ifindex) {
		log_warn("pppoe: %s went away or was re-created", x->eth);
		eth_close(x);
	}
	if (x->disc_fd < 0 && eth_open(x) && x->s.phase == PH_DISCOVERY) {
		/* a fresh port: start discovery over instead of waiting out
		 * a long PADI backoff */
		session_reconnect(&x->s, "Ethernet port appeared");
		flush(x);
	}
}

static int start(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	x->d = d;
	x->disc_fd = x->sess_fd = x->tun_fd = -1;
	x->k.pppox = x->k.chan = x->k.unit_fd = -1;
	x->cfg_ref = json_incref(d->config);
	int rc = load_config(x, x->cfg_ref);
	if (rc)
		return rc;
	if (hgw_mkdir_safe(d->data_dir, 0700) < 0 || hgw_mkdir_safe(d->state_dir, 0755) < 0)
		return 73;
	if (x->remember) {
		pppoe_last_load(d->data_dir, &x->cfg.hint_ipv4, &x->cfg.hint_iid);
		if (x->cfg.hint_ipv4 || x->cfg.hint_iid)
			log_info("pppoe: will ask again for the remembered addresses");
	}
	if (!x->kernel) {
		x->tun_fd = hgw_tun_open(x->ifname, NULL);
		if (x->tun_fd < 0)
			return 69;
		ev_io_init(&x->tun_io, on_tun, x->tun_fd, EV_READ);
		x->tun_io.data = x;
		ev_io_start(d->loop, &x->tun_io);
	}
	log_notice("pppoe: on %s, %s data plane (%s)", x->eth, x->kernel ? "kernel" : "userspace",
		   x->kernel ? "pppN from /dev/ppp" : x->ifname);
	if (!eth_open(x))
		log_notice("pppoe: waiting for %s to appear", x->eth);
	ev_timer_init(&x->eth_timer, on_eth_timer, 1.0, 1.0);
	x->eth_timer.data = x;
	ev_timer_start(d->loop, &x->eth_timer);
	ev_timer_init(&x->timer, on_timer, 0, 0);
	x->timer.data = x;
	session_init(&x->s, &x->cfg, &hgw_clock_real, &hgw_rng_system);
	session_start(&x->s);
	x->s.changed = true;
	flush(x);
	return 0;
}

/* SIGTERM: Terminate-Request, wait (bounded) for the Ack, PADT. */
static void stop(struct hgw_daemon *d)
{
	struct ctx *x = d->ctx;
	session_stop(&x->s);
	flush(x);
	int64_t end = hgw_now_ms(&hgw_clock_real) + 3000;
	while (x->s.phase != PH_STOPPED) {
		int64_t now = hgw_now_ms(&hgw_clock_real);
		if (now >= end)
			break;
		int64_t t = session_next_timer(&x->s);
		int64_t wait = (t < end ? t : end) - now;
		struct pollfd p[3] = {
			{ .fd = x->disc_fd, .events = POLLIN },
			{ .fd = x->kernel ? x->k.chan : x->sess_fd, .events = POLLIN },
			{ .fd = x->kernel ? x->k.unit_fd : -1, .events = POLLIN },
		};
		if (poll(p, 3, (int)(wait < 0 ? 0 : wait)) > 0) {
			if (p[0].revents)
				on_disc(d->loop, &x->disc_io, 0);
			if (p[1].revents) {
				if (x->kernel)
					kernel_input(d->loop, &x->chan_io, 0);
				else
					on_sess(d->loop, &x->sess_io, 0);
			}
			if (p[2].revents)
				kernel_input(d->loop, &x->unit_io, 0);
		} else {
			session_timer(&x->s);
			flush(x);
		}
	}
	if (x->s.phase != PH_STOPPED) {
		log_warn("pppoe: no Terminate-Ack; sending PADT anyway");
		session_abort(&x->s);
		flush(x);
	}
	x->s.changed = true;
	flush(x);
	ev_timer_stop(d->loop, &x->timer);
	log_notice("pppoe: stopped");
}

static void reload(struct hgw_daemon *d, json_t *old)
{
	struct ctx *x = d->ctx;
	json_decref(old);
	/* The password is read again: fixing a wrong one and sending SIGHUP
	 * must not wait out the long backoff after authentication failures.
	 * Other changes need a restart. */
	struct hgw_errors e = { 0 };
	char pw[sizeof(x->secret)];
	if (hgw_secret_read(hgw_json_str(d->config, "password_file"), pw, sizeof(pw), &e) >= 0)
		memcpy(x->secret, pw, sizeof(pw));
	else
		log_warn("pppoe: SIGHUP: password file: %s (keeping the old password)",
			 e.count ? e.msg[0] : "unreadable");
	memset(pw, 0, sizeof(pw));
	x->s.auth_failed = false;
	hgw_backoff_reset(&x->s.auth_retry);
	log_notice("pppoe: SIGHUP: reconnecting (password re-read; other changes need a restart)");
	session_reconnect(&x->s, "reconnect requested (SIGHUP)");
	flush(x);
}

int main(int argc, char **argv)
{
	static struct ctx x;
	static const int caps[] = { CAP_NET_RAW, CAP_NET_ADMIN, -1 };
	struct hgw_daemon d = {
		.name = "pppoed",
		.summary = "PPPoE client (RFC 2516/1661/1994): DSL session over kernel PPP or a TUN device",
		.section = "pppoed",
		.schema = schema,
		.caps = caps,
		.start = start,
		.stop = stop,
		.reload = reload,
		.ctx = &x,
	};
	return hgw_daemon_main(&d, argc, argv);
}
