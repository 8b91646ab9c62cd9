/* Fuzz target: lte-modemd's modem state machine fed arbitrary modem output.
 * Input: chunks of [1 byte: time to advance in 10 ms steps | 1 byte: length
 * | bytes].  Every command the machine sends goes nowhere; whatever state it
 * reaches must render as lte.json that passes hgw_schema_lte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../lte-modemd/lte_json.h"
#include "../lte-modemd/modem.h"
#include "log.h"
#include "state_schemas.h"

static int w(void *arg, const char *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false);
		once = 1;
	}
	static struct hgw_fake_clock clk;
	static struct hgw_fake_rng rng;
	static struct lte_modem m;
	hgw_fake_clock_init(&clk, 1700000000);
	hgw_fake_rng_init(&rng, 1);
	struct lte_config c = {
		.profile = LTE_PROFILE_AUTO, .pdp = LTE_PDP_IPV4V6, .cid = 1, .apn = "hybrid.telekom",
		.pin = "1234", .cmd_timeout_ms = 100, .attach_timeout_ms = 300, .poll_ms = 200,
		.search_timeout_ms = 1000, .retry_min_ms = 50, .retry_max_ms = 400,
		.reset_after = 3, .timeouts_before_reopen = 3, .log_lines = 8,
	};
	struct lte_modem_ops ops = { w, NULL, NULL };
	lte_modem_init(&m, &c, &clk.clock, &rng.rng, &ops);
	lte_modem_opened(&m);
	size_t off = 0;
	while (off + 2 <= size) {
		hgw_fake_clock_advance(&clk, data[off] * 10);
		size_t n = data[off + 1];
		off += 2;
		if (n > size - off)
			n = size - off;
		lte_modem_tick(&m);
		lte_modem_input(&m, data + off, n);
		off += n;
		if (lte_modem_want_reopen(&m)) {
			lte_modem_closed(&m, "fuzz");
			lte_modem_opened(&m);
		}
	}
	struct lte_json_ctx jc = { "wwan0", "/dev/ttyUSB0", 1 };
	json_t *doc = lte_json_build(&m, &jc);
	struct hgw_errors e = { 0 };
	if (hgw_schema_check(doc, hgw_schema_lte, "lte.json", &e))
		abort(); /* a document readers would refuse */
	json_decref(doc);
	return 0;
}
