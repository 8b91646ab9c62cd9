/* Interface registry; see ifreg.h. */
#include "ifreg.h"

#include <pcap/pcap.h>
#include <string.h>

void ifreg_init(struct ifreg *g)
{
	memset(g, 0, sizeof(*g));
}

uint16_t ifreg_get(struct ifreg *g, const char *name, int dlt, uint32_t snaplen)
{
	int free_id = -1;
	for (int i = 0; i < IFREG_MAX; i++) {
		struct ifreg_entry *e = &g->e[i];
		if (!e->refs) {
			if (free_id < 0)
				free_id = i;
			continue;
		}
		if (e->dlt == dlt && e->snaplen == snaplen &&
		    strncmp(e->name, name, sizeof(e->name)) == 0) {
			e->refs++;
			return (uint16_t)i;
		}
	}
	if (free_id < 0)
		return IFREG_NONE;
	struct ifreg_entry *e = &g->e[free_id];
	uint32_t gen = e->gen + 1;
	memset(e, 0, sizeof(*e));
	strncpy(e->name, name, sizeof(e->name) - 1);
	e->dlt = dlt;
	e->linktype = ifreg_linktype(dlt);
	e->snaplen = snaplen;
	e->refs = 1;
	e->gen = gen;
	return (uint16_t)free_id;
}

void ifreg_ref(struct ifreg *g, uint16_t id)
{
	if (id < IFREG_MAX && g->e[id].refs)
		g->e[id].refs++;
}

void ifreg_unref(struct ifreg *g, uint16_t id)
{
	if (id < IFREG_MAX && g->e[id].refs)
		g->e[id].refs--;
}

void ifreg_on_evict(void *arg, const struct ring_pkt *p)
{
	ifreg_unref(arg, p->ifid);
}

int ifreg_linktype(int dlt)
{
	/* DLT_RAW's value differs between systems; the file format has one
	 * LINKTYPE_RAW (101).  The others hgw meets are equal in both. */
	if (dlt == DLT_RAW)
		return 101;
	return dlt;
}
