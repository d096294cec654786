#!/usr/bin/env node
// prism-tap.js — a recording pass-through in front of Prism, for the contract tests (t/39xx).
//
//     node prism-tap.js PRISM_URL PORT_FILE LOG_FILE
//
// Listens on an ephemeral loopback port (written to PORT_FILE once listening), forwards every
// request unchanged to PRISM_URL, and appends one record per exchange to LOG_FILE before the
// answer goes back to the client:
//
//     GET /v1/groups/g1 -> 200
//     POST /v1/connections -> 422 UNPROCESSABLE_ENTITY
//     	violation Error request.body: Request body must have required property 'service'
//
// Why it exists: Prism with --errors turns a violation into a 422/500 problem response, and its
// own log then says only "Request/Response not valid" — the details (which field, which rule)
// are in the response, which the API client under test consumes (and may even retry or adopt
// past). Recording them here lets the shell tests fail naming the endpoint and the violation,
// and check that each client call really went through Prism. Headers are never recorded (the
// Authorization header carries the API secret); paths, statuses and Prism's findings are.
// Violations come from the sl-violations header (any severity) and the `validation` array of a
// Prism problem response; a Prism problem without one (401, route not found) is recorded as a
// violation of kind "prism".
'use strict';

const fs = require('fs');
const http = require('http');

const PRISM_PROBLEM = 'https://stoplight.io/prism/errors#';
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'];

function parseJson(text) {
	try {
		return JSON.parse(text);
	} catch (e) {
		return undefined;
	}
}

// One finding. A 422 problem lists request violations with locations like ["body"]; `side`
// ("request") is then put in front so every line says which side broke the contract.
function describeViolation(v, side) {
	let location = Array.isArray(v.location) ? v.location : [];
	if (side && location[0] !== 'request' && location[0] !== 'response')
		location = [side, ...location];
	const where = location.join('.');
	return `\tviolation ${v.severity || 'Error'} ${where}: ${v.message}`;
}

// The record of one exchange: a header line, then one tab-indented line per finding.
function describeExchange(req, status, headers, body) {
	let head = `${req.method} ${req.url} -> ${status}`;
	const findings = [];
	const header = headers['sl-violations'];
	if (header !== undefined) {
		const list = parseJson(header);
		if (Array.isArray(list))
			list.forEach((v) => findings.push(describeViolation(v)));
		else
			findings.push(`\tviolation Error sl-violations: ${header}`);
	}
	// Fivetran (and the simulator) answer application/json; a problem+json answer is Prism's
	// own: a violation, a refused request, or a failure to reach the upstream.
	const type = String(headers['content-type'] || '');
	if (type.includes('problem+json')) {
		const problem = parseJson(body.toString('utf8')) || {};
		const kind = String(problem.type || 'unknown');
		const prismOwn = kind.startsWith(PRISM_PROBLEM);
		head += ` ${prismOwn ? kind.slice(PRISM_PROBLEM.length) : kind}`;
		const list = Array.isArray(problem.validation) ? problem.validation : [];
		const side = problem.status === 422 ? 'request' : undefined;
		list.map((v) => describeViolation(v, side)).forEach((line) => {
			if (!findings.includes(line))
				findings.push(line);
		});
		if (list.length === 0) {
			const detail = problem.detail ? `: ${problem.detail}` : '';
			findings.push(`\tviolation Error prism: ${problem.title}${detail}`);
		}
	}
	return [head, ...findings];
}

function forwardHeaders(headers, host) {
	const out = {};
	for (const [name, value] of Object.entries(headers)) {
		if (!HOP_BY_HOP.includes(name))
			out[name] = value;
	}
	if (host !== undefined)
		out.host = host;
	return out;
}

// Forward one request to Prism, record the exchange, answer the client with Prism's answer.
function relay(prism, record, req, res, requestBody) {
	const upstream = http.request({
		host: prism.hostname,
		port: prism.port,
		method: req.method,
		path: req.url,
		headers: forwardHeaders(req.headers, prism.host),
	}, (answer) => {
		const parts = [];
		answer.on('data', (chunk) => parts.push(chunk));
		answer.on('end', () => {
			const body = Buffer.concat(parts);
			record(describeExchange(req, answer.statusCode, answer.headers, body));
			const headers = forwardHeaders(answer.headers);
			headers['content-length'] = body.length;
			res.writeHead(answer.statusCode, headers);
			res.end(body);
		});
	});
	upstream.on('error', (e) => {
		const why = `cannot reach Prism at ${prism.origin}: ${e.message}`;
		record([`${req.method} ${req.url} -> 502`, `\tviolation Error tap: ${why}`]);
		res.writeHead(502, { 'content-type': 'text/plain' });
		res.end(`prism-tap: ${why}\n`);
	});
	upstream.end(requestBody);
}

function main(argv) {
	if (argv.length !== 3) {
		process.stderr.write('usage: prism-tap.js PRISM_URL PORT_FILE LOG_FILE\n');
		return 2;
	}
	const [target, portFile, logFile] = argv;
	const prism = new URL(target);
	const log = fs.openSync(logFile, 'a');
	const record = (lines) => fs.writeSync(log, `${lines.join('\n')}\n`);

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => relay(prism, record, req, res, Buffer.concat(chunks)));
	});
	server.on('error', (e) => {
		process.stderr.write(`prism-tap: ${e.message}\n`);
		process.exit(1);
	});
	server.listen(0, '127.0.0.1', () => {
		const tmp = `${portFile}.tmp`;
		fs.writeFileSync(tmp, `${server.address().port}\n`);
		fs.renameSync(tmp, portFile);
	});
	return 0;
}

const status = main(process.argv.slice(2));
if (status !== 0)
	process.exitCode = status;
