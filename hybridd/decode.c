/* hybridd --decode; see decode.h. */
#include "decode.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/socket.h>

static json_t *hex(const uint8_t *v, size_t n)
{
	char s[2 * 1024 + 1];
	if (n > 1024)
		n = 1024;
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", v[i]);
	s[2 * n] = 0;
	return json_string(s);
}

static uint32_t be32(const uint8_t *v)
{
	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

static json_t *prefix(const uint8_t *v)
{
	char a[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN + 5];
	inet_ntop(AF_INET6, v, a, sizeof(a));
	snprintf(s, sizeof(s), "%s/%u", a, v[16]);
	return json_string(s);
}

static json_t *filter_json(const uint8_t *v, size_t n)
{
	static struct rfc8157_filter_list fl;
	const char *why = NULL;
	if (rfc8157_filter_parse(v, n, &fl, &why) < 0)
		return json_pack("{s:s,s:o}", "error", why, "raw", hex(v, n));
	json_t *items = json_array();
	for (unsigned i = 0; i < fl.nitems; i++)
		json_array_append_new(items,
				      json_pack("{s:i,s:s,s:b,s:s,s:s}", "type", fl.items[i].type,
						"kind", rfc8157_filter_type_name(fl.items[i].type),
						"enabled", fl.items[i].enabled != 0, "description",
						fl.items[i].desc, "value", fl.items[i].value));
	return json_pack("{s:I,s:i,s:i,s:o}", "commit", (json_int_t)fl.commit, "packet_sum",
			 fl.packet_sum, "packet_id", fl.packet_id, "items", items);
}

static json_t *value_json(const struct rfc8157_attr *a)
{
	const uint8_t *v = a->val;
	char s[INET6_ADDRSTRLEN];
	if (!rfc8157_attr_name(a->type))
		return hex(v, a->len);
	switch (a->type) {
	case A_H_IPV4: return json_string(inet_ntop(AF_INET, v, s, sizeof(s)));
	case A_H_IPV6: return json_string(inet_ntop(AF_INET6, v, s, sizeof(s)));
	case A_CIN:
	case A_BRAS_NAME: {
		char str[256];
		size_t j = 0;
		for (size_t i = 0; i < a->len && v[i] && j < sizeof(str) - 1; i++)
			str[j++] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
		str[j] = 0;
		return json_string(str);
	}
	case A_TIMESTAMP:
		return json_pack("{s:I,s:I}", "sec", (json_int_t)be32(v), "ms", (json_int_t)be32(v + 4));
	case A_FILTER_LIST: return filter_json(v, a->len);
	case A_PREFIX_BY_HAAP:
	case A_PREFIX_TO_HOST: return prefix(v);
	case A_FILTER_ACK:
		return json_pack("{s:I,s:i}", "commit", (json_int_t)be32(v), "code", v[4]);
	case A_ERROR_CODE:
		return json_pack("{s:I,s:s}", "code", (json_int_t)be32(v), "text",
				 rfc8157_error_text(be32(v)));
	default:
		if (a->len == 0)
			return json_null();
		if (a->len == 4)
			return json_integer(be32(v));
		return hex(v, a->len);
	}
}

json_t *decode_msg_json(const struct rfc8157_msg *m)
{
	json_t *attrs = json_array();
	for (unsigned i = 0; i < m->nattrs; i++) {
		const struct rfc8157_attr *a = &m->attrs[i];
		const char *name = rfc8157_attr_name(a->type);
		json_array_append_new(attrs, json_pack("{s:i,s:s,s:o}", "type", a->type, "name",
						       name ? name : "unknown", "value",
						       value_json(a)));
	}
	return json_pack("{s:I,s:i,s:s,s:i,s:I,s:o}", "key", (json_int_t)m->key, "message_type",
			 m->type, "message", rfc8157_type_name(m->type), "tunnel_type", m->ttype,
			 "protocol", (json_int_t)m->proto, "attributes", attrs);
}

int decode_pcap(const char *path, FILE *out)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc) {
		fprintf(stderr, "hybridd: %s\n", err);
		return 1;
	}
	int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *d;
	static struct rfc8157_msg m;
	int r;
	while ((r = pcap_next_ex(pc, &h, &d)) == 1) {
		struct gre_frame f;
		if (frame_gre(dlt, d, h->caplen, &f) < 0)
			continue;
		if (rfc8157_parse(f.gre, f.len, RFC8157_PROTO_TELEKOM, RFC8157_PROTO_RFC, &m, NULL) < 0)
			continue;
		json_t *o = decode_msg_json(&m);
		char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
		inet_ntop(f.family, &f.src, src, sizeof(src));
		inet_ntop(f.family, &f.dst, dst, sizeof(dst));
		json_t *line = json_pack("{s:f,s:s,s:s}", "time",
					 (double)h->ts.tv_sec + h->ts.tv_usec / 1e6, "src", src,
					 "dst", dst);
		json_object_update(line, o);
		json_decref(o);
		o = line;
		char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (s) {
			fprintf(out, "%s\n", s);
			free(s);
		}
		json_decref(o);
	}
	pcap_close(pc);
	return r == -1 ? 1 : 0;
}
