/*
 * gates.c — the pre-flight gates of SPEC §1, in order, before any request:
 * (1) plan and report present, (2) checksum form and match, (3) status not
 * fail, (4) plan loads and is sound. The report is parsed before the plan so
 * that a plan edited after validation is reported as "changed since
 * validation" rather than as whatever parse error the edit introduced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/buf.h"
#include "planner/planner.h"

static int refuse(struct planner_inputs *in, enum gate g)
{
	in->refused_at = g;
	return -1;
}

/* 0 when path is a readable regular file; else -1 with errno-like text. */
static const char *file_problem(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return errno == ENOENT ? NULL : strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	return "";
}

static int check_present(const char *path, const char *what, const char *step,
			 struct err *err)
{
	const char *problem = file_problem(path);

	if (problem && !*problem)
		return 0;
	if (!problem)
		return err_set(err, "%s not found: %s\n  Run the %s step first to create it.", what,
			       path, step);
	return err_set(err, "cannot read %s %s: %s", what, path, problem);
}

static int check_checksum(struct planner_inputs *in, const char *plan_path, struct err *err)
{
	const struct report *r = in->report;
	char actual[CHECKSUM_TEXT_MAX];
	enum digest_algo algo;

	if (digest_checksum_parse(r->plan_checksum, &algo, err)) {
		err_prefix(err, "%s:%d:%d: metadata.plan_checksum", r->path, r->checksum_line,
			   r->checksum_col);
		return refuse(in, GATE_CHECKSUM_FORM);
	}
	if (digest_checksum_file(plan_path, algo, actual, err))
		return refuse(in, GATE_PLAN_INVALID);
	if (strcasecmp(actual, r->plan_checksum)) {
		err_set(err, "%s has changed since it was validated\n"
			"  validation report records: %s\n"
			"  plan file now hashes to:   %s\n"
			"  Re-run the validate step on the current plan before running ccapply.",
			plan_path, r->plan_checksum, actual);
		return refuse(in, GATE_CHECKSUM_MISMATCH);
	}
	return 0;
}

static size_t count_blocking(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_findings; i++)
		n += r->findings[i].severity == SEVERITY_BLOCKING;
	return n;
}

/* Gate 3's message. A fail with no blocking finding leaves nothing to
 * re-scope, so it sends the user back to validate instead. */
static void refuse_failed_status(const struct report *r, struct err *err)
{
	if (count_blocking(r))
		err_set(err, "validation failed: %s has status fail\n"
			"  Re-scope the plan to resolve the blocking findings, then re-validate.",
			r->path);
	else
		err_set(err, "validation failed: %s has status fail but lists no blocking "
			"findings\n"
			"  Re-run the validate step and read its output to see why it failed.",
			r->path);
}

int planner_load(const char *plan_path, const char *report_path, struct planner_inputs *in,
		 struct err *err)
{
	memset(in, 0, sizeof *in);
	if (check_present(plan_path, "plan", "scope (copy-connections-scope)", err))
		return refuse(in, GATE_PLAN_MISSING);
	if (check_present(report_path, "validation report", "validate (copy-connections-validate)",
			  err))
		return refuse(in, GATE_REPORT_MISSING);
	if (report_load(report_path, &in->report, err))
		return refuse(in, GATE_REPORT_INVALID);
	if (check_checksum(in, plan_path, err))
		return -1;
	if (in->report->status == REPORT_FAIL) {
		refuse_failed_status(in->report, err);
		return refuse(in, GATE_STATUS_FAIL);
	}
	if (plan_load(plan_path, &in->plan, err) || plan_check_sound(in->plan, in->report, err))
		return refuse(in, GATE_PLAN_INVALID);
	in->plan->checksum = xstrdup(in->report->plan_checksum);
	in->refused_at = GATE_OK;
	return 0;
}

void planner_inputs_free(struct planner_inputs *in)
{
	plan_free(in->plan);
	report_free(in->report);
	in->plan = NULL;
	in->report = NULL;
}

static bool reported_missing(const struct report *r, const char *package)
{
	size_t i;

	if (!r)
		return false;
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		if (f->scope == SCOPE_TRANSFORMATION && f->package_name &&
		    !strcmp(f->package_name, package) && strstr(f->code, "MISSING_DEPENDENCY"))
			return true;
	}
	return false;
}

static int check_unique(const struct plan *p, struct err *err)
{
	size_t i, j;

	/* Quadratic, but on target names only and bounded by the plan's
	 * connection count (thousands at most). */
	for (i = 0; i < p->n_connections; i++)
		for (j = 0; j < i; j++) {
			const struct plan_connection *a = &p->connections[j], *b = &p->connections[i];
			if (!strcmp(a->target_name, b->target_name))
				return err_set(err, "%s:%d:%d: connections[%zu].target_name '%s' is "
					       "already used by connections[%zu] (line %d); "
					       "target names must be unique", p->path, b->line,
					       b->col, i, b->target_name, j, a->line);
			if (!strcmp(a->source_id, b->source_id))
				return err_set(err, "%s:%d:%d: connections[%zu].source_id '%s' is "
					       "already used by connections[%zu] (line %d); each "
					       "source connection is copied once", p->path, b->line,
					       b->col, i, b->source_id, j, a->line);
		}
	return 0;
}

int plan_check_sound(const struct plan *p, const struct report *r, struct err *err)
{
	size_t i, j;

	if (check_unique(p, err))
		return -1;
	for (i = 0; i < p->n_packages; i++) {
		const struct plan_package *pkg = &p->packages[i];
		for (j = 0; j < pkg->n_depends_on; j++)
			if (!plan_find_connection(p, pkg->depends_on[j]) &&
			    !reported_missing(r, pkg->package_name))
				return err_set(err, "%s:%d:%d: quickstart package '%s' depends on "
					       "connection '%s', which is not in the plan and which "
					       "the validation report does not list as a missing "
					       "dependency", p->path, pkg->line, pkg->col,
					       pkg->package_name, pkg->depends_on[j]);
	}
	return 0;
}
