/* netlinkd's configuration section: the schema (its doc strings are the
 * documentation, see --print-schema) and the parsed form the pure code uses. */
#ifndef NL_CONFIG_H
#define NL_CONFIG_H

#include <jansson.h>

#include "model.h"
#include "schema.h"

extern const struct hgw_field nl_config_schema[];

#define NL_MAX_LAN 16
#define NL_MAX_LAN_ADDRS 8

struct nl_lan {
	char ifname[NL_IFNAMSIZ];
	uint32_t mtu;
	int subnet_id; /* -1 = next free, in order */
	bool pd;       /* give this LAN a /64 of every delegated prefix */
	struct nl_addr addrs[NL_MAX_LAN_ADDRS];
	int n_addrs;
};

struct nl_wan_cfg {
	uint32_t table;
	uint32_t metric;
	bool default_route;
	int accept_ra; /* -1 = leave alone */
	int mptcp;     /* NL_MPTCP_* */
	bool has_ll;   /* a link-local address to add */
	uint8_t ll[16];
};
enum { NL_MPTCP_OFF, NL_MPTCP_ON, NL_MPTCP_BACKUP, NL_MPTCP_HANDOVER };

struct nl_config {
	struct nl_owner owner;
	bool forwarding;
	bool cleanup_on_exit;
	uint8_t pd_host[8]; /* interface identifier of the router on each PD /64 */
	uint32_t pd_unreachable_metric;
	uint32_t mptcp_subflows, mptcp_add_addr;
	struct nl_link links[NL_MAX_LINKS];
	int n_links;
	struct nl_lan lan[NL_MAX_LAN];
	int n_lan;
	struct nl_wan_cfg wan[NL_WAN_N];
	struct nl_fw fw; /* enabled, table, port forwards; LANs and WANs filled later */
};

/* From a section checked against nl_config_schema (defaults filled in).
 * Returns 0, or -1 with the reason (cross-field checks the schema cannot
 * express: duplicate tables, an empty priority range) in e. */
int nl_config_parse(const json_t *section, struct nl_config *c, struct hgw_errors *e);

#endif
