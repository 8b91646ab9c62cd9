/* Fuzz target: what reaches netdumpd from outside.  The first byte picks
 * the input: an SSH session command, an authorized_keys file, an AT
 * datagram, or a packet sequence pushed through the ring and streamed out
 * as pcapng through odd buffer sizes (every block must be well-formed and
 * every packet come out once, in order). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../netdumpd/atpdu.h"
#include "../netdumpd/authkeys.h"
#include "../netdumpd/command.h"
#include "../netdumpd/ifreg.h"
#include "../netdumpd/ring.h"
#include "../netdumpd/stream.h"
#include "log.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fuzz_stream(const uint8_t *d, size_t n)
{
	struct ifreg g;
	struct ring r;
	ifreg_init(&g);
	if (ring_init(&r, 32, 4096) < 0)
		abort();
	r.on_evict = ifreg_on_evict;
	r.evict_arg = &g;
	uint16_t ids[3] = { ifreg_get(&g, "eth0", 1, 65535), ifreg_get(&g, "tun0", 12, 65535),
			    ifreg_get(&g, "ppp0", 113, 65535) };
	struct stream st;
	char err[512];
	int dlts[] = { 1 };
	if (stream_init(&st, STREAM_ALL, n && d[0] & 1 ? "arp" : NULL, &r, dlts, 1, err) < 0)
		abort();
	static uint8_t buf[8192];
	uint64_t expect_next = 0;
	size_t i = 1;
	/* Records: len (1 byte, x8), interface (1 byte), then bytes; between
	 * records the stream is drained through a buffer of varying size. */
	while (i + 2 <= n) {
		uint32_t len = (uint32_t)d[i] * 8;
		uint16_t ifid = ids[d[i + 1] % 3];
		i += 2;
		if (len > n - i)
			len = (uint32_t)(n - i);
		if (ring_push(&r, i, ifid, 0, d + i, len, len) != UINT64_MAX)
			ifreg_ref(&g, ifid);
		i += len;
		size_t cap = 64 + (len * 7) % sizeof(buf);
		bool done;
		size_t out = stream_fill(&st, &r, &g, buf, cap, &done);
		/* walk the blocks */
		size_t o = 0;
		while (o < out) {
			if (out - o < 12)
				abort();
			uint32_t bl = be32(buf + o + 4);
			if (bl < 12 || bl % 4 || bl > out - o || be32(buf + o + bl - 4) != bl)
				abort();
			o += bl;
		}
		if (st.cursor < expect_next)
			abort(); /* never goes back: no duplicates */
		expect_next = st.cursor;
	}
	/* every sequence number passed is accounted for exactly once */
	if (st.sent + st.lost + st.filtered != st.cursor)
		abort();
	stream_free(&st);
	ring_free(&r);
}

static void fuzz_authkeys(const uint8_t *d, size_t n)
{
	struct authkeys a;
	authkeys_parse(&a, (const char *)d, n, NULL, NULL);
	authkeys_free(&a);
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
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	switch (data[0] % 4) {
	case 0: {
		struct command c;
		char err[256];
		command_parse((const char *)d, n, &c, err, sizeof(err));
		break;
	}
	case 1:
		fuzz_authkeys(d, n);
		break;
	case 2: {
		uint8_t out[ATPDU_MAX_LINE + 32];
		int ob;
		atpdu_build(d, n, out, sizeof(out), &ob);
		break;
	}
	default:
		fuzz_stream(d, n);
		break;
	}
	return 0;
}
