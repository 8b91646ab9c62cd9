/* Desired vs kernel -> the operations that close the gap.  Pure.
 *
 * Ownership: an address, route or rule is netlinkd's only if it carries
 * the owner's protocol number (rules also a priority in the owner's range);
 * a tunnel only if it is an ip6gre device with netlinkd's alias.  Only owned
 * objects are ever changed or deleted.  A desired object the kernel already
 * has without the tag (a user's) is left alone and counts as present. */
#ifndef NL_DIFF_H
#define NL_DIFF_H

#include "model.h"

/* sysctl_now[i] is the current value of d->sysctls[i] (NULL: unreadable,
 * the write will be tried and its error reported).  An op whose interface
 * does not exist is not emitted; it is reported in missing[] (by op). */
struct nl_missing {
	struct nl_op op[64];
	int n;
};

void nl_diff(const struct nl_desired *d, const struct nl_kstate *k, const struct nl_owner *o,
	     const char *const *sysctl_now, struct nl_ops *ops, struct nl_missing *missing);

/* Lifetimes closer than this count as equal: both count down from the same
 * absolute lease times, so only a real change moves them further apart. */
#define NL_LFT_SLACK 10

bool nl_addr_owned(const struct nl_addr *a, const struct nl_owner *o);
bool nl_route_owned(const struct nl_route *r, const struct nl_owner *o);
bool nl_rule_owned(const struct nl_rule *r, const struct nl_owner *o);

#endif
