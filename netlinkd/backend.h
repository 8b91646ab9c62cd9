/* The one small interface between netlinkd's logic and the kernel, so that
 * the reconcile loop runs in tests against a dummy kernel (backend_dummy.c)
 * and in production against rtnetlink (backend_kernel.c). */
#ifndef NL_BACKEND_H
#define NL_BACKEND_H

#include <stddef.h>

#include "model.h"

struct nl_backend {
	/* Every link, and every address, route (not the local table) and
	 * rule; the diff picks out what is netlinkd's.  0 or -errno. */
	int (*dump)(struct nl_backend *b, struct nl_kstate *k);
	/* One change.  0, or -errno with the kernel's own words in err. */
	int (*apply)(struct nl_backend *b, const struct nl_op *op, const struct nl_owner *o,
		     char *err, size_t errlen);
	/* A sysctl's current value; 0 or -errno. */
	int (*sysctl_get)(struct nl_backend *b, const char *key, char *val, size_t len);
	void (*free)(struct nl_backend *b);
	/* Requests that ask the kernel to change something (netlink messages
	 * and sysctl writes): "apply twice, nothing sent" is checked on these. */
	unsigned long netlink_writes;
	unsigned long sysctl_writes;
	/* The nftables table (family inet) dump looks for; set by the caller. */
	char fw_table[32];
};

/* rtnetlink through libmnl; sysctls under proc_sys ("/proc/sys").  NULL on
 * error (logged). */
struct nl_backend *nl_backend_kernel(const char *proc_sys);

/* A kernel in memory: applies ops to its own nl_kstate, sysctls in a table.
 * Tests seed links and foreign objects through nl_dummy_state(), and can
 * make the next matching op fail. */
struct nl_backend *nl_backend_dummy(void);
struct nl_kstate *nl_dummy_state(struct nl_backend *b);
void nl_dummy_add_link(struct nl_backend *b, const char *ifname, uint32_t mtu, bool up);
/* Ops of this type fail with -err and message msg until cleared (err 0). */
void nl_dummy_fail(struct nl_backend *b, enum nl_op_type type, int err, const char *msg);
const char *nl_dummy_sysctl(struct nl_backend *b, const char *key);

#endif
