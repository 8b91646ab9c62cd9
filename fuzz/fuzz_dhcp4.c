/* Fuzz target: IPv4/UDP unframing, the DHCPv4 parser, and the client state
 * machine fed with what parses, then the state document. */
#include <stdint.h>
#include <string.h>

#include "../dhcp6c/rfc2131_client.h"
#include "../dhcp6c/state4.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	if (!init) {
		hgw_log_init("fuzz", HGW_LOG_ERR, false);
		init = true;
	}
	const uint8_t *p;
	long n = d4_unframe(data, size, 68, true, &p, NULL, NULL);
	if (n >= 0) {
		struct d4_msg m;
		d4_parse(p, (size_t)n, &m, NULL);
	}
	struct d4_msg m;
	if (d4_parse(data, size, &m, NULL) < 0)
		return 0;
	static struct hgw_fake_clock clk;
	static struct hgw_fake_rng rng;
	static struct d4c c;
	hgw_fake_clock_init(&clk, 1700000000);
	hgw_fake_rng_init(&rng, 1);
	struct d4c_config cfg = { .htype = m.htype, .hlen = m.hlen };
	memcpy(cfg.chaddr, m.chaddr, 16);
	d4c_init(&c, &cfg, &clk.clock, &rng.rng);
	d4c_start(&c);
	m.op = 2;
	m.xid = c.xid;
	m.type = D4_OFFER;
	d4c_recv(&c, &m, data, size);
	m.xid = c.xid;
	m.type = D4_ACK;
	d4c_recv(&c, &m, data, size);
	for (int i = 0; i < 4 && d4c_next_timer(&c) != INT64_MAX; i++) {
		int64_t t = d4c_next_timer(&c) - hgw_now_ms(&clk.clock);
		hgw_fake_clock_advance(&clk, t > 0 ? t : 0);
		d4c_timer(&c);
	}
	json_decref(state4_doc(&c, "fuzz0"));
	return 0;
}
