/* Helpers for pppoed's unit tests. */
#include "ppptest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

void pt_init(struct pt *t)
{
	memset(t, 0, sizeof(*t));
	hgw_fake_clock_init(&t->clock, 1700000000);
	hgw_fake_rng_init(&t->rng, 42);
}

void pt_send(void *owner, uint16_t proto, const uint8_t *pkt, size_t len)
{
	struct pt *t = owner;
	assert_true(t->n < PT_MAX);
	assert_true(len <= sizeof(t->sent[0].pkt));
	t->sent[t->n].proto = proto;
	memcpy(t->sent[t->n].pkt, pkt, len);
	t->sent[t->n].len = len;
	t->n++;
}

size_t pt_pkt(uint8_t *buf, uint8_t code, uint8_t id, const uint8_t *data, size_t n)
{
	buf[0] = code;
	buf[1] = id;
	buf[2] = (uint8_t)((n + 4) >> 8);
	buf[3] = (uint8_t)(n + 4);
	if (n)
		memcpy(buf + 4, data, n);
	return n + 4;
}

size_t pt_hex(uint8_t *buf, const char *hex)
{
	size_t n = 0;
	unsigned v;
	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		buf[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

void pt_quiet(void)
{
	hgw_log_init("test", HGW_LOG_ERR, false);
}

int pt_tshark_check(const uint8_t *const *frames, const size_t *lens, int n)
{
	if (system("command -v tshark >/dev/null 2>&1") != 0)
		return -1;
	char path[] = "/tmp/pppoed-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(gh, 4, 6, f);
	for (int i = 0; i < n; i++) {
		uint32_t ph[4] = { (uint32_t)i, 0, (uint32_t)lens[i], (uint32_t)lens[i] };
		fwrite(ph, 4, 4, f);
		fwrite(frames[i], 1, lens[i], f);
	}
	fclose(f);
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r %s -Y '_ws.malformed || _ws.expert.severity >= 0x00800000' -V 2>/dev/null",
		 path);
	FILE *p = popen(cmd, "r");
	char line[512];
	int bad = 0;
	while (fgets(line, sizeof(line), p)) {
		fputs(line, stderr);
		bad = 1;
	}
	pclose(p);
	/* also: every frame dissected as PPPoE */
	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -Y 'pppoed || pppoes' 2>/dev/null | wc -l", path);
	p = popen(cmd, "r");
	int count = 0;
	if (fgets(line, sizeof(line), p))
		count = atoi(line);
	pclose(p);
	unlink(path);
	if (count != n) {
		fprintf(stderr, "tshark saw %d PPPoE frames of %d\n", count, n);
		bad = 1;
	}
	return bad;
}
