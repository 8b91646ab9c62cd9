/* AT dialogue lines as Wireshark Upper-PDU packets; see atpdu.h.
 * Exported-PDU header: TLVs (tag, length, value; big-endian), tag 12 = the
 * dissector to hand the payload to, tag 0 ends the list. */
#include "atpdu.h"

#include "pkt.h"

#define EXP_PDU_TAG_END 0
#define EXP_PDU_TAG_DISSECTOR_NAME 12

size_t atpdu_build(const uint8_t *dgram, size_t len, uint8_t *buf, size_t cap, int *outbound)
{
	struct hgw_rd r = hgw_rd_init(dgram, len);
	uint8_t dir = hgw_rd_u8(&r);
	if (!hgw_rd_ok(&r) || (dir != '>' && dir != '<'))
		return 0;
	if (hgw_rd_left(&r) && dgram[1] == ' ')
		hgw_rd_skip(&r, 1);
	size_t n = hgw_rd_left(&r);
	const uint8_t *text = hgw_rd_ptr(&r, n);
	while (n && (text[n - 1] == '\r' || text[n - 1] == '\n'))
		n--;
	if (n == 0 || n > ATPDU_MAX_LINE)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (text[i] < 0x20 || text[i] == 0x7f)
			return 0;
	*outbound = dir == '>';
	struct hgw_wr w = hgw_wr_init(buf, cap);
	hgw_wr_u16(&w, EXP_PDU_TAG_DISSECTOR_NAME);
	hgw_wr_u16(&w, 4);
	hgw_wr_bytes(&w, "at\0\0", 4);
	hgw_wr_u16(&w, EXP_PDU_TAG_END);
	hgw_wr_u16(&w, 0);
	/* As on the serial line: a command ends in CR, a response is framed
	 * by CR LF (V.250 §5.7.1), which is how the dissector tells them apart. */
	if (!*outbound)
		hgw_wr_bytes(&w, "\r\n", 2);
	hgw_wr_bytes(&w, text, n);
	hgw_wr_bytes(&w, *outbound ? "\r" : "\r\n", *outbound ? 1 : 2);
	return hgw_wr_ok(&w) ? hgw_wr_len(&w) : 0;
}
