/*
 * ratelimit.c — the connection-create limit of ccapply-sim (see sim.h).
 *
 * Fivetran allows 20 connection creates per minute and answers 429 with
 * Retry-After beyond that. We keep the monotonic times of the creates that
 * committed within the last window (a sliding window, the strictest reading
 * of "N per SECONDS"), so Retry-After is exactly when the oldest one expires.
 */
#include "sim/sim.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int parse_ulong(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int sim_rate_parse(struct sim_rate *r, const char *text, struct err *err)
{
	const char *slash = strchr(text, '/');
	unsigned long max, secs;

	if (!strcmp(text, "0") || !strcmp(text, "none")) {
		r->max = 0;
		return 0;
	}
	if (!slash || parse_ulong(text, (size_t)(slash - text), &max) ||
	    parse_ulong(slash + 1, strlen(slash + 1), &secs) || !max || !secs)
		return err_set(err, "--create-limit '%s': expected N/SECONDS with N, SECONDS >= 1 "
			       "(as in 20/60), or 0 or none to disable", text);
	r->max = max;
	r->window = (double)secs;
	return 0;
}

static void prune(struct sim_rate *r, double now)
{
	size_t keep = 0, i;

	for (i = 0; i < r->n; i++) {
		if (r->stamps[i] > now - r->window)
			r->stamps[keep++] = r->stamps[i];
	}
	r->n = keep;
}

unsigned long sim_rate_check(struct sim_rate *r, double now)
{
	double wait;

	if (!r->max)
		return 0;
	prune(r, now);
	if (r->n < r->max)
		return 0;
	/* stamps are in commit order: the first is the oldest */
	wait = ceil(r->stamps[r->n - r->max] + r->window - now);
	return wait < 1 ? 1 : (unsigned long)wait;
}

void sim_rate_record(struct sim_rate *r, double now)
{
	if (!r->max)
		return;
	r->stamps = xgrow(r->stamps, &r->cap, r->n + 1, sizeof *r->stamps);
	r->stamps[r->n++] = now;
}

void sim_rate_free(struct sim_rate *r)
{
	free(r->stamps);
	r->stamps = NULL;
	r->n = r->cap = 0;
}
