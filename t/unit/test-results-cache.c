/*
 * test-results-cache.c — results.md through a struct results_cache
 * (state/results.h): the cache re-renders only the sections whose inputs
 * changed, so after long random sequences of changes to every input a
 * section depends on (outcomes, ids, reasons, errors with hostile text,
 * recovered, entries missing from the state or out of plan order, the
 * interruption and refusal flags, the header), every cached rendering must
 * be byte for byte results_render() of the same inputs. Also across a switch
 * to another plan, and results_write_cached() putting those bytes on disk.
 *
 * Deterministic (a fixed seed); inputs are built by hand, as in
 * test-results.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/fileio.h"
#include "state/results.h"
#include "t/unit/tap.h"

static const char *const texts[] = {
	"plain", "HTTP said: \"no\"", "line\nbreak ## not a heading", "caf\xc3\xa9", "", NULL,
	"a much longer message that goes on for a while to make the section longer",
};

static const char *pick_text(void)
{
	return texts[tap_rand(sizeof texts / sizeof texts[0])];
}

static char *password_fields[] = { "password" };
static char *key_fields[] = { "secrets.api_key" };
static char *other_fields[] = { "client_id", "service_account_json" };

/* A plan of n connections with every auth style, and n / 3 packages. */
static struct plan *make_plan(size_t n, const char *prefix)
{
	struct plan *p = xcalloc(1, sizeof *p);
	size_t i;

	p->path = "copy_plan.yaml";
	p->connections = xcalloc(n + 1, sizeof *p->connections);
	p->n_connections = n;
	for (i = 0; i < n; i++) {
		struct plan_connection *c = &p->connections[i];
		struct buf name = BUF_INIT;

		buf_printf(&name, "%s_conn_%zu", prefix, i);
		c->target_name = buf_detach(&name);
		c->source_id = "src";
		c->source_service = "postgres";
		c->auth_style = i % 4 == 0 ? AUTH_OAUTH : i % 4 == 3 ? AUTH_NONE : AUTH_CREDENTIALS;
		c->credential_fields = i % 3 == 0 ? password_fields :
				       i % 3 == 1 ? key_fields : other_fields;
		c->n_credential_fields = i % 5 == 0 ? 0 : i % 3 == 2 ? 2 : 1;
	}
	p->packages = xcalloc(n / 3 + 1, sizeof *p->packages);
	p->n_packages = n / 3;
	for (i = 0; i < p->n_packages; i++) {
		struct buf name = BUF_INIT;

		buf_printf(&name, "%s_pkg_%zu", prefix, i);
		p->packages[i].package_name = buf_detach(&name);
	}
	return p;
}

static void free_plan(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_connections; i++)
		free(p->connections[i].target_name);
	for (i = 0; i < p->n_packages; i++)
		free(p->packages[i].package_name);
	free(p->connections);
	free(p->packages);
	free(p);
}

/* A state in plan order, every resource pending. */
static struct state *make_state(const struct plan *p)
{
	struct state *st = xcalloc(1, sizeof *st);
	struct state_resource r;
	size_t i;

	memset(&r, 0, sizeof r);
	for (i = 0; i < p->n_connections; i++) {
		r.kind = RESOURCE_CONNECTION;
		r.name = p->connections[i].target_name;
		state_add(st, &r);
	}
	for (i = 0; i < p->n_packages; i++) {
		r.kind = RESOURCE_TRANSFORMATION;
		r.name = p->packages[i].package_name;
		state_add(st, &r);
	}
	return st;
}

static void mutate(struct results_input *in, struct state *st, char **refusal)
{
	struct state_resource *r = &st->resources[tap_rand(st->n_resources)];
	char id[32];

	switch (tap_rand(12)) {
	case 0:
		r->outcome = (enum resource_outcome)tap_rand(RESOURCE_N_OUTCOMES);
		break;
	case 1:
		snprintf(id, sizeof id, "id_%zu", tap_rand(100));
		tap_set_str(&r->id, tap_rand(4) ? id : NULL);
		break;
	case 2:
		tap_set_str(&r->reason, tap_rand(2) ? "NAME_TAKEN_CONFIG_DIFFERS" :
			tap_rand(2) ? "DEPENDENCY_FAILED" : NULL);
		break;
	case 3:
		/* One part of the error at a time: each is shown on its own. */
		if (tap_rand(3) == 0)
			r->error.http_status = tap_rand(2) ? 400 + (int)tap_rand(100) : 0;
		else if (tap_rand(2))
			tap_set_str(&r->error.code, tap_rand(2) ? "InvalidInput" : NULL);
		else
			tap_set_str(&r->error.message, pick_text());
		break;
	case 4:
		r->recovered = !r->recovered;
		break;
	case 5: {
		/* Two entries swap places: lookups by position miss. */
		struct state_resource *o = &st->resources[tap_rand(st->n_resources)], t = *r;
		*r = *o;
		*o = t;
		break;
	}
	case 6: {
		/* An entry renamed away (that resource has no state entry), or
		 * back. */
		struct buf name = BUF_INIT;
		size_t len = strlen(r->name);

		if (len > 5 && !strcmp(r->name + len - 5, "_gone"))
			buf_append(&name, r->name, len - 5);
		else
			buf_printf(&name, "%s_gone", r->name);
		free(r->name);
		r->name = buf_detach(&name);
		break;
	}
	case 7:
		in->interrupted = !in->interrupted;
		break;
	case 8:
		tap_set_str(refusal, tap_rand(2) ? pick_text() : NULL);
		in->refusal = *refusal;
		break;
	case 9:
		in->target_group_name = tap_rand(2) ? "Analytics" : NULL;
		break;
	case 10: {
		/* The same text in a new allocation. */
		char *same = r->id ? xstrdup(r->id) : NULL;
		free(r->id);
		r->id = same;
		break;
	}
	default:
		break;
	}
}

static void run_sequence(size_t steps)
{
	struct plan *plan = make_plan(10, "a"), *other = make_plan(7, "b");
	struct state *st = make_state(plan), *st2 = make_state(other), *cur = st;
	struct report report = { .status = REPORT_PASS };
	struct results_input in;
	struct results_cache *cache = results_cache_new();
	char *refusal = NULL;
	int differ = 0;
	size_t i;

	memset(&in, 0, sizeof in);
	in.date = "2026-11-21T05:40:00Z";
	in.source_group_name = "Production";
	in.target_group_name = "Analytics";
	in.plan = plan;
	in.report = &report;
	in.state = st;
	for (i = 0; i < steps; i++) {
		char *want, *got;

		if (i)
			mutate(&in, cur, &refusal);
		if (i == steps / 2) { /* another plan, same cache */
			in.plan = other;
			in.state = cur = st2;
		}
		want = results_render(&in);
		got = results_render_cached(cache, &in);
		if (strcmp(want, got) && !differ++)
			diag("step %zu: the cached rendering differs", i);
		free(want);
		free(got);
	}
	ok(!differ, "%zu random changes: every cached rendering is results_render()'s", steps);
	in.plan = NULL;
	{
		char *want = results_render(&in), *got = results_render_cached(cache, &in);
		is_str(got, want, "without a plan (nothing cached) too");
		free(want);
		free(got);
	}
	results_cache_free(cache);
	state_free(st);
	state_free(st2);
	free(refusal);
	free_plan(plan);
	free_plan(other);
}

static void test_write(void)
{
	struct plan *plan = make_plan(6, "w");
	struct state *st = make_state(plan);
	struct report report = { .status = REPORT_PASS };
	struct results_cache *cache = results_cache_new();
	struct results_input in;
	struct buf got = BUF_INIT;
	char *path = tap_scratch_path("results.md");
	struct err err;
	char *want;
	int i;

	memset(&in, 0, sizeof in);
	in.plan = plan;
	in.report = &report;
	in.state = st;
	for (i = 0; i < 3; i++) {
		st->resources[i].outcome = OUTCOME_CREATED;
		ok(!results_write_cached(path, cache, &in, FILEIO_DEFER_DIR_SYNC, &err),
		   "write %d through the cache", i + 1);
	}
	want = results_render(&in);
	buf_reset(&got);
	ok(!fileio_read_input(path, 0, &got, &err) && !strcmp(got.data, want),
	   "the file holds exactly results_render()'s bytes");
	unlink(path);
	tap_scratch_done();
	free(want);
	buf_free(&got);
	free(path);
	results_cache_free(cache);
	state_free(st);
	free_plan(plan);
}

int main(void)
{
	tap_rand_seed(0x243f6a8885a308d3ull);
	run_sequence(4000);
	test_write();
	results_cache_free(NULL);
	return done_testing();
}
