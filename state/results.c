/*
 * results.c — renders results.md, the human record of an apply, in the
 * layout of the execute seed (see results.h and docs/results-format.md).
 *
 * Built as one pure function over read-only inputs (plan, report, state,
 * refusal, interruption) writing into a struct buf, section by section, so
 * the same inputs always give the same bytes and the applier can rewrite the
 * file after every resource. Because it does, and a thousand connections make
 * a 170 KB file, a struct results_cache may remember each connection's
 * section and each package's line with the inputs it was rendered from; a
 * render then renders only the entries whose inputs changed and copies the
 * rest, which gives the same bytes by construction (an entry is a function
 * of exactly the inputs compared). The plan decides which resources are listed and
 * in what order; the state says what happened to each (a resource the state
 * does not know is "not attempted"). Every piece of text that comes from an
 * input is flattened to one line (control characters become spaces) so a
 * name or an API message can never break the Markdown structure. No config
 * value is ever printed: only names, ids, codes, field names and messages.
 */
#include "state/results.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "lib/buf.h"
#include "lib/fileio.h"
#include "lib/sanitize.h"

#define DATE_PREFIX "# Copy Connections Results\n\n**Date:** "
#define DASHBOARD_URL "https://fivetran.com/dashboard/connections/"
#define UNKNOWN "(unknown)"
#define NOT_COPYABLE_CODE "CUSTOM_TRANSFORMATION_NOT_COPYABLE"

/* Append untrusted s on one line: line breaks become spaces, other control
 * characters are shown escaped (lib/sanitize.h). */
static void put_flat(struct buf *out, const char *s)
{
	sanitize_append(out, s, SANITIZE_SPACES);
}

static void put_flat_or(struct buf *out, const char *s, const char *fallback)
{
	put_flat(out, s && *s ? s : fallback);
}

/* ---- looking up what happened ------------------------------------------ */

/* The state entry for kind/name. The applier keeps the state in plan order,
 * so the entry is looked for at `hint` first: rendering stays linear in the
 * number of resources instead of quadratic. */
static const struct state_resource *find_resource(const struct state *st,
						  enum resource_kind kind, const char *name,
						  size_t hint)
{
	size_t i;

	if (!st || !name)
		return NULL;
	if (hint < st->n_resources) {
		const struct state_resource *r = &st->resources[hint];
		if (r->kind == kind && r->name && !strcmp(r->name, name))
			return r;
	}
	for (i = 0; i < st->n_resources; i++) {
		const struct state_resource *r = &st->resources[i];
		if (r->kind == kind && r->name && !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

static enum resource_outcome outcome_of(const struct state_resource *r)
{
	return r ? r->outcome : OUTCOME_PENDING;
}

/* ---- the cache ----------------------------------------------------------- */

/* One listed resource's rendered text and what it was rendered from: its
 * plan entry (fixed for the cache's plan), whether the state had an entry
 * for it and that entry's shown fields, and the interruption flag (the
 * "not attempted" text depends on it). */
struct cached_entry {
	bool valid;
	bool have_state;
	bool interrupted;
	char *accepted;              /* the acknowledged code accepting its skip */
	struct state_resource shown; /* outcome, recovered, id, reason, error */
	char *text;
	size_t len;
};

struct results_cache {
	const struct plan *plan; /* the entries are this plan's connections, then packages */
	struct cached_entry *entries;
	size_t n_entries;
	struct buf text;         /* the rendering, its memory reused */
	struct buf disk;         /* what the file holds, when disk_known */
	bool disk_known;         /* the file was read or written through this cache */
	bool disk_present;       /* ... and was a regular file (disk holds it) */
};

struct results_cache *results_cache_new(void)
{
	return xcalloc(1, sizeof(struct results_cache));
}

static void entry_clear(struct cached_entry *e)
{
	free(e->accepted);
	state_resource_clear(&e->shown);
	free(e->text);
	memset(e, 0, sizeof *e);
}

static void cache_reset(struct results_cache *c)
{
	size_t i;

	for (i = 0; i < c->n_entries; i++)
		entry_clear(&c->entries[i]);
	free(c->entries);
	c->entries = NULL;
	c->n_entries = 0;
	c->plan = NULL;
}

void results_cache_free(struct results_cache *c)
{
	if (!c)
		return;
	cache_reset(c);
	buf_free(&c->text);
	buf_free(&c->disk);
	free(c);
}

/* The cache entries for in's plan (NULL when there is no cache or no plan:
 * then nothing is cached). A different plan starts the cache afresh. */
static struct cached_entry *cache_entries(struct results_cache *c, const struct results_input *in)
{
	const struct plan *p = in->plan;

	if (!c || !p)
		return NULL;
	if (c->plan != p || c->n_entries != p->n_connections + p->n_packages) {
		cache_reset(c);
		c->plan = p;
		c->n_entries = p->n_connections + p->n_packages;
		c->entries = xcalloc(c->n_entries + 1, sizeof *c->entries);
	}
	return c->entries;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Was e rendered from these inputs? */
static bool entry_current(const struct cached_entry *e, const struct state_resource *r,
			  bool interrupted, const char *accepted)
{
	if (!e->valid || e->have_state != (r != NULL) || e->interrupted != interrupted ||
	    !str_eq(e->accepted, accepted))
		return false;
	return !r || (e->shown.outcome == r->outcome && e->shown.recovered == r->recovered &&
		      e->shown.error.http_status == r->error.http_status &&
		      str_eq(e->shown.id, r->id) && str_eq(e->shown.reason, r->reason) &&
		      str_eq(e->shown.error.code, r->error.code) &&
		      str_eq(e->shown.error.message, r->error.message));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Remember text[0, len) as e's rendering of these inputs. */
static void entry_store(struct cached_entry *e, const struct state_resource *r, bool interrupted,
			const char *accepted, const char *text, size_t len)
{
	entry_clear(e);
	e->valid = true;
	e->accepted = accepted ? xstrdup(accepted) : NULL;
	e->have_state = r != NULL;
	e->interrupted = interrupted;
	if (r) {
		e->shown.outcome = r->outcome;
		e->shown.recovered = r->recovered;
		e->shown.id = dup_or_null(r->id);
		e->shown.reason = dup_or_null(r->reason);
		e->shown.error.http_status = r->error.http_status;
		e->shown.error.code = dup_or_null(r->error.code);
		e->shown.error.message = dup_or_null(r->error.message);
	}
	e->text = xmalloc(len + 1);
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	e->len = len;
}

/* The resources listed of one kind, in order: the plan's (all of them, in
 * plan order), then every entry the state records that the plan does not
 * list, in state order — so a refusal rendered from a recorded state and
 * a changed or missing plan never drops a recorded resource. Each with
 * its plan entry (connections; NULL when the plan lacks it) and its state
 * entry (NULL when the state has none: "not attempted"). Looked up once
 * per render, linear in the number of resources. */
struct resolved {
	size_t n, n_planned;                 /* n_planned: the plan's, first */
	const char **name;
	const struct plan_connection **conn;
	const struct state_resource **entry;
};

static void resolve(const struct results_input *in, enum resource_kind kind,
		    struct resolved *out)
{
	const struct plan *p = in->plan;
	const struct state *st = in->state;
	bool conns = kind == RESOURCE_CONNECTION;
	size_t n_plan = !p ? 0 : conns ? p->n_connections : p->n_packages;
	size_t n_state = st ? st->n_resources : 0, i, at = 0;
	bool *listed = xcalloc(n_state + 1, sizeof *listed);

	out->n = out->n_planned = n_plan;
	out->name = xcalloc(n_plan + n_state + 1, sizeof *out->name);
	out->conn = xcalloc(n_plan + n_state + 1, sizeof *out->conn);
	out->entry = xcalloc(n_plan + n_state + 1, sizeof *out->entry);
	for (i = 0; i < n_plan; i++) {
		const char *name = conns ? p->connections[i].target_name :
				   plan_package_name(&p->packages[i]);
		/* a state kept in plan order has it at this position */
		const struct state_resource *r = find_resource(st, kind, name,
							       conns ? i : p->n_connections + i);
		out->name[i] = name;
		out->conn[i] = conns ? &p->connections[i] : NULL;
		out->entry[i] = r;
		if (r)
			listed[r - st->resources] = true;
	}
	for (i = 0; i < n_state; i++) {
		const struct state_resource *r = &st->resources[i];
		if (listed[i] || r->kind != kind || !r->name)
			continue;
		at = out->n++;
		out->name[at] = r->name;
		out->entry[at] = r;
	}
	free(listed);
}

static void resolved_free(struct resolved *rs)
{
	free(rs->name);
	free(rs->conn);
	free(rs->entry);
}

struct tally {
	size_t n[RESOURCE_N_OUTCOMES];
};

static struct tally count_outcomes(const struct resolved *rs)
{
	struct tally t;
	size_t i;

	memset(&t, 0, sizeof t);
	for (i = 0; i < rs->n; i++) {
		enum resource_outcome o = outcome_of(rs->entry[i]);
		if ((int)o >= 0 && o <= OUTCOME_FAILED)
			t.n[o]++;
	}
	return t;
}

/* ---- Summary ------------------------------------------------------------- */

static void put_count(struct buf *out, size_t n, const char *one, const char *many,
		      const char *rest)
{
	buf_printf(out, "- %zu %s %s\n", n, n == 1 ? one : many, rest);
}

static const char *not_attempted_suffix(const struct results_input *in)
{
	if (in->interrupted)
		return " (apply was interrupted)";
	if (in->refusal)
		return " (apply refused)";
	return "";
}

static void put_summary(struct buf *out, const struct results_input *in,
			const struct resolved *conns, const struct resolved *pkgs)
{
	struct tally c = count_outcomes(conns), p = count_outcomes(pkgs);
	char rest[128];

	buf_puts(out, "## Summary\n\n");
	if (in->refusal) {
		buf_puts(out, "- Apply refused: ");
		put_flat_or(out, in->refusal, "no reason given");
		buf_putc(out, '\n');
	}
	if (in->interrupted)
		buf_puts(out, "- Apply was interrupted; run `ccapply apply` again to continue.\n");
	put_count(out, c.n[OUTCOME_CREATED], "connection", "connections", "created successfully");
	put_count(out, c.n[OUTCOME_FAILED], "connection", "connections", "failed to create");
	put_count(out, p.n[OUTCOME_CREATED], "Quickstart package", "Quickstart packages",
		  "installed");
	put_count(out, p.n[OUTCOME_FAILED] + p.n[OUTCOME_SKIPPED], "Quickstart package",
		  "Quickstart packages", "failed or skipped");
	if (c.n[OUTCOME_ALREADY_EXISTS])
		put_count(out, c.n[OUTCOME_ALREADY_EXISTS], "connection", "connections",
			  "already existed (left unchanged)");
	if (c.n[OUTCOME_SKIPPED])
		put_count(out, c.n[OUTCOME_SKIPPED], "connection", "connections",
			  "skipped (name taken with a different config)");
	snprintf(rest, sizeof rest, "not attempted%s", not_attempted_suffix(in));
	if (c.n[OUTCOME_PENDING])
		put_count(out, c.n[OUTCOME_PENDING], "connection", "connections", rest);
	if (p.n[OUTCOME_ALREADY_EXISTS])
		put_count(out, p.n[OUTCOME_ALREADY_EXISTS], "Quickstart package",
			  "Quickstart packages", "already installed (left unchanged)");
	if (p.n[OUTCOME_PENDING])
		put_count(out, p.n[OUTCOME_PENDING], "Quickstart package", "Quickstart packages",
			  rest);
	buf_putc(out, '\n');
}

/* ---- Per-connection results ---------------------------------------------- */

/* The last dotted component of a field name, so "secrets.password" counts. */
static const char *field_leaf(const char *field)
{
	const char *dot = strrchr(field, '.');
	return dot ? dot + 1 : field;
}

/* A password, as the execute step's "Password needed" means it: the field's
 * name says so. */
static bool is_password_field(const struct catalog_service *s, const char *field)
{
	const char *leaf = field_leaf(field);
	size_t n = strlen(leaf);

	(void)s;
	return !strcasecmp(leaf, "password") ||
	       (n > 9 && !strcasecmp(leaf + n - 9, "_password"));
}

/* A key or token: a credential by the service catalog — the service's
 * config marks it "format": "password", or, for a name its config does not
 * have (an auth field, a service newer than the definition), some service's
 * config or auth marks that name so. */
static bool is_key_field(const struct catalog_service *s, const char *field)
{
	const char *leaf = field_leaf(field);

	return catalog_service_has_credential(s, leaf) ||
	       catalog_is_credential_name(leaf, strlen(leaf));
}

static bool any_field(const struct catalog_service *s, const char *const *fields, size_t n,
		      bool (*pred)(const struct catalog_service *, const char *))
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pred(s, fields[i]))
			return true;
	return false;
}

static void put_url(struct buf *out, const char *id)
{
	if (id && *id) {
		buf_puts(out, DASHBOARD_URL);
		put_flat(out, id);
	} else {
		buf_puts(out, "(connection id unknown)");
	}
}

#define ATTACH " — attach via credentials skill or Fivetran UI: "

/* The auth line of a connection that exists in the target group. */
static void put_auth_line(struct buf *out, const struct plan_connection *c, const char *id)
{
	size_t i, n = 0;
	const char **fields = c ? plan_connection_credentials(c, &n) : NULL;
	const struct catalog_service *s = c ? catalog_service(c->source_service) : NULL;

	if (!c) {
		buf_puts(out, "- Fivetran UI: ");
	} else if (c->auth_style == AUTH_OAUTH) {
		buf_puts(out, "- Auth: OAuth — complete authentication in the Fivetran UI: ");
	} else if (any_field(s, fields, n, is_password_field)) {
		buf_puts(out, "- Auth: Password needed" ATTACH);
	} else if (any_field(s, fields, n, is_key_field)) {
		buf_puts(out, "- Auth: API key needed" ATTACH);
	} else if (n) {
		buf_puts(out, "- Auth: Credentials needed (");
		for (i = 0; i < n; i++) {
			if (i)
				buf_puts(out, ", ");
			put_flat_or(out, fields[i], "?");
		}
		buf_puts(out, ")" ATTACH);
	} else if (c->auth_style == AUTH_CREDENTIALS) {
		buf_puts(out, "- Auth: Credentials needed" ATTACH);
	} else {
		buf_puts(out, "- Auth: none needed: ");
	}
	put_url(out, id);
	buf_putc(out, '\n');
	free(fields);
}

static const char *skip_explanation(const char *code)
{
	static const struct {
		const char *code, *text;
	} known[] = {
		{ "NAME_TAKEN_CONFIG_DIFFERS",
		  "a connection with this name exists in the target group with a different "
		  "service or config; it was not modified" },
		{ "MISSING_DEPENDENCY", "a connection it depends on is not in the plan" },
		{ "DEPENDENCY_FAILED", "a connection it depends on failed to create" },
		{ "DEPENDENCY_SKIPPED", "a connection it depends on was skipped" },
		{ "NO_DEPENDENCIES", "the plan lists no connection for it "
		  "(target_connection_source_ids is empty); it was not sent" },
	};
	size_t i;

	for (i = 0; code && i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(code, known[i].code))
			return known[i].text;
	return NULL;
}

/* "CODE (why)" for a skipped resource: the recorded message, else a fixed
 * explanation of a known code. */
static void put_skip_reason(struct buf *out, const struct state_resource *r)
{
	const char *code = r->reason && *r->reason ? r->reason : r->error.code;
	const char *why = r->error.message && *r->error.message ? r->error.message
								 : skip_explanation(code);

	put_flat_or(out, code, "no reason recorded");
	if (why) {
		buf_puts(out, " (");
		put_flat(out, why);
		buf_putc(out, ')');
	}
	if (r->id && *r->id && code && !strcmp(code, "NAME_TAKEN_CONFIG_DIFFERS")) {
		buf_puts(out, "; existing connection: ");
		put_url(out, r->id);
	}
}

/* "HTTP 409 CODE: message", leaving out what was not recorded. */
static void put_failure(struct buf *out, const struct state_error *e)
{
	bool any = false;

	if (e->http_status) {
		buf_printf(out, "HTTP %d", e->http_status);
		any = true;
	}
	if (e->code && *e->code) {
		if (any)
			buf_putc(out, ' ');
		put_flat(out, e->code);
		any = true;
	}
	if (e->message && *e->message) {
		if (any)
			buf_puts(out, ": ");
		put_flat(out, e->message);
		any = true;
	}
	if (!any)
		buf_puts(out, "no error details recorded");
}

/* accepted: the acknowledged code that accepts its skip, or NULL. */
static void put_accepted(struct buf *out, const char *accepted)
{
	buf_puts(out, "accepted with --ack ");
	put_flat(out, accepted);
	buf_puts(out, ": not created, by choice; apply does not count it as a problem");
}

static void put_connection(struct buf *out, const struct results_input *in, const char *name,
			   const struct plan_connection *c, const struct state_resource *r,
			   const char *accepted)
{
	buf_puts(out, "### ");
	put_flat_or(out, name, UNKNOWN);
	buf_putc(out, '\n');
	switch (outcome_of(r)) {
	case OUTCOME_CREATED:
		buf_puts(out, "- Created (paused)\n");
		if (r->recovered)
			buf_puts(out, "- Adopted: created by an earlier request whose answer was "
				      "lost; not created twice\n");
		put_auth_line(out, c, r->id);
		break;
	case OUTCOME_ALREADY_EXISTS:
		buf_puts(out, "- Already existed (id ");
		put_flat_or(out, r->id, UNKNOWN);
		buf_puts(out, "; not modified)\n");
		put_auth_line(out, c, r->id);
		break;
	case OUTCOME_SKIPPED:
		buf_puts(out, "- Skipped: ");
		put_skip_reason(out, r);
		buf_putc(out, '\n');
		if (accepted) {
			buf_puts(out, "- Skip ");
			put_accepted(out, accepted);
			buf_putc(out, '\n');
		}
		break;
	case OUTCOME_FAILED:
		buf_puts(out, "- Failed: ");
		put_failure(out, &r->error);
		buf_putc(out, '\n');
		break;
	case OUTCOME_PENDING:
	default:
		if (r && r->error.code) { /* OUTCOME_UNKNOWN: sent, answer never learned */
			buf_puts(out, "- Outcome unknown, not sent again: ");
			put_failure(out, &r->error);
			buf_putc(out, '\n');
			break;
		}
		buf_printf(out, "- Not attempted%s\n",
			   in->interrupted ? " (apply was interrupted)" : "");
		break;
	}
}

/* entries: the cache's, one per connection (NULL: no cache). */
static void put_connections(struct buf *out, const struct results_input *in,
			    const struct resolved *rs, struct cached_entry *entries)
{
	size_t i;

	buf_puts(out, "## Per-connection results\n\n");
	if (!rs->n)
		buf_puts(out, "- None in the plan.\n\n");
	for (i = 0; i < rs->n; i++) {
		struct cached_entry *e = entries && i < rs->n_planned ? &entries[i] : NULL;
		const char *acc = state_skip_accepted(in->state, rs->entry[i]);
		size_t at = out->len;

		if (e && entry_current(e, rs->entry[i], in->interrupted, acc)) {
			buf_append(out, e->text, e->len);
			continue;
		}
		put_connection(out, in, rs->name[i], rs->conn[i], rs->entry[i], acc);
		buf_putc(out, '\n');
		if (e)
			entry_store(e, rs->entry[i], in->interrupted, acc, out->data + at,
				    out->len - at);
	}
}

/* ---- Transformations ----------------------------------------------------- */

static void put_package(struct buf *out, const struct results_input *in, const char *name,
			const struct state_resource *r, const char *accepted)
{
	buf_puts(out, "- ");
	put_flat_or(out, name, UNKNOWN);
	buf_puts(out, " Quickstart package ");
	switch (outcome_of(r)) {
	case OUTCOME_CREATED:
		buf_puts(out, "installed");
		break;
	case OUTCOME_ALREADY_EXISTS:
		buf_puts(out, "already installed (id ");
		put_flat_or(out, r->id, UNKNOWN);
		buf_putc(out, ')');
		break;
	case OUTCOME_SKIPPED:
		buf_puts(out, "skipped: ");
		put_skip_reason(out, r);
		if (accepted) {
			buf_puts(out, "; ");
			put_accepted(out, accepted);
		}
		break;
	case OUTCOME_FAILED:
		buf_puts(out, "failed: ");
		put_failure(out, &r->error);
		break;
	case OUTCOME_PENDING:
	default:
		if (r && r->error.code) { /* OUTCOME_UNKNOWN: sent, answer never learned */
			buf_puts(out, "outcome unknown, not sent again: ");
			put_failure(out, &r->error);
			break;
		}
		buf_printf(out, "not attempted%s",
			   in->interrupted ? " (apply was interrupted)" : "");
		break;
	}
	buf_putc(out, '\n');
}

/* entries: the cache's, one per package (NULL: no cache). */
static void put_transformations(struct buf *out, const struct results_input *in,
				const struct resolved *rs, struct cached_entry *entries)
{
	size_t i;

	buf_puts(out, "## Transformations\n\n");
	if (!rs->n)
		buf_puts(out, "- None in the plan.\n");
	for (i = 0; i < rs->n; i++) {
		struct cached_entry *e = entries && i < rs->n_planned ? &entries[i] : NULL;
		const char *acc = state_skip_accepted(in->state, rs->entry[i]);
		size_t at = out->len;

		if (e && entry_current(e, rs->entry[i], in->interrupted, acc)) {
			buf_append(out, e->text, e->len);
			continue;
		}
		put_package(out, in, rs->name[i], rs->entry[i], acc);
		if (e)
			entry_store(e, rs->entry[i], in->interrupted, acc, out->data + at,
				    out->len - at);
	}
	buf_putc(out, '\n');
}

/* ---- Next steps and Cleanup ---------------------------------------------- */

static const char *finding_label(const struct finding *f)
{
	if (f->target_name && *f->target_name)
		return f->target_name;
	if (f->package_name && *f->package_name)
		return f->package_name;
	if (f->source_id && *f->source_id)
		return f->source_id;
	if (f->field && *f->field)
		return f->field;
	return "(unnamed)";
}

/* Step 4's items; returns how many were listed. */
static size_t put_not_copyable(struct buf *out, const struct results_input *in)
{
	size_t i, n = 0;

	for (i = 0; in->report && i < in->report->n_findings; i++) {
		const struct finding *f = &in->report->findings[i];
		if (!f->code || strcmp(f->code, NOT_COPYABLE_CODE))
			continue;
		buf_puts(out, "   - ");
		put_flat(out, finding_label(f));
		if (f->message && *f->message) {
			buf_puts(out, ": ");
			put_flat(out, f->message);
		}
		buf_putc(out, '\n');
		n++;
	}
	for (i = 0; in->plan && i < in->plan->n_dbt_projects; i++) {
		const struct plan_dbt_project *d = &in->plan->dbt_projects[i];
		buf_puts(out, "   - dbt project ");
		put_flat_or(out, d->project_id, UNKNOWN);
		if (d->note && *d->note) {
			buf_puts(out, ": ");
			put_flat(out, d->note);
		}
		buf_putc(out, '\n');
		n++;
	}
	return n;
}

/* n_packages: how many Quickstart packages are listed; with any, step 3
 * says they are paused too (apply creates them paused, like connections). */
static void put_next_steps(struct buf *out, const struct results_input *in, size_t n_packages)
{
	buf_puts(out,
		 "## Next steps\n"
		 "\n"
		 "1. **Attach credentials.** Either:\n"
		 "   - Run the `copy-connections-credentials` skill: I'll help you attach "
		 "credentials for credential-based connections and provide UI links for OAuth "
		 "ones.\n"
		 "   - Or add credentials yourself in the Fivetran UI for each connection.\n"
		 "\n"
		 "2. **Apply schema config.** After credentials are in place, run the "
		 "`copy-connections-schema` skill to run setup tests and apply table/column "
		 "selections, sync modes, and hashing from the plan.\n"
		 "\n"
		 "3. **Unpause connections** when you're ready for them to sync. You can do this "
		 "one at a time in the Fivetran UI, or via the `sync_connection` MCP tool.\n");
	if (n_packages)
		buf_puts(out, "   - Quickstart packages are created paused too: unpause each one "
			      "in the Fivetran UI (Transformations) once its connections have "
			      "synced.\n");
	buf_puts(out,
		 "\n"
		 "4. **Recreate custom transformations** that were flagged during validation:\n");
	if (!put_not_copyable(out, in))
		buf_puts(out, "   - (none flagged during validation)\n");
	buf_puts(out,
		 "\n"
		 "5. **After syncs complete**, consider comparing row counts between source and "
		 "target connections to verify the copy.\n"
		 "\n");
}

static void put_cleanup(struct buf *out)
{
	buf_puts(out,
		 "## Cleanup\n"
		 "\n"
		 "- Keep `.copy-connections/copy_plan.yaml` and `validation_report.yaml` for "
		 "audit, or delete if you're done.\n"
		 "- If you used a credentials file during the credentials flow, delete it when "
		 "you're done.\n");
}

/* ---- entry points -------------------------------------------------------- */

static void put_header(struct buf *out, const struct results_input *in)
{
	buf_puts(out, DATE_PREFIX);
	put_flat_or(out, in->date, UNKNOWN);
	buf_puts(out, "\n**Source:** ");
	put_flat_or(out, in->source_group_name, UNKNOWN);
	buf_puts(out, "\n**Target:** ");
	put_flat_or(out, in->target_group_name, UNKNOWN);
	buf_puts(out, "\n\n");
}

static void render(struct results_cache *cache, const struct results_input *in,
		   struct buf *out)
{
	struct cached_entry *entries = cache_entries(cache, in);
	struct resolved conns, pkgs;

	resolve(in, RESOURCE_CONNECTION, &conns);
	resolve(in, RESOURCE_TRANSFORMATION, &pkgs);
	put_header(out, in);
	put_summary(out, in, &conns, &pkgs);
	put_connections(out, in, &conns, entries);
	put_transformations(out, in, &pkgs, entries ? entries + conns.n_planned : NULL);
	put_next_steps(out, in, pkgs.n);
	put_cleanup(out);
	resolved_free(&conns);
	resolved_free(&pkgs);
}

char *results_render_cached(struct results_cache *cache, const struct results_input *in)
{
	struct buf out = BUF_INIT;

	render(cache, in, &out);
	return buf_detach(&out);
}

char *results_render(const struct results_input *in)
{
	return results_render_cached(NULL, in);
}

/* Where the Date line's value starts and ends in text: [*from, *to). */
static bool find_date(const char *text, size_t len, size_t *from, size_t *to)
{
	const char *end;

	*from = sizeof DATE_PREFIX - 1;
	if (len < *from || memcmp(text, DATE_PREFIX, *from))
		return false;
	end = memchr(text + *from, '\n', len - *from);
	*to = end ? (size_t)(end - text) : len;
	return true;
}

/* Do a and b say the same, their dates aside? */
static bool same_but_date(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t af, at, bf, bt;

	if (!find_date(a, alen, &af, &at) || !find_date(b, blen, &bf, &bt))
		return alen == blen && !memcmp(a, b, alen);
	return af == bf && alen - at == blen - bt && !memcmp(a, b, af) &&
	       !memcmp(a + at, b + bt, alen - at);
}

/* The file at path when it is a regular file of at most RESULTS_READ_MAX
 * bytes (not followed if a symlink); false otherwise (it is then replaced). */
#define RESULTS_READ_MAX (256u << 20)
static bool read_current(const char *path, struct buf *into)
{
	struct stat sb;
	bool ok = false;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	buf_reset(into);
	if (fd < 0)
		return false;
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode) && (size_t)sb.st_size <= RESULTS_READ_MAX) {
		char chunk[65536];
		while ((n = read(fd, chunk, sizeof chunk)) > 0 && into->len <= RESULTS_READ_MAX)
			buf_append(into, chunk, (size_t)n);
		ok = n == 0;
	}
	close(fd);
	return ok;
}

int results_write_cached(const char *path, struct results_cache *cache,
			 const struct results_input *in, unsigned flags, struct err *err)
{
	struct buf own_text = BUF_INIT, own_disk = BUF_INIT;
	struct buf *text = cache ? &cache->text : &own_text;
	struct buf *disk = cache ? &cache->disk : &own_disk;
	bool present = cache && cache->disk_known ? cache->disk_present :
		       read_current(path, disk);
	bool same;
	int rc = 0;

	buf_reset(text);
	render(cache, in, text);
	/* Written only when what it says changed: its date is that of the last
	 * change, and a run that changes nothing leaves it byte-identical. */
	same = present && same_but_date(disk->data, disk->len, text->data, text->len);
	if (!same)
		rc = fileio_write_atomic_flags(path, text->data, text->len, flags, err);
	if (cache) {
		cache->disk_known = cache->disk_present = !rc;
		if (!rc && !same) { /* the disk now holds the rendering */
			struct buf t = *text;
			*text = *disk;
			*disk = t;
		}
	}
	buf_free(&own_text);
	buf_free(&own_disk);
	return rc;
}

char *results_recorded_source(const char *path)
{
	static const char mark[] = "\n**Source:** ";
	struct buf text = BUF_INIT;
	char *source = NULL;
	size_t from, to;

	/* In the header: right after the Date line. */
	if (read_current(path, &text) && find_date(text.data, text.len, &from, &to) &&
	    text.len - to >= sizeof mark - 1 && !memcmp(text.data + to, mark, sizeof mark - 1)) {
		const char *value = text.data + to + sizeof mark - 1;
		const char *end = memchr(value, '\n', text.len - (size_t)(value - text.data));
		size_t n = end ? (size_t)(end - value) : strlen(value);
		if (n && (n != strlen(UNKNOWN) || memcmp(value, UNKNOWN, n)))
			source = xstrndup(value, n);
	}
	buf_free(&text);
	return source;
}

int results_write(const char *path, const struct results_input *in, struct err *err)
{
	return results_write_cached(path, NULL, in, 0, err);
}
