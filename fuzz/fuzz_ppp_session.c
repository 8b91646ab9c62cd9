/* Fuzz target: the PPP control plane (RFC 1661 automaton, LCP, CHAP, PAP,
 * IPCP, IPv6CP) through the session, with a PPPoE session already up.
 * Input: records of [length][PPP frame]; a zero length means "the AC acks
 * our latest Configure-Request" (so the fuzzer can open layers); after
 * each record time moves on by a few seconds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "../pppoed/session.h"

static struct session S;

static void ack_latest(void)
{
	for (int i = S.n_out - 1; i >= 0; i--) {
		struct session_frame *f = &S.out[i];
		if (!f->disc && f->len >= 6 && f->buf[2] == 1) {
			uint8_t p[1520];
			memcpy(p, f->buf, f->len);
			p[2] = 2;
			size_t n = f->len;
			S.n_out = 0;
			session_recv_ppp(&S, p, n);
			return;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false);
		once = 1;
	}
	struct hgw_fake_clock clk;
	struct hgw_fake_rng rng;
	hgw_fake_clock_init(&clk, 1700000000);
	hgw_fake_rng_init(&rng, 7);
	struct session_config c = {
		.pd = { .ac_name = "", .service = "", .padi_initial_ms = 1000, .padi_max_ms = 4000,
			.padr_timeout_ms = 1000, .padr_tries = 2 },
		.user = "u", .secret = "p", .allow_pap = true, .allow_chap = true,
		.ipv4 = true, .ipv6 = true, .ask_dns = true, .mru = 1492,
		.restart_ms = 1000, .max_configure = 3, .max_terminate = 2, .max_failure = 3,
		.echo_interval_ms = 1000, .echo_failures = 2, .auth_timeout_ms = 5000,
		.reconnect_initial_ms = 1000, .reconnect_max_ms = 4000,
		.auth_retry_initial_ms = 1000, .auth_retry_max_ms = 4000,
	};
	session_init(&S, &c, &clk.clock, &rng.rng);
	session_start(&S);
	/* Discovery done by hand: PADO then PADS with our Host-Uniq. */
	const uint8_t ac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t pkt[64];
	struct pppoe_tags t;
	memset(&t, 0, sizeof(t));
	t.has_service = true;
	t.has_ac_name = true;
	strcpy(t.ac_name, "ac");
	t.host_uniq.present = true;
	t.host_uniq.len = 8;
	memcpy(t.host_uniq.b, S.pd.host_uniq, 8);
	size_t n = pppoe_disc_build(pkt, sizeof(pkt), PPPOE_PADO, 0, &t);
	session_recv_disc(&S, ac, pkt, n);
	n = pppoe_disc_build(pkt, sizeof(pkt), PPPOE_PADS, 0x10, &t);
	session_recv_disc(&S, ac, pkt, n);

	size_t off = 0;
	while (off < size) {
		size_t len = data[off++];
		if (len == 0) {
			ack_latest();
		} else {
			if (len > size - off)
				len = size - off;
			S.n_out = 0;
			session_recv_ppp(&S, data + off, len);
			off += len;
		}
		hgw_fake_clock_advance(&clk, 1000 * (int64_t)(len % 3));
		session_timer(&S);
	}
	session_stop(&S);
	S.n_out = 0;
	return 0;
}
