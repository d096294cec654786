/*
 * planner.h — the desired state: copy_plan.yaml and validation_report.yaml
 * loaded, type-checked and gated (SPEC §1).
 *
 * planner/ holds three things, and only these: the desired state — the
 * plan model (destination, connections, Quickstart packages, custom dbt
 * projects) and the report model (status, checksum, findings,
 * acknowledgments): plan.c, report.c, conform.c, read.c; the pre-flight
 * gates that decide whether it may be acted on (gates.c); and the request
 * bodies apply sends to create it, with their digest (request.c). It
 * decides nothing against the live state: what to create, and what drifted,
 * is differ/'s; the plan as a document is cmd/plandoc.c's. Pure: reads the
 * two files, never the network; the same inputs always give the same model
 * or the same error.
 *
 * Invariants of a loaded plan: schema_version is 1; every connection has a
 * non-empty source_id, source_service and target_name, and target names are
 * unique. Each connection is conformed to the service catalog
 * (catalog/catalog.h; planner/conform.c): create_fields holds its settings —
 * the top-level fields of NewConnectorRequestV1 other than group_id, service,
 * paused and run_setup_tests, found beside config or inside it — each of the
 * type and in the enum the definition gives; config is a mapping (empty when
 * the plan has none) of what is left of the plan's config: no settings, no
 * naming keys (schema, schema_prefix, table, table_group_name: the request
 * sets them from target_name), no read-only keys, and every key the catalog
 * types of that type; naming is the service's naming format (for a service
 * the catalog does not know, the one its config's naming keys gave), and a
 * table format's target_name is "schema.table". What the catalog only
 * doubts (an unknown key, a value outside an enum, an unknown service) is in
 * plan->warnings. schema_config subtrees are checked for
 * syntax and shape by the YAML loader as it streams past them (plan.c) but
 * never kept, so memory does not grow with them.
 *
 * Gates run in SPEC order: (1) both files present, (2) the report's checksum
 * is in an accepted form and equals the plan's, (3) the report's status is
 * not fail, (4) the plan loads and is sound. Every failure names the file
 * (and line:col) or the step to re-run.
 *
 * Who may call: cmd/ (to load); differ/, applier/, state/ and live/ (to read
 * the model and build the bodies).
 * Ownership: planner_inputs_free() frees plan and report and everything in
 * them; strings and values inside are owned by their structs.
 */
#ifndef CCAPPLY_PLANNER_H
#define CCAPPLY_PLANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/catalog.h"
#include "lib/digest.h"
#include "lib/err.h"
#include "lib/value.h"

enum destination_mode { DESTINATION_EXISTING, DESTINATION_NEW };
enum auth_style { AUTH_NONE, AUTH_OAUTH, AUTH_CREDENTIALS };

struct plan_connection {
	char *source_id;
	char *source_service;
	char *target_name;
	struct value *config;        /* mapping: the plan's config keys (see invariants) */
	struct value *create_fields; /* mapping: sync_frequency, schedule_type, ... */
	enum catalog_naming naming;  /* how it is named (see invariants) */
	char **credential_fields;
	size_t n_credential_fields;
	enum auth_style auth_style;
	int line, col; /* of the list item */
};

struct plan_package {
	char *source_transformation_id;
	char *package_name;
	/* The package's name as a resource in the state, the journal and
	 * results.md: package_name, or, when another package of the plan has
	 * the same package_name (two Stripe connections, each with its
	 * package), "package_name (source_transformation_id)" — its identity,
	 * SPEC §3 — or, without an id, "package_name (dep, dep)". Read it with
	 * plan_package_name() (a model built by hand may leave it NULL). */
	char *name;
	char **depends_on; /* target_connection_source_ids */
	size_t n_depends_on;
	int line, col;
};

static inline const char *plan_package_name(const struct plan_package *pkg)
{
	return pkg->name ? pkg->name : pkg->package_name;
}

/* What the service catalog doubts in a plan, without refusing it. Codes:
 * CATALOG_UNKNOWN_KEY, CATALOG_VALUE_NOT_IN_ENUM, CATALOG_UNKNOWN_SERVICE.
 * The message starts with FILE:LINE:COL and the field's path. */
struct plan_warning {
	char *code;
	char *message;
	char *source_id;
};

struct plan_dbt_project {
	char *project_id;
	char *note;
};

struct plan {
	char *path;
	char *checksum; /* as verified by gate 2: the report's form, e.g. blake2b-256:... */
	char *account_hint;
	struct {
		enum destination_mode mode;
		char *existing_destination_id; /* mode existing */
		char *new_group_name;          /* mode new */
		char *service;                 /* new_destination_config.service, if any */
	} destination;
	struct plan_connection *connections;
	size_t n_connections;
	struct plan_package *packages;
	size_t n_packages;
	struct plan_dbt_project *dbt_projects;
	size_t n_dbt_projects;
	struct plan_warning *warnings; /* in plan order */
	size_t n_warnings;
	/* Every connection's credential_fields, NULL-terminated (pointers into
	 * the connections): what traces must redact beyond the usual names. */
	const char **secret_keys;
};

enum report_status { REPORT_PASS, REPORT_PASS_WITH_WARNINGS, REPORT_FAIL };
enum severity { SEVERITY_BLOCKING, SEVERITY_WARNING, SEVERITY_INFO };
enum finding_scope { SCOPE_DESTINATION, SCOPE_CONNECTION, SCOPE_TRANSFORMATION };

struct finding {
	enum finding_scope scope;
	enum severity severity;
	char *code;
	char *message;
	char *field;        /* destination findings */
	char *source_id;    /* connection findings */
	char *target_name;  /* connection findings */
	char *package_name; /* transformation findings */
	struct value *context; /* mapping or NULL */
	int line, col;
};

struct acknowledgment {
	char *code;
	char *message;
};

struct report {
	char *path;
	char *plan_checksum;
	int checksum_line, checksum_col; /* where plan_checksum is, for messages */
	char *validated_at;
	enum report_status status;
	struct finding *findings;
	size_t n_findings;
	struct acknowledgment *acks;
	size_t n_acks;
};

/* Which gate refused; GATE_OK when all passed. */
enum gate {
	GATE_OK,
	GATE_PLAN_MISSING,
	GATE_REPORT_MISSING,
	GATE_REPORT_INVALID,
	GATE_CHECKSUM_FORM,
	GATE_CHECKSUM_MISMATCH,
	GATE_STATUS_FAIL,
	GATE_PLAN_INVALID, /* syntax, types, schema_version, duplicates, dependencies */
};

struct planner_inputs {
	struct plan *plan;     /* NULL until gate 4 passed */
	struct report *report; /* NULL until the report loaded */
	enum gate refused_at;
};

/* The inputs' file names, in DIR/.copy-connections/ (the paths are built
 * by cmd/, struct workspace). */
#define PLAN_FILE "copy_plan.yaml"
#define REPORT_FILE "validation_report.yaml"

/* Load the plan and the report at these paths (copy_plan.yaml and
 * validation_report.yaml) and run the gates. Returns 0 when every gate
 * passed; -1 with in->refused_at and err set otherwise. in->report is kept
 * when it loaded, so callers can list the blocking findings of a failed
 * status. */
int planner_load(const char *plan_path, const char *report_path, struct planner_inputs *in,
		 struct err *err);
void planner_inputs_free(struct planner_inputs *in);

/* Single steps, for tests and tools. */
int plan_load(const char *path, struct plan **out, struct err *err);
void plan_free(struct plan *p);
int report_load(const char *path, struct report **out, struct err *err);
void report_free(struct report *r);
/* Gate 4 on a loaded plan: duplicate target names, unknown dependencies not
 * reported as missing by the report (which may be NULL). */
int plan_check_sound(const struct plan *p, const struct report *r, struct err *err);

/* Distinct codes that need acknowledgment before apply: every warning
 * finding's code and every acknowledgments_required code, in first-seen
 * order. Returns the count; *codes points into the report (do not free the
 * strings; free the array). */
size_t report_warning_codes(const struct report *r, const char ***codes);

const struct plan_connection *plan_find_connection(const struct plan *p, const char *source_id);
bool plan_is_credential_field(const struct plan_connection *c, const char *key);
const char *const *plan_secret_keys(const struct plan *p);

/* Request bodies (SPEC §3), built from the model so plan, apply and the
 * state digest agree on exactly what is sent. The caller frees them.
 * Connection: group_id, service, run_setup_tests false, paused true, the
 * connection's settings (create_fields) at the top level, and config: the
 * plan's config keys with every credential set to "" (the catalog's
 * "format": "password" keys at any depth — for a key or service the catalog
 * does not know, any name some service marks so —, credential_fields, and
 * all-asterisk values), without read-only keys, and the naming keys of the
 * service's format set from target_name: schema_prefix or schema =
 * target_name; schema + table (or table_group_name) = the two halves of
 * "schema.table", split at the first dot. */
struct value *plan_connection_request(const struct plan_connection *c, const char *group_id);
/* The naming format of c: its service's in the catalog, else c->naming. */
enum catalog_naming plan_connection_naming(const struct plan_connection *c);
/* The first naming key of that format: "schema_prefix" or "schema". */
const char *plan_connection_name_key(const struct plan_connection *c);
/* The name Fivetran gives the connection: its `schema` field in API
 * responses, what plan matches live connections by and what a lookup after
 * an unknown outcome asks for. It is target_name ("schema.table" for the
 * table formats). The caller frees the result. */
char *plan_connection_api_name(const struct plan_connection *c);
/* The credentials a connection needs, as field names: its credential_fields,
 * then each config key the catalog marks "format": "password" that the plan
 * sets (at any depth, by its last name), without repeats. The caller frees
 * the array, not the strings (they point into c or the catalog). */
const char **plan_connection_credentials(const struct plan_connection *c, size_t *n);
/* QUICKSTART transformation, paused, INTEGRATED schedule. */
struct value *plan_transformation_request(const char *package_name, char *const *connection_ids,
					  size_t n_connection_ids);
/* The digest of a request body as the state file records it (sent_digest):
 * "blake2b-256:" and the 64 lowercase hex digits of the BLAKE2b-256 of the
 * body's canonical JSON (compact, keys sorted). One function, so what apply
 * records and what status compares it with are the same bytes. The caller
 * frees the result. */
char *plan_request_digest(const struct value *body);
/* A non-empty string of asterisks only: how the API masks secrets. */
bool plan_value_is_masked(const struct value *v);

const char *report_status_name(enum report_status s);

#endif
