/* A client's pcapng stream; see stream.h. */
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "pcapng.h"

#define APP_NAME "netdumpd " HGW_VERSION_STR
#ifdef HGW_VERSION
#define HGW_VERSION_STR HGW_VERSION
#else
#define HGW_VERSION_STR "?"
#endif

int stream_init(struct stream *s, enum stream_mode mode, const char *filter,
		const struct ring *r, const int *check_dlts, int ndlts, char *err)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->cursor = mode == STREAM_LIVE ? r->next_seq : r->first_seq;
	s->end = mode == STREAM_BACKLOG ? r->next_seq : UINT64_MAX;
	if (filter && *filter) {
		bool any = false;
		char why[PCAP_ERRBUF_SIZE] = "no link type to check against";
		for (int i = 0; i < ndlts && !any; i++) {
			struct bpf_program p;
			if (filter_compile(check_dlts[i], 65535, filter, &p, why) == 0) {
				pcap_freecode(&p);
				any = true;
			}
		}
		if (!any) {
			snprintf(err, PCAP_ERRBUF_SIZE, "%s", why);
			return -1;
		}
		s->filter = strdup(filter);
		if (!s->filter) {
			snprintf(err, PCAP_ERRBUF_SIZE, "out of memory");
			return -1;
		}
	}
	return 0;
}

void stream_free(struct stream *s)
{
	for (int i = 0; i < s->nprogs; i++)
		if (s->progs[i].ok)
			pcap_freecode(&s->progs[i].prog);
	free(s->filter);
	s->filter = NULL;
	s->nprogs = 0;
}

/* The client filter for a link type: NULL = the packet does not match
 * (the filter makes no sense there). */
static const struct bpf_program *prog_for(struct stream *s, int dlt)
{
	for (int i = 0; i < s->nprogs; i++)
		if (s->progs[i].dlt == dlt)
			return s->progs[i].ok ? &s->progs[i].prog : NULL;
	if (s->nprogs == STREAM_MAX_DLTS)
		return NULL;
	char err[PCAP_ERRBUF_SIZE];
	int i = s->nprogs++;
	s->progs[i].dlt = dlt;
	s->progs[i].ok = filter_compile(dlt, 65535, s->filter, &s->progs[i].prog, err) == 0;
	return s->progs[i].ok ? &s->progs[i].prog : NULL;
}

size_t stream_fill(struct stream *s, const struct ring *r, const struct ifreg *g, uint8_t *buf,
		   size_t cap, bool *done)
{
	size_t len = 0;
	*done = false;
	if (!s->header_sent) {
		size_t n = pcapng_shb(buf, cap, APP_NAME);
		if (!n)
			return 0;
		len += n;
		s->header_sent = true;
	}
	for (;;) {
		if (s->cursor < r->first_seq) {
			/* Fell behind the oldest packet: skip and say so. */
			uint64_t lost = r->first_seq - s->cursor;
			if (s->end != UINT64_MAX && s->end < r->first_seq)
				lost = s->end > s->cursor ? s->end - s->cursor : 0;
			s->lost += lost;
			s->pending_lost += lost;
			s->gaps++;
			s->cursor = r->first_seq;
		}
		if (s->cursor >= s->end) {
			*done = true;
			break;
		}
		const uint8_t *data;
		const struct ring_pkt *p = ring_get(r, s->cursor, &data);
		if (!p)
			break; /* caught up with live */
		const struct ifreg_entry *e = ifreg_at(g, p->ifid);
		if (!e) { /* cannot happen: the packet holds a reference */
			s->lost++;
			s->pending_lost++;
			s->cursor++;
			continue;
		}
		if (s->filter) {
			const struct bpf_program *prog = prog_for(s, e->dlt);
			if (!prog || !filter_match(prog, data, p->caplen, p->origlen)) {
				s->filtered++;
				s->cursor++;
				continue;
			}
		}
		char comment[96];
		struct pcapng_epb_opts o = { .flags = p->flags & 3u };
		if (s->pending_lost) {
			snprintf(comment, sizeof(comment),
				 "netdumpd: %llu packets lost before this one (client read too slowly)",
				 (unsigned long long)s->pending_lost);
			o.comment = comment;
			o.dropcount = s->pending_lost;
		}
		bool announce = s->if_id[p->ifid] == 0 || s->if_gen[p->ifid] != e->gen;
		size_t need = pcapng_epb_size(p->caplen, &o) + (announce ? pcapng_idb_size(e->name) : 0);
		if (need > cap - len) {
			if (need > cap) { /* can never fit (caller passes its whole buffer): skip */
				s->lost++;
				s->pending_lost++;
				s->cursor++;
				continue;
			}
			break;
		}
		if (announce) {
			len += pcapng_idb(buf + len, cap - len, (uint16_t)e->linktype, e->snaplen,
					  e->name);
			s->if_gen[p->ifid] = e->gen;
			s->if_id[p->ifid] = ++s->next_if_id;
		}
		len += pcapng_epb(buf + len, cap - len, s->if_id[p->ifid] - 1, p->ts_ns, data,
				  p->caplen, p->origlen, &o);
		s->pending_lost = 0;
		s->sent++;
		s->cursor++;
	}
	return len;
}
