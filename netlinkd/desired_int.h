/* Helpers shared by desired.c and pd.c (the desired-state function). */
#ifndef NL_DESIRED_INT_H
#define NL_DESIRED_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "desired.h"

void nl_d_problem(struct nl_desired *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool nl_d_str_in(const char *s, const char *const *set);
/* Add, deduplicated: two inputs may name the same object. */
void nl_d_want_addr(struct nl_desired *d, const struct nl_addr *a);
void nl_d_want_route(struct nl_desired *d, const struct nl_route *r);
/* Seconds from now until the absolute time t (null: forever). */
uint32_t nl_d_lifetime(const json_t *t, int64_t now);
/* A prefix or a bare address (full length). */
int nl_d_parse_pfx(const char *s, int family, uint8_t *a, int *plen);

/* This round's delegated-prefix addresses (the next history). */
struct nl_pd_new {
	struct nl_pd_entry e[NL_MAX_PD_HIST];
	int n;
};
void nl_pd_split(struct nl_desired *d, const struct nl_config *c, const json_t *doc, int w,
		 int64_t now, struct nl_pd_new *cur);
void nl_pd_deprecate(struct nl_desired *d, const struct nl_pd_hist *hist,
		     const bool lease_ok[NL_WAN_N], int64_t now, struct nl_pd_new *cur);

#endif
