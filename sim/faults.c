/*
 * faults.c — --fault rules for ccapply-sim (see sim.h).
 *
 * A rule is 'METHOD PATH#K=ACTION': on the K-th request matching METHOD and
 * PATH, answer with ACTION instead of (or around) the normal answer. '#K+='
 * fires on the K-th and every later match. Every rule counts every request it
 * matches, whether or not it fires, so two rules on the same endpoint count
 * independently; when several fire at once the first one given wins.
 *
 * Path templates are also what routes.c dispatches on, so the matcher lives
 * here and hands out the segments "*" matched.
 */
#include "sim/sim.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIM_DELAY_MAX_S 3600.0

const char *sim_fault_action_name(enum sim_fault_action a)
{
	switch (a) {
	case SIM_FAULT_400: return "400";
	case SIM_FAULT_500: return "500";
	case SIM_FAULT_503: return "503";
	case SIM_FAULT_500_AFTER_COMMIT: return "500-after-commit";
	case SIM_FAULT_RESET: return "reset";
	case SIM_FAULT_RESET_AFTER_COMMIT: return "reset-after-commit";
	case SIM_FAULT_DELAY: return "delay";
	case SIM_FAULT_MALFORMED: return "malformed";
	}
	return "?";
}

static int parse_action(struct sim_fault *f, const char *text, struct err *err)
{
	static const enum sim_fault_action plain[] = {
		SIM_FAULT_400, SIM_FAULT_500, SIM_FAULT_503, SIM_FAULT_500_AFTER_COMMIT, SIM_FAULT_RESET,
		SIM_FAULT_RESET_AFTER_COMMIT, SIM_FAULT_MALFORMED,
	};
	size_t i;

	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		if (!strcmp(text, sim_fault_action_name(plain[i]))) {
			f->action = plain[i];
			return 0;
		}
	}
	if (!strncmp(text, "delay:", 6)) {
		const char *num = text + 6;
		char *end;
		double s;

		errno = 0;
		s = strtod(num, &end);
		if (!isdigit((unsigned char)*num) || *end || errno || !isfinite(s) || s < 0 ||
		    s > SIM_DELAY_MAX_S)
			return err_set(err, "delay wants seconds between 0 and %.0f, as in "
				       "delay:1.5", SIM_DELAY_MAX_S);
		f->action = SIM_FAULT_DELAY;
		f->delay_ms = (unsigned long)llround(s * 1000.0);
		return 0;
	}
	return err_set(err, "unknown action '%s' (expected 400, 500, 503, 500-after-commit, reset, "
		       "reset-after-commit, delay:SECONDS or malformed)", text);
}

static int parse_count(struct sim_fault *f, const char *text, size_t len, struct err *err)
{
	unsigned long k = 0;
	size_t i;

	if (len && text[len - 1] == '+') {
		f->and_later = true;
		len--;
	}
	if (!len || len > 9)
		return err_set(err, "expected a request number K >= 1 after '#'");
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)text[i]))
			return err_set(err, "expected a request number K >= 1 after '#'");
		k = k * 10 + (unsigned long)(text[i] - '0');
	}
	if (!k)
		return err_set(err, "requests are counted from 1; '#0' never happens");
	f->k = k;
	return 0;
}

static int parse_rule(struct sim_fault *f, const char *spec, struct err *err)
{
	const char *sp = strchr(spec, ' ');
	const char *hash = strrchr(spec, '#');
	const char *eq = hash ? strchr(hash, '=') : NULL;
	size_t i;

	if (!sp || !hash || !eq || hash < sp)
		return err_set(err, "expected 'METHOD PATH#K=ACTION'");
	f->method = xstrndup(spec, (size_t)(sp - spec));
	for (i = 0; f->method[i]; i++) {
		if (!isupper((unsigned char)f->method[i]) && strcmp(f->method, "*"))
			return err_set(err, "method '%s' is not an upper-case HTTP method or '*'",
				       f->method);
	}
	if (!f->method[0])
		return err_set(err, "expected 'METHOD PATH#K=ACTION'");
	while (*sp == ' ')
		sp++;
	f->path = xstrndup(sp, (size_t)(hash - sp));
	if (f->path[0] != '/' || strchr(f->path, '?') || strchr(f->path, ' '))
		return err_set(err, "path '%s' must start with '/' and have no query or spaces",
			       f->path);
	if (parse_count(f, hash + 1, (size_t)(eq - hash - 1), err))
		return -1;
	return parse_action(f, eq + 1, err);
}

static void fault_free(struct sim_fault *f)
{
	free(f->spec);
	free(f->method);
	free(f->path);
}

int sim_faults_add(struct sim_faults *faults, const char *spec, struct err *err)
{
	struct sim_fault f;

	memset(&f, 0, sizeof f);
	f.spec = xstrdup(spec);
	if (parse_rule(&f, spec, err)) {
		fault_free(&f);
		return err_prefix(err, "--fault '%s'", spec);
	}
	faults->items = xgrow(faults->items, &faults->cap, faults->n + 1, sizeof f);
	faults->items[faults->n++] = f;
	return 0;
}

const struct sim_fault *sim_faults_match(struct sim_faults *faults, const char *method,
					 const char *path)
{
	const struct sim_fault *fired = NULL;
	size_t i;

	for (i = 0; i < faults->n; i++) {
		struct sim_fault *f = &faults->items[i];

		if (strcmp(f->method, "*") && strcmp(f->method, method))
			continue;
		if (!sim_path_match(f->path, path, NULL, 0, NULL))
			continue;
		f->seen++;
		if (!fired && (f->seen == f->k || (f->and_later && f->seen > f->k)))
			fired = f;
	}
	return fired;
}

void sim_faults_free(struct sim_faults *faults)
{
	size_t i;

	for (i = 0; i < faults->n; i++)
		fault_free(&faults->items[i]);
	free(faults->items);
	faults->items = NULL;
	faults->n = faults->cap = 0;
}

/* Length of the segment starting at s (up to '/' or the end). */
static size_t segment_len(const char *s)
{
	return strcspn(s, "/");
}

bool sim_path_match(const char *pattern, const char *path, char **caps, size_t maxcaps,
		    size_t *ncaps)
{
	const char *p = pattern, *q = path;
	const char *spans[8];
	size_t lens[8], n = 0, i;

	if (*p != '/' || *q != '/')
		return false;
	while (*p == '/' && *q == '/') {
		size_t pl, ql;

		p++;
		q++;
		pl = segment_len(p);
		ql = segment_len(q);
		if (pl == 1 && *p == '*') {
			if (!ql)
				return false;
			if (n < sizeof spans / sizeof spans[0]) {
				spans[n] = q;
				lens[n] = ql;
			}
			n++;
		} else if (pl != ql || memcmp(p, q, pl)) {
			return false;
		}
		p += pl;
		q += ql;
	}
	if (*p || *q)
		return false;
	if (caps) {
		for (i = 0; i < n && i < maxcaps && i < sizeof spans / sizeof spans[0]; i++)
			caps[i] = xstrndup(spans[i], lens[i]);
		*ncaps = i;
	}
	return true;
}
