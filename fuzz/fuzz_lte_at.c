/* Fuzz target: lte-modemd's AT line engine and every response parser.
 * The input is fed to the engine in pieces whose sizes come from the first
 * byte (split reads), with a command in flight; every line is also handed
 * to each parser directly. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../lte-modemd/at_engine.h"
#include "../lte-modemd/huawei.h"
#include "../lte-modemd/ts27007.h"
#include "log.h"

static void parse_all(const char *line)
{
	struct at_creg c;
	struct at_cops o;
	struct at_cgcontrdp d;
	struct at_cgpaddr p;
	struct at_addr a;
	struct hw_hcsq h;
	struct hw_sysinfoex x;
	enum at_sim sim;
	enum at_cgev ev;
	int i1, i2;
	at_parse_creg(line, &c);
	at_parse_csq(line, &i1);
	at_parse_cops(line, &o);
	at_parse_cpin(line, &sim);
	at_parse_cgcontrdp(line, &d);
	at_parse_cgpaddr(line, &p);
	at_parse_cgev(line, &ev, &i1);
	at_parse_cgact(line, &i1, &i2);
	at_parse_addr(line, &a);
	hw_parse_hcsq(line, &h);
	hw_parse_rssi(line, &i1);
	hw_parse_sysinfoex(line, &x);
	hw_parse_ndisstat(line, "IPV6", &i1, &i2);
	hw_parse_ndisstat(line, "", &i1, &i2);
	at_cme_classify(-1, line);
}

static int w(void *arg, const char *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static void urc(void *arg, const char *line)
{
	(void)arg;
	parse_all(line);
}

static struct at_engine *eng;

static void done(void *arg, const struct at_response *r)
{
	(void)arg;
	for (int i = 0; i < r->nlines; i++)
		parse_all(r->line[i]);
	/* keep a command in flight for the rest of the input */
	if (eng)
		at_engine_send(eng, "AT+CGCONTRDP=1", "+CGCONTRDP:", 1000, false, done, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once) {
		hgw_log_init("fuzz", HGW_LOG_ERR - 1, false);
		once = 1;
	}
	if (size < 1)
		return 0;
	static struct hgw_fake_clock clk;
	static struct at_engine e;
	hgw_fake_clock_init(&clk, 1700000000);
	struct at_engine_ops ops = { w, urc, NULL, NULL };
	at_engine_init(&e, &clk.clock, &ops);
	eng = &e;
	at_engine_send(&e, "AT+CGPADDR=1", "+CGPADDR:", 1000, false, done, NULL);
	size_t step = (data[0] % 17) + 1;
	for (size_t off = 1; off < size; off += step) {
		size_t n = size - off < step ? size - off : step;
		at_engine_feed(&e, data + off, n);
	}
	hgw_fake_clock_advance(&clk, 2000);
	at_engine_tick(&e);
	/* and each line of the input straight into the parsers */
	char line[AT_LINE_MAX];
	size_t l = 0;
	for (size_t i = 1; i <= size; i++) {
		if (i == size || data[i] == '\n' || data[i] == '\r' || l == sizeof(line) - 1) {
			line[l] = 0;
			parse_all(line);
			l = 0;
		} else if (data[i]) {
			line[l++] = (char)data[i];
		}
	}
	eng = NULL;
	at_engine_reset(&e);
	return 0;
}
