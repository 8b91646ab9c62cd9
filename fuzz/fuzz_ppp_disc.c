/* Fuzz target: PPPoE discovery parsing and the discovery client, fed
 * hostile PADO/PADS/PADT in every client state. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "../pppoed/rfc2516.h"
#include "../pppoed/rfc2516_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false);
		once = 1;
	}
	struct pppoe_disc d;
	const char *why;
	if (pppoe_disc_parse(data, size, &d, &why) == 0) {
		/* whatever parsed must build again within bounds */
		uint8_t out[1600];
		pppoe_disc_build(out, sizeof(out), d.code, d.sid, &d.t);
	}
	uint16_t sid;
	const uint8_t *ppp;
	size_t n;
	pppoe_sess_parse(data, size, &sid, &ppp, &n, &why);

	struct hgw_fake_clock clk;
	struct hgw_fake_rng rng;
	hgw_fake_clock_init(&clk, 1700000000);
	hgw_fake_rng_init(&rng, 1);
	struct pd_config cfg = { .ac_name = "", .service = "", .max_payload = 1500,
				 .padi_initial_ms = 1000, .padi_max_ms = 4000,
				 .padr_timeout_ms = 1000, .padr_tries = 2 };
	static struct pd p;
	pd_init(&p, &cfg, &clk.clock, &rng.rng);
	pd_start(&p);
	const uint8_t ac[6] = { 2, 0, 0, 0, 0, 1 };
	/* The input as a sequence of packets split at 0xff 0xfe markers, with
	 * our Host-Uniq patched in where the input has eight 0xee bytes, so
	 * the fuzzer can reach PADR and session states. */
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i == size || (i + 1 < size && data[i] == 0xff && data[i + 1] == 0xfe)) {
			uint8_t pkt[1600];
			size_t len = i - start < sizeof(pkt) ? i - start : sizeof(pkt);
			memcpy(pkt, data + start, len);
			for (size_t k = 0; k + 8 <= len; k++)
				if (memcmp(pkt + k, "\xee\xee\xee\xee\xee\xee\xee\xee", 8) == 0)
					memcpy(pkt + k, p.host_uniq, 8);
			pd_recv(&p, ac, pkt, len);
			hgw_fake_clock_advance(&clk, 700);
			pd_timer(&p);
			start = i + 2;
			i++;
		}
	}
	pd_stop(&p);
	return 0;
}
