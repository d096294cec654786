/*
 * http.c — libmicrohttpd glue of ccapply-sim (see sim.h).
 *
 * MHD runs one thread per client connection (MHD_USE_THREAD_PER_CONNECTION),
 * so a delay:S fault or --latency-ms sleeps only its own request. For each
 * request MHD calls on_request() once with the headers, then once per body
 * chunk, then once more to get the answer; the body is collected in a
 * per-request context that on_completed() frees.
 *
 * The order of events for one request, which the fault actions rely on:
 *   1. the request is entered in the log and counted against --fault rules;
 *   2. --latency-ms, then a delay:S fault, sleep;
 *   3. a 500/503 fault answers now, a reset fault closes the connection now;
 *   4. HTTP Basic credentials are checked (401), then the route runs (this is
 *      where a create commits);
 *   5. an *-after-commit fault replaces the answer (500, or a reset), and a
 *      malformed fault cuts the body short;
 *   6. the log entry is completed and the answer sent.
 * Requests under /_sim/ skip 1–5: they are the tests' window into the simulator.
 */
#include "sim/sim.h"
#include "sim/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "lib/json.h"

struct req_ctx {
	struct buf body;
	bool too_large;
	bool answered; /* an answer was queued before the body was read */
};

/* ------------------------------------------------------------ requests */

struct query {
	struct value *args; /* first value of each argument */
	struct buf text;    /* every argument, "k=v&k2=v2" */
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct query *q = cls;
	char *k = sim_utf8_sanitize(key);
	char *v = value ? sim_utf8_sanitize(value) : NULL;

	(void)kind;
	if (!value_get(q->args, k))
		value_object_put_c(q->args, k, value_new_cstring(v ? v : ""));
	buf_printf(&q->text, "%s%s%s%s", q->text.len ? "&" : "", k, v ? "=" : "", v ? v : "");
	free(k);
	free(v);
	return MHD_YES;
}

static bool authorized(const struct sim *sim, struct MHD_Connection *conn)
{
	bool ok;
#if MHD_VERSION >= 0x00097701
	struct MHD_BasicAuthInfo *info = MHD_basic_auth_get_username_password3(conn);

	ok = info && info->password && !strcmp(info->username, sim->opt.api_key) &&
	     !strcmp(info->password, sim->opt.api_secret);
	if (info)
		MHD_free(info);
#else
	char *password = NULL;
	char *user = MHD_basic_auth_get_username_password(conn, &password);

	ok = user && password && !strcmp(user, sim->opt.api_key) &&
	     !strcmp(password, sim->opt.api_secret);
	if (user)
		MHD_free(user);
	if (password)
		MHD_free(password);
#endif
	return ok;
}

/* What the log keeps of a body: its JSON, else its text, else a note. */
static struct value *loggable_body(const struct buf *body, const struct value *json)
{
	char note[64];

	if (json)
		return value_clone(json);
	if (!body->len)
		return NULL;
	if (sim_utf8_valid(body->data, body->len))
		return value_new_string(body->data, body->len);
	snprintf(note, sizeof note, "<%zu bytes, not UTF-8>", body->len);
	return value_new_cstring(note);
}

/* ----------------------------------------------------------- responses */

static enum MHD_Result send_response(struct MHD_Connection *conn, struct sim_response *r)
{
	size_t len = r->body.len;
	char *data = buf_detach(&r->body);
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char num[32];

	resp = MHD_create_response_from_buffer_with_free_callback(len, data, free);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (r->retry_after) {
		snprintf(num, sizeof num, "%lu", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	if (r->auth_challenge)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Basic realm=\"Fivetran API\"");
	if (r->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A prefix of a JSON object is never valid JSON: keep the first half. */
static void make_malformed(struct sim_response *r)
{
	if (r->status < 200 || r->status > 299)
		r->status = 200;
	if (r->body.len < 2) {
		buf_reset(&r->body);
		buf_puts(&r->body, "{\"code\":");
		return;
	}
	r->body.len /= 2;
	r->body.data[r->body.len] = '\0';
}

/* ------------------------------------------------------------- answer */

struct exchange {
	struct sim *sim;
	struct MHD_Connection *conn;
	struct sim_request req;
	struct query query;
	struct value *json;
	struct err json_err;
	struct sim_response resp;
	const struct sim_fault *fault;
	size_t log_idx;
	bool api;
};

static void parse_body(struct exchange *x, const struct req_ctx *ctx)
{
	x->req.body = buf_str(&ctx->body);
	x->req.body_len = ctx->body.len;
	err_clear(&x->json_err);
	if (!ctx->body.len || ctx->too_large)
		return;
	if (json_parse(ctx->body.data, ctx->body.len, &x->json, &x->json_err)) {
		x->json = NULL;
		x->req.json_error = x->json_err.msg;
	}
	x->req.json = x->json;
}

/* Steps 3–5: the answer of a logged /v1 (or unknown) request. Returns false
 * when the connection is to be reset instead. */
static bool answer_api(struct exchange *x, const struct req_ctx *ctx)
{
	struct sim *sim = x->sim;
	enum sim_fault_action action = x->fault ? x->fault->action : SIM_FAULT_DELAY;

	if (x->api && sim->opt.latency_ms)
		sim_sleep_ms(&sim->stop, sim->opt.latency_ms);
	if (x->fault && action == SIM_FAULT_DELAY)
		sim_sleep_ms(&sim->stop, x->fault->delay_ms);
	if (x->fault && action == SIM_FAULT_400) {
		sim_respond_error(&x->resp, 400, "InvalidInput", "Injected fault: %s "
				  "(the request is refused, nothing is done)", x->fault->spec);
		return true;
	}
	if (x->fault && (action == SIM_FAULT_500 || action == SIM_FAULT_503)) {
		sim_respond_error(&x->resp, action == SIM_FAULT_500 ? 500 : 503,
				  action == SIM_FAULT_500 ? "InternalServerError" :
				  "ServiceUnavailable", "Injected fault: %s", x->fault->spec);
		return true;
	}
	if (x->fault && action == SIM_FAULT_RESET)
		return false;
	if (ctx->too_large) {
		sim_respond_error(&x->resp, 413, "PayloadTooLarge", "The request body exceeds "
				  "%u bytes", SIM_BODY_MAX);
	} else if (!x->api) {
		sim_respond_error(&x->resp, 404, "NotFound", "No such endpoint: %s %s",
				  x->req.method, x->req.path);
	} else if (!authorized(sim, x->conn)) {
		sim_respond_error(&x->resp, 401, "AuthFailed", "Missing or invalid API key and "
				  "secret (HTTP Basic authentication)");
		x->resp.auth_challenge = true;
	} else {
		pthread_mutex_lock(&sim->lock);
		sim_route_api(sim, &x->req, &x->resp);
		pthread_mutex_unlock(&sim->lock);
	}
	if (!x->fault)
		return true;
	if (action == SIM_FAULT_RESET_AFTER_COMMIT)
		return false;
	if (action == SIM_FAULT_500_AFTER_COMMIT) {
		x->resp.retry_after = 0;
		x->resp.auth_challenge = false;
		x->resp.allow[0] = '\0';
		sim_respond_error(&x->resp, 500, "InternalServerError", "Injected fault: %s",
				  x->fault->spec);
	} else if (action == SIM_FAULT_MALFORMED) {
		make_malformed(&x->resp);
	}
	return true;
}

static enum MHD_Result answer(struct sim *sim, struct MHD_Connection *conn, const char *url,
			      const char *method, const struct req_ctx *ctx)
{
	struct exchange x;
	enum MHD_Result ret;
	char *path = sim_utf8_sanitize(url);
	char *meth = sim_utf8_sanitize(method);
	bool keep;

	memset(&x, 0, sizeof x);
	x.sim = sim;
	x.conn = conn;
	x.query.args = value_new_object();
	buf_init(&x.query.text);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &x.query);
	x.req.method = meth;
	x.req.path = path;
	x.req.query = x.query.args;
	x.req.query_text = buf_str(&x.query.text);
	sim_response_init(&x.resp);
	parse_body(&x, ctx);

	if (!strncmp(path, "/_sim/", 6)) {
		pthread_mutex_lock(&sim->lock);
		sim_route_test(sim, &x.req, &x.resp);
		pthread_mutex_unlock(&sim->lock);
		keep = true;
	} else {
		x.api = !strncmp(path, "/v1/", 4);
		pthread_mutex_lock(&sim->lock);
		x.log_idx = sim_reqlog_begin(&sim->log, meth, path, x.req.query_text,
					     value_clone(x.query.args));
		x.fault = sim_faults_match(&sim->faults, meth, path);
		pthread_mutex_unlock(&sim->lock);
		keep = answer_api(&x, ctx);
		pthread_mutex_lock(&sim->lock);
		sim_reqlog_finish(&sim->log, x.log_idx, keep ? (int)x.resp.status : 0,
				  x.fault ? x.fault->spec : NULL,
				  loggable_body(&ctx->body, x.json));
		pthread_mutex_unlock(&sim->lock);
	}
	ret = keep ? send_response(conn, &x.resp) : MHD_NO;
	sim_response_free(&x.resp);
	value_free(x.query.args);
	buf_free(&x.query.text);
	value_free(x.json);
	free(path);
	free(meth);
	return ret;
}

/* --------------------------------------------------------------- MHD */

static bool declared_too_large(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno == ERANGE || (end != cl && n > SIM_BODY_MAX);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	struct sim *sim = cls;
	struct req_ctx *ctx = *req_cls;

	(void)version;
	if (!ctx) {
		ctx = xcalloc(1, sizeof *ctx);
		buf_init(&ctx->body);
		*req_cls = ctx;
		if (!declared_too_large(conn))
			return MHD_YES;
		/* answer before reading a body we would refuse anyway */
		ctx->too_large = true;
		ctx->answered = true;
		return answer(sim, conn, url, method, ctx);
	}
	if (ctx->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!ctx->too_large && ctx->body.len + *upload_data_size > SIM_BODY_MAX) {
			ctx->too_large = true;
			buf_free(&ctx->body);
		}
		if (!ctx->too_large)
			buf_append(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return answer(sim, conn, url, method, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *ctx = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!ctx)
		return;
	buf_free(&ctx->body);
	free(ctx);
	*req_cls = NULL;
}

int sim_http_start(struct sim *sim, unsigned *port, struct err *err)
{
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)sim->opt.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	errno = 0;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_AUTO,
			     (uint16_t)sim->opt.port, NULL, NULL, on_request, sim,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, sim,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
			     MHD_OPTION_END);
	if (!d)
		return err_set(err, "cannot listen on 127.0.0.1:%u: %s", sim->opt.port,
			       errno ? strerror(errno) : "libmicrohttpd refused to start");
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port) {
		MHD_stop_daemon(d);
		return err_set(err, "cannot tell which port 127.0.0.1 was bound to");
	}
	*port = info->port;
	sim->daemon = d;
	return 0;
}

void sim_http_stop(struct sim *sim)
{
	if (sim->daemon)
		MHD_stop_daemon(sim->daemon);
	sim->daemon = NULL;
}
