/* netdumpd.json; see status.h. */
#include "status.h"

#include "state.h"

json_t *status_doc(const struct status_in *in)
{
	json_t *doc = hgw_state_new("netdumpd", 1);
	json_t *ifs = json_array();
	for (int i = 0; i < in->nifaces; i++) {
		const struct status_iface *f = &in->ifaces[i];
		json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "name", f->name, "linktype",
				      f->linktype ? f->linktype : "?", "packets",
				      (json_int_t)f->packets, "kernel_drops",
				      (json_int_t)f->kernel_drops);
		if (f->kernel_filter >= 0)
			json_object_set_new(o, "kernel_filter", json_boolean(f->kernel_filter));
		json_array_append_new(ifs, o);
	}
	json_object_set_new(doc, "interfaces", ifs);
	const struct ring *r = in->ring;
	json_object_set_new(doc, "ring",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "packets",
				      (json_int_t)ring_count(r), "bytes", (json_int_t)r->bytes,
				      "max_packets", (json_int_t)r->max_pkts, "max_bytes",
				      (json_int_t)r->max_bytes, "memory", (json_int_t)ring_memory(r),
				      "total", (json_int_t)r->next_seq, "dropped_oldest",
				      (json_int_t)r->dropped));
	json_object_set_new(doc, "kernel_drops", json_integer((json_int_t)in->kernel_drops));
	json_object_set_new(doc, "clients_connected", json_integer(in->clients_connected));
	json_object_set_new(doc, "clients", in->clients ? in->clients : json_array());
	json_object_set_new(doc, "auth_failures", json_integer((json_int_t)in->auth_failures));
	return doc;
}

json_t *status_client(const char *peer, const char *user, const struct stream *st)
{
	static const char *const modes[] = { "all", "backlog", "live" };
	json_t *o = json_pack("{s:s, s:s, s:b}", "peer", peer, "user", user, "streaming", st != NULL);
	if (st) {
		json_object_set_new(o, "mode", json_string(modes[st->mode]));
		json_object_set_new(o, "filter", st->filter ? json_string(st->filter) : json_null());
		json_object_set_new(o, "sent", json_integer((json_int_t)st->sent));
		json_object_set_new(o, "lost", json_integer((json_int_t)st->lost));
		json_object_set_new(o, "gaps", json_integer((json_int_t)st->gaps));
	}
	return o;
}
