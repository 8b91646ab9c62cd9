/* The desired kernel configuration as a pure function of the inputs: the
 * config, the state files (already checked against their schemas) and the
 * time.  No I/O: tests call it with fake documents. */
#ifndef NL_DESIRED_H
#define NL_DESIRED_H

#include <jansson.h>

#include "nlconfig.h"
#include "model.h"

struct nl_inputs {
	const json_t *lte, *pppoe, *hybrid; /* NULL = file absent */
	/* Leases on each WAN's interface (dhcp4.<if>.json, dhcp6.<if>.json). */
	const json_t *dhcp4[NL_WAN_N], *dhcp6[NL_WAN_N];
	int64_t now; /* wall-clock Unix seconds (lease times are absolute) */
	/* What the kernel learnt by itself on the WANs (NULL = nothing):
	 * SLAAC addresses (IFAPROT_KERNEL_RA) get source rules like leased
	 * ones, and an RA default router (RTPROT_RA) becomes the WAN table's
	 * IPv6 gateway when the state files name none. */
	const struct nl_kstate *kernel;
};

/* Addresses netlinkd gave the LANs out of delegated prefixes, remembered so
 * that when a prefix changes the old addresses are deprecated (preferred
 * lifetime 0) until their valid lifetime ends instead of vanishing. */
#define NL_MAX_PD_HIST 64
struct nl_pd_entry {
	char ifname[NL_IFNAMSIZ];
	uint8_t addr[16];
	int wan; /* -1: adopted from the kernel, WAN unknown */
	int64_t valid_until; /* INT64_MAX = forever */
};
struct nl_pd_hist {
	struct nl_pd_entry e[NL_MAX_PD_HIST];
	int n;
};

/* Step 1: the interface of each WAN according to lte/pppoe/hybrid.json, ""
 * while that WAN is down.  The caller then loads the DHCP leases of these
 * interfaces into in->dhcp4/dhcp6. */
void nl_wan_interfaces(const struct nl_inputs *in, char ifs[NL_WAN_N][NL_IFNAMSIZ]);

/* Step 2: everything netlinkd wants in the kernel.  hist is read and
 * updated (pass a zeroed one at start). */
void nl_desired_compute(const struct nl_config *c, const struct nl_inputs *in,
			struct nl_pd_hist *hist, struct nl_desired *d);

/* At start: netlinkd's own delegated-prefix addresses already in the
 * kernel become the history, so a prefix that changed while netlinkd was
 * down is still deprecated rather than dropped. */
void nl_pd_hist_seed(struct nl_pd_hist *hist, const struct nl_config *c,
		     const struct nl_kstate *k, const struct nl_owner *o, int64_t now);

/* The /64 number id of prefix/plen: bits plen..63 replaced by id.  Returns
 * 0, or -1 if plen > 64 or id does not fit in 64 - plen bits. */
int nl_pd_subnet(const uint8_t prefix[16], int plen, uint32_t id, uint8_t out[16]);

#endif
