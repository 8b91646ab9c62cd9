/* GRE in captured frames; see frame.h. */
#include "frame.h"

#include <string.h>
#include <sys/socket.h>

#include "pkt.h"

#define DLT_EN10MB_ 1
#define DLT_RAW_ 12
#define DLT_RAW2_ 101
#define DLT_LINUX_SLL_ 113
#define DLT_IPV4_ 228
#define DLT_IPV6_ 229
#define DLT_LINUX_SLL2_ 276

static int ip6(struct hgw_rd *r, struct gre_frame *f)
{
	uint32_t vtc = hgw_rd_u32(r);
	uint16_t plen = hgw_rd_u16(r);
	uint8_t nh = hgw_rd_u8(r);
	hgw_rd_u8(r);
	hgw_rd_bytes(r, &f->src.v6, 16);
	hgw_rd_bytes(r, &f->dst.v6, 16);
	if (!hgw_rd_ok(r) || vtc >> 28 != 6)
		return -1;
	struct hgw_rd pl = hgw_rd_sub(r, plen > hgw_rd_left(r) ? hgw_rd_left(r) : plen);
	/* hop-by-hop, routing, destination options (the encapsulation limit
	 * option of ip6gre lives there) */
	for (int i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 60); i++) {
		nh = hgw_rd_u8(&pl);
		uint8_t l = hgw_rd_u8(&pl);
		hgw_rd_skip(&pl, (size_t)l * 8 + 6);
	}
	if (!hgw_rd_ok(&pl) || nh != 47)
		return -1;
	f->family = AF_INET6;
	f->len = hgw_rd_left(&pl);
	f->gre = hgw_rd_ptr(&pl, f->len);
	return f->gre ? 0 : -1;
}

static int ip4(struct hgw_rd *r, struct gre_frame *f)
{
	uint8_t vihl = hgw_rd_u8(r);
	hgw_rd_u8(r);
	uint16_t tot = hgw_rd_u16(r);
	hgw_rd_skip(r, 4);
	hgw_rd_u8(r);
	uint8_t proto = hgw_rd_u8(r);
	hgw_rd_skip(r, 2);
	hgw_rd_bytes(r, &f->src.v4, 4);
	hgw_rd_bytes(r, &f->dst.v4, 4);
	unsigned ihl = (vihl & 15) * 4u;
	if (!hgw_rd_ok(r) || vihl >> 4 != 4 || ihl < 20 || tot < ihl || proto != 47)
		return -1;
	hgw_rd_skip(r, ihl - 20);
	size_t n = tot - ihl;
	if (n > hgw_rd_left(r))
		n = hgw_rd_left(r);
	f->family = AF_INET;
	f->len = n;
	f->gre = hgw_rd_ptr(r, n);
	return f->gre ? 0 : -1;
}

int frame_gre(int dlt, const uint8_t *p, size_t len, struct gre_frame *f)
{
	memset(f, 0, sizeof(*f));
	struct hgw_rd r = hgw_rd_init(p, len);
	uint16_t et = 0;
	switch (dlt) {
	case DLT_EN10MB_:
		hgw_rd_skip(&r, 12);
		et = hgw_rd_u16(&r);
		while (et == 0x8100 || et == 0x88a8) { /* VLAN tags */
			hgw_rd_skip(&r, 2);
			et = hgw_rd_u16(&r);
			if (!hgw_rd_ok(&r))
				return -1;
		}
		break;
	case DLT_LINUX_SLL_:
		hgw_rd_skip(&r, 14);
		et = hgw_rd_u16(&r);
		break;
	case DLT_LINUX_SLL2_:
		et = hgw_rd_u16(&r);
		hgw_rd_skip(&r, 18);
		break;
	case DLT_RAW_:
	case DLT_RAW2_:
	case DLT_IPV4_:
	case DLT_IPV6_:
		if (!len)
			return -1;
		et = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default:
		return -1;
	}
	if (!hgw_rd_ok(&r))
		return -1;
	if (et == 0x86dd)
		return ip6(&r, f);
	if (et == 0x0800)
		return ip4(&r, f);
	return -1;
}
