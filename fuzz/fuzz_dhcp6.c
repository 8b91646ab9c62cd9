/* Fuzz target: DHCPv6 parser, and the client state machine fed with what
 * parses (as Advertise/Reply for the current exchange), then the state
 * document built from the result. */
#include <stdint.h>
#include <string.h>

#include "../dhcp6c/rfc8415_client.h"
#include "../dhcp6c/state6.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	if (!init) {
		hgw_log_init("fuzz", HGW_LOG_ERR, false);
		init = true;
	}
	struct d6_msg m;
	if (d6_parse(data, size, &m, NULL) < 0)
		return 0;
	static struct hgw_fake_clock clk;
	static struct hgw_fake_rng rng;
	static struct d6c c;
	hgw_fake_clock_init(&clk, 1700000000);
	hgw_fake_rng_init(&rng, 1);
	struct d6c_config cfg = { .ia_na = true, .ia_pd = true, .rapid_commit = true,
				  .reconf_accept = true };
	/* Use the packet's own client id so the machine accepts it. */
	cfg.duid = m.has_client_id ? m.client_id : (struct d6_duid){ 4, { 0, 3, 0, 1 } };
	d6c_init(&c, &cfg, &clk.clock, &rng.rng);
	d6c_start(&c);
	m.xid = c.xid;
	d6c_recv(&c, &m, data, size);
	m.xid = c.xid;
	m.type = D6_REPLY;
	d6c_recv(&c, &m, data, size);
	/* The same bytes as a Reconfigure to the now bound client (the key,
	 * if any, came from the "Reply" above), and as a Decline trigger. */
	m.type = D6_RECONFIGURE;
	d6c_recv(&c, &m, data, size);
	if (m.ia_na.n)
		d6c_decline(&c, &m.ia_na.l[0].addr);
	for (int i = 0; i < 4 && d6c_next_timer(&c) != INT64_MAX; i++) {
		int64_t t = d6c_next_timer(&c) - hgw_now_ms(&clk.clock);
		hgw_fake_clock_advance(&clk, t > 0 ? t : 0);
		d6c_timer(&c);
	}
	json_t *doc = state6_doc(&c, "fuzz0");
	json_decref(doc);
	return 0;
}
