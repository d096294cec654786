/*
 * sim.h — ccapply-sim, a stateful in-memory Fivetran REST API on loopback.
 *
 * The simulator exists so that ccapply's plan/apply can be demonstrated and
 * tested end to end without a Fivetran account: it answers the endpoints ccapply
 * uses (SPEC.md §2–§3, §6) with bodies shaped exactly as fivetran-openapi.json
 * gives them (validated through Prism by the contract tests), and it can be made
 * to misbehave on purpose: rate limits, latency, 5xx, connection resets, slow
 * and malformed answers, before or after an effect was committed.
 *
 * Modules (one .c file each, all declared here but clock.c, in clock.h):
 *
 *   main.c      options, --help, lifecycle: seed, listen, port file, wait for
 *               SIGTERM/SIGINT (sigwait, no handlers), shut down, free.
 *   clock.c     the monotonic time and the sleep a shutdown interrupts, in
 *               clock.h: they need nothing from the rest, and main.c, http.c
 *               and routes.c use them.
 *   http.c      libmicrohttpd glue: one thread per connection; collects the
 *               body (capped at SIM_BODY_MAX → 413), the query and auth; applies
 *               latency and fault actions around the route; logs the request.
 *   routes.c    the /v1 endpoints and /_sim test endpoints: validation,
 *               pagination, error bodies, the create rate limit.
 *   store.c     the account: groups, destinations, connections,
 *               transformations, package metadata, in creation order; id
 *               generation; connection defaults; credential masking; the state
 *               dump. Also field-spec checking shared by seed.c and routes.c.
 *   service.c   the service catalog's rules (catalog/catalog.h, generated from
 *               the official definition) for connection creates and answers.
 *   seed.c      loading --seed FILE into the store, with file:line:col errors.
 *   faults.c    --fault rules: parsing, path templates, per-rule counters.
 *   ratelimit.c --create-limit N/SECONDS: a sliding window of commit times.
 *   reqlog.c    the request log served at /_sim/requests.
 *
 * Calls run one way, down this order and never back: main, http, routes,
 * seed, store, service (lib/ and the catalog only), then faults, ratelimit,
 * reqlog and clock, which call nothing else in sim/.
 *
 * Concurrency: MHD runs each client connection in its own thread. Everything
 * mutable (store, request log, fault counters, rate window) is guarded by
 * sim->lock, held only while state is read or changed, never while sleeping
 * (latency and delay:S faults sleep on sim->stop, so SIGTERM wakes them).
 * The options are written once before the daemon starts and only read after.
 *
 * Determinism (for golden tests): generated ids come from per-kind counters
 * ("<adjective>_<noun>", skipping ids already taken), created_at of everything
 * the simulator makes is the --clock value (default SIM_DEFAULT_CLOCK), and
 * lists are in creation order (seed order, then creates).
 *
 * Choices where the API definition is silent (the real API's, where known):
 *  - connections follow the service catalog (service.c): what a create needs
 *    and what an answer carries are the definition's, service by service.
 *  - errors are {"code","message"} with codes NotFound 404, InvalidInput 400,
 *    Conflict 409 (a connection name taken in the group), AuthFailed 401 (with
 *    WWW-Authenticate), TooManyRequests 429 (with Retry-After), MethodNotAllowed
 *    405 (with Allow), PayloadTooLarge 413, InternalServerError 500 and
 *    ServiceUnavailable 503 (injected faults). Unknown request members and
 *    wrong types are 400s: a strict simulator catches client mistakes early.
 *  - the create limit counts committed connection creates only (a 400 or 409
 *    uses no slot); it is checked before the body is validated.
 *  - a transformation create needs package_name and at least one connection
 *    id (all in one group, which becomes its group); package_name is not
 *    checked against package_metadata; paused defaults to true, status NEW.
 *  - seed defaults: connections paused false, setup_state connected,
 *    sync_frequency 360, schedule_type auto, data_delay_sensitivity NORMAL,
 *    service_version 1, connected_by SIM_USER_ID; destinations snowflake,
 *    GCP_US_EAST4, time zone "0", CONNECTED; transformations QUICKSTART,
 *    SUCCEEDED, not paused, INTEGRATED; package versions "1.0.0", id = name.
 *  - --fault counters count every matching non-/_sim request, authenticated
 *    or not; "malformed" runs the request (a create commits) and then cuts
 *    the body in half, keeping a 2xx status (200 for an error).
 *
 * Ownership: struct sim and everything it holds is owned by main.c and freed
 * by sim_free() after the daemon has stopped. Values put into the store are
 * owned by it. Functions returning `char *` return xmalloc'd strings the caller
 * frees. No global mutable state anywhere in sim/.
 */
#ifndef CCAPPLY_SIM_H
#define CCAPPLY_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/value.h"
#include "sim/clock.h"

struct catalog_service;

#define SIM_BODY_MAX (10u * 1024u * 1024u)     /* larger request bodies → 413 */
#define SIM_DEFAULT_CLOCK "2024-01-01T00:00:00Z" /* created_at unless --clock */
#define SIM_DEFAULT_KEY "sim-key"
#define SIM_DEFAULT_SECRET "sim-secret"
#define SIM_PAGE_DEFAULT 100 /* `limit` default and range, per the definition */
#define SIM_PAGE_LIMIT_MAX 1000
#define SIM_MASK "******"    /* what a credential value reads as */
#define SIM_USER_ID "sim_user" /* connected_by / created_by_id of what we make */

/* ------------------------------------------------------------ faults.c */

enum sim_fault_action {
	SIM_FAULT_400,
	SIM_FAULT_500,
	SIM_FAULT_503,
	SIM_FAULT_500_AFTER_COMMIT,
	SIM_FAULT_RESET,
	SIM_FAULT_RESET_AFTER_COMMIT,
	SIM_FAULT_DELAY,
	SIM_FAULT_MALFORMED,
};

/* One --fault 'METHOD PATH#K=ACTION' rule (or '#K+=' for K-th and later).
 * METHOD is an HTTP method or '*'; PATH is matched by sim_path_match(). */
struct sim_fault {
	char *spec;   /* the rule as given, for the request log */
	char *method;
	char *path;
	unsigned long k;
	bool and_later;
	enum sim_fault_action action;
	unsigned long delay_ms; /* SIM_FAULT_DELAY only */
	unsigned long seen;     /* matching requests so far (under sim->lock) */
};

struct sim_faults {
	struct sim_fault *items;
	size_t n, cap;
};

/* Parse and add one rule; -1 with a message naming what is wrong. */
int sim_faults_add(struct sim_faults *f, const char *spec, struct err *err);
/* Count a request against every rule; return the first rule that fires on
 * this request, or NULL. Caller holds sim->lock. */
const struct sim_fault *sim_faults_match(struct sim_faults *f, const char *method,
					 const char *path);
void sim_faults_free(struct sim_faults *f);
const char *sim_fault_action_name(enum sim_fault_action a);

/* Match a request path (no query string) against a pattern: segments are
 * compared literally, except a pattern segment "*" matches any one non-empty
 * segment. If caps is not NULL, the path segments matched by "*" are stored in
 * caps[0..] (at most maxcaps; xmalloc'd, caller frees) and their number in
 * *ncaps. Returns true on a match (and only then allocates). */
bool sim_path_match(const char *pattern, const char *path, char **caps, size_t maxcaps,
		    size_t *ncaps);

/* --------------------------------------------------------- ratelimit.c */

/* At most `max` commits in any `window` seconds; max == 0 disables. */
struct sim_rate {
	unsigned long max;
	double window;
	double *stamps; /* monotonic times of the commits still in the window */
	size_t n, cap;
};

/* "N/SECONDS", "0" or "none". */
int sim_rate_parse(struct sim_rate *r, const char *text, struct err *err);
/* 0 when a commit may happen now, else the whole seconds (>= 1, rounded up)
 * until the oldest commit leaves the window: the Retry-After value. */
unsigned long sim_rate_check(struct sim_rate *r, double now);
void sim_rate_record(struct sim_rate *r, double now);
void sim_rate_free(struct sim_rate *r);

/* ------------------------------------------------------------- store.c */

/* One resource. `obj` is exactly what the API returns for it (an object);
 * `group_id` is kept beside it only for transformations, whose API shape has
 * no group_id (NULL for every other kind). */
struct sim_item {
	struct value *obj;
	char *group_id;
};

struct sim_list {
	struct sim_item *items;
	size_t n, cap;
};

struct sim_store {
	struct sim_list groups, destinations, connections, transformations, packages;
	unsigned long conn_seq, trans_seq; /* id generator counters */
	char *clock;                       /* created_at for what the sim makes */
};

void sim_store_init(struct sim_store *s, const char *clock);
void sim_store_free(struct sim_store *s);

/* Append (takes ownership of obj and of group_id). */
void sim_list_add(struct sim_list *l, struct value *obj, char *group_id);
/* The item whose obj has "id" == id, or NULL. */
struct sim_item *sim_list_find(const struct sim_list *l, const char *id);
/* The connection of group `group_id` whose "schema" is `schema`, or NULL. */
struct sim_item *sim_store_find_connection(const struct sim_store *s, const char *group_id,
					   const char *schema);

/* A fresh id not used by any connection or transformation. */
char *sim_store_new_connection_id(struct sim_store *s);
char *sim_store_new_transformation_id(struct sim_store *s);

/* Credential fields of service s, by the catalog: a key s marks "format":
 * "password" (at any depth), and a key s does not declare — or any key, when
 * s is NULL (a destination) — that some service's config or auth marks so.
 * Masking replaces a credential's value, at any depth of the config (objects
 * inside objects and arrays), with SIM_MASK, except that "" and null stay as
 * they are. */
void sim_mask_credentials(const struct catalog_service *s, struct value *config);

/* Fill every member a connection response requires (ConnectorResponse and
 * ConnectorResponseV1) that obj lacks, the status members, and the read-only
 * config keys of its service s (sim_service_fill_read_only). `fresh` picks
 * the defaults of a just-created connection (setup incomplete, historical sync
 * pending) rather than those of an established seed connection. `paused`
 * must already be set or is defaulted to `fresh`. */
void sim_connection_complete(struct value *obj, const struct catalog_service *s,
			     const char *clock, bool fresh);

/* Field specifications, shared by the seed loader and request validation. */
enum sim_field_type {
	SIM_FT_STRING,
	SIM_FT_STRING_OR_NULL, /* the errata's nullable strings (connected_by, …) */
	SIM_FT_BOOL,
	SIM_FT_INT,
	SIM_FT_OBJECT,
	SIM_FT_ARRAY,
	SIM_FT_ANY,
	SIM_FT_SYNC_FREQUENCY, /* an integer among 1 5 15 30 60 120 180 360 480 720 1440 */
};

struct sim_field {
	const char *name;
	enum sim_field_type type;
	const char *const *choices; /* NULL-terminated allowed strings, or NULL */
};

/* Check the members of obj named in specs[0..n). With reject_unknown, a member
 * not in specs is an error too. Returns NULL when all is well, else the
 * offending value (or obj itself for an unknown member, whose name is in the
 * message) with err set to "field 'NAME' must be ...". */
const struct value *sim_check_fields(const struct value *obj, const struct sim_field *specs,
				     size_t n, bool reject_unknown, struct err *err);

/* The connection response fields (types and enums) the store vouches for. */
extern const struct sim_field sim_connection_fields[];
extern const size_t sim_connection_nfields;
/* TransformationSchedule, and a QUICKSTART transformation_config. */
extern const struct sim_field sim_schedule_fields[];
extern const size_t sim_schedule_nfields;
extern const struct sim_field sim_quickstart_fields[];
extern const size_t sim_quickstart_nfields;

/* Append the state dump, {"groups":[…],"destinations":[…],"connections":[…],
 * "transformations":[…],"package_metadata":[…]} — the seed format, so a dump
 * can seed another simulator — pretty-printed, transformations with group_id. */
void sim_store_write_state(const struct sim_store *s, struct buf *out);

/* Replace or add member `key` of object obj (takes ownership of val). */
void sim_obj_set(struct value *obj, const char *key, struct value *val);
/* Add member `key` when absent; else free val. */
void sim_obj_default(struct value *obj, const char *key, struct value *val);
/* Remove member `key` if present. */
void sim_obj_remove(struct value *obj, const char *key);

/* ----------------------------------------------------------- service.c */

/* Check the top-level members of a create body: each is a field of
 * NewConnectorRequestV1 with the catalog's type and enum, or one of the
 * per-service parts config, auth, external_secrets_keys_config (objects).
 * -1 with "Unknown field 'x'" or "Field 'x' must be ...". */
int sim_service_check_fields(const struct value *body, struct err *err);
/* Check the service-specific rules of a create body whose top level passed:
 * the service is in the catalog; each naming key of its format is a non-empty
 * string in config ("Field 'config.schema_prefix' is required"); each config
 * key the service declares has the declared type and enum, at every depth the
 * catalog declares; no read-only key is sent. The service, or NULL with err. */
const struct catalog_service *sim_service_check_create(const struct value *body,
							struct err *err);
/* The name of a connection created with config (checked): schema_prefix;
 * schema; schema.table; schema.table_group_name. xmalloc'd. */
char *sim_service_name(const struct catalog_service *s, const struct value *config);
/* The config an answer carries for a create's config: the keys the service
 * declares (never the naming keys; undeclared keys are dropped), plus the
 * read-only keys filled by the server for connection `id`. */
struct value *sim_service_answer_config(const struct catalog_service *s,
					const struct value *config, const char *id);
/* Add each read-only key of s that config lacks: the first enum value, 0,
 * false, {} or [] by its type, or "KEY of ID, generated by ccapply-sim". */
void sim_service_fill_read_only(const struct catalog_service *s, struct value *config,
				const char *id);

/* -------------------------------------------------------------- seed.c */

/* Load a seed account file into an empty store. Errors read
 * "FILE: line L, column C: what is wrong". */
int sim_seed_load(struct sim_store *s, const char *path, struct err *err);

/* ------------------------------------------------------------ reqlog.c */

struct sim_logentry {
	char *method, *path;
	char *query;         /* "k=v&k2=v2": the decoded arguments, in order */
	struct value *args;  /* object: the first value of each argument */
	struct value *body;  /* parsed JSON, a string, or NULL (no body / pending) */
	int status;          /* -1 while in flight, 0 when the connection was reset */
	char *fault;         /* the --fault rule applied, or NULL */
};

struct sim_reqlog {
	struct sim_logentry *items;
	size_t n, cap;
};

/* Record a request as it arrives (takes ownership of args); returns its index. */
size_t sim_reqlog_begin(struct sim_reqlog *log, const char *method, const char *path,
			const char *query, struct value *args);
/* Complete entry idx (takes ownership of body, which may be NULL). */
void sim_reqlog_finish(struct sim_reqlog *log, size_t idx, int status, const char *fault,
		       struct value *body);
/* Append the log as a pretty-printed JSON array of
 * {"method","path","query","args","status","fault"?,"body"}. The Authorization
 * header, like every other header, is never recorded. */
void sim_reqlog_write(const struct sim_reqlog *log, struct buf *out);
void sim_reqlog_free(struct sim_reqlog *log);

/* ------------------------------------------------------------ routes.c */

struct sim;

struct sim_request {
	const char *method;
	const char *path;          /* decoded, no query string, valid UTF-8 */
	const struct value *query; /* object: first value of each argument */
	const char *query_text;    /* "k=v&k2=v2", decoded, every argument in order */
	const char *body;          /* raw bytes, NUL-terminated */
	size_t body_len;
	const struct value *json;  /* body parsed, or NULL */
	const char *json_error;    /* why a non-empty body did not parse, or NULL */
};

struct sim_response {
	unsigned status;
	struct buf body;          /* JSON text */
	unsigned long retry_after; /* > 0: send Retry-After */
	bool auth_challenge;      /* send WWW-Authenticate */
	char allow[64];           /* non-empty: send Allow (405) */
};

void sim_response_init(struct sim_response *r);
void sim_response_free(struct sim_response *r);
/* Set an error answer: {"code": code, "message": printf(fmt, ...)}. */
void sim_respond_error(struct sim_response *r, unsigned status, const char *code,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Answer a /v1 request whose credentials were accepted. Caller holds sim->lock. */
void sim_route_api(struct sim *sim, const struct sim_request *req, struct sim_response *resp);
/* Answer a /_sim request. Caller holds sim->lock. */
void sim_route_test(struct sim *sim, const struct sim_request *req, struct sim_response *resp);

/* -------------------------------------------------------------- http.c */

/* Start listening on 127.0.0.1:sim->opt.port; the bound port in *port. */
int sim_http_start(struct sim *sim, unsigned *port, struct err *err);
void sim_http_stop(struct sim *sim);

/* -------------------------------------------------------------- main.c */

struct sim_options {
	unsigned port;
	const char *port_file;
	const char *seed;
	const char *api_key, *api_secret;
	unsigned long page_max;   /* 0: no cap */
	unsigned long latency_ms;
	const char *clock;
};

struct sim {
	struct sim_options opt;
	pthread_mutex_t lock; /* guards store, log, faults' counters, rate */
	struct sim_store store;
	struct sim_reqlog log;
	struct sim_faults faults;
	struct sim_rate rate;

	struct sim_stop stop; /* set on SIGTERM/SIGINT; wakes sleepers (clock.h) */

	void *daemon; /* struct MHD_Daemon *, owned by http.c */
};

/* ------------------------------------------ utilities (in reqlog.c) */

/* Whether s[0..len) is well-formed UTF-8. */
bool sim_utf8_valid(const char *s, size_t len);
/* A copy of s with each byte that is not part of well-formed UTF-8 replaced
 * by U+FFFD, so that it can go into JSON output. */
char *sim_utf8_sanitize(const char *s);

#endif
