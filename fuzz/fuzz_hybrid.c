/* Fuzz target: RFC 8157 control-message parser, the round trip through the
 * encoder, the client state machine (in a bonded session, so every message
 * type reaches its handler) and the capture-frame walker. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../hybridd/dns_aaaa.h"
#include "../hybridd/frame.h"
#include "../hybridd/rfc8157_client.h"
#include "../hybridd/rfc8157_msg.h"
#include "log.h"

static struct hgw_fake_clock fc;
static struct hgw_fake_rng fr;
static struct in6_addr G, H, E, D;

static void bonded(struct hc *c)
{
	struct hc_config cfg = { .proto = 0x0101, .tt_lte = 0, .tt_dsl = 8, .bonding = true,
				 .idle_switching = true };
	strcpy(cfg.cin, "fuzz");
	cfg.anycast = G;
	hgw_fake_clock_init(&fc, 1700000000);
	hgw_fake_rng_init(&fr, 1);
	hc_init(c, &cfg, &fc.clock, &fr.rng);
	hc_link(c, HC_LTE, &E);
	hc_link(c, HC_DSL, &D);
	hc_tick(c);
	uint8_t buf[256];
	struct hgw_wr w = hgw_wr_init(buf, sizeof(buf));
	rfc8157_begin(&w, 0x0101, 0x11223344, RFC8157_SETUP_ACCEPT, 0);
	rfc8157_attr(&w, A_H_IPV6, &H, 16);
	rfc8157_attr_u32(&w, A_SESSION_ID, 7);
	rfc8157_attr_u32(&w, A_BONDING_KEY, 0x11223344);
	size_t n = rfc8157_end(&w, true);
	hc_input(c, HC_LTE, &G, buf, n);
	hc_tick(c);
	w = hgw_wr_init(buf, sizeof(buf));
	rfc8157_begin(&w, 0x0101, 0x11223344, RFC8157_SETUP_ACCEPT, 8);
	n = rfc8157_end(&w, true);
	hc_input(c, HC_DSL, &H, buf, n);
	c->nout = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	static struct hc c;
	static struct rfc8157_msg m;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false);
		inet_pton(AF_INET6, "2001:db8::1", &G);
		inet_pton(AF_INET6, "2001:db8::6", &H);
		inet_pton(AF_INET6, "2001:db8:1::2", &E);
		inet_pton(AF_INET6, "2001:db8:2::2", &D);
		once = 1;
	}
	if (rfc8157_parse(data, size, RFC8157_PROTO_TELEKOM, RFC8157_PROTO_RFC, &m, NULL) == 0) {
		uint8_t out[70000];
		size_t n = rfc8157_encode(&m, out, sizeof(out));
		if (n != size || memcmp(out, data, size) != 0)
			abort(); /* a parsed message must re-encode to its bytes */
		if (m.filter_list) {
			static struct rfc8157_filter_list fl;
			rfc8157_filter_parse(m.filter_list, m.filter_list_len, &fl, NULL);
		}
	}
	/* the state machine: the message with the session's key patched in
	 * (so it passes the key check), on both tunnels, from H */
	bonded(&c);
	uint8_t tmp[4096];
	size_t n = size < sizeof(tmp) ? size : sizeof(tmp);
	memcpy(tmp, data, n);
	if (n >= 8) {
		tmp[4] = 0x11; tmp[5] = 0x22; tmp[6] = 0x33; tmp[7] = 0x44;
	}
	for (int t = 0; t < HC_NTUN; t++) {
		hc_input(&c, t, &H, tmp, n);
		c.nout = 0;
		hgw_fake_clock_advance(&fc, 1500);
		hc_tick(&c);
		c.nout = 0;
	}
	/* the HAAP name lookup's answer parser */
	struct in6_addr a;
	dns_aaaa_answer(data, size, size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0,
			"haap.t-online.de", &a);
	/* capture frames of every link type we walk */
	static const int dlts[] = { 1, 12, 113, 276 };
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		struct gre_frame f;
		if (frame_gre(dlts[i], data, size, &f) == 0 &&
		    (f.gre < data || f.gre + f.len > data + size))
			abort();
	}
	return 0;
}
