#!/usr/bin/env node
// validate-create.js — validate connection create bodies (POST /v1/connections) against their
// service's schema in Fivetran's official definition, with a real JSON Schema validator (Ajv).
//
//     node t/contract/validate-create.js DEFINITION.json FILE...
//
// DEFINITION is api/fivetran-openapi.json; the errata (scripts/openapi-errata.js) are applied to
// the copy in memory, never to the file. Each FILE holds JSON Lines, one create body per line ("-"
// reads standard input). A body is checked against `{service}_NewConnectorRequestV1` — the generic
// NewConnectorRequestV1 plus the service's config schema and its naming format (schema_prefix;
// schema; schema + table; schema + table_group_name) — which POST /v1/connections does not
// reference itself, so Prism never checks it. A body whose service has no such schema is invalid.
//
// Output: one line per body, "valid FILE:LINE SERVICE" or "invalid FILE:LINE SERVICE: WHY" (WHY
// lists every violation: path, rule, allowed values), then "N create bodies, K invalid". Exit 0 when
// every body is valid, 1 when one is not, 2 on a usage error, an unreadable file or an erratum
// whose target is gone.
//
// Ajv is set up for OpenAPI 3.0 schema objects: `nullable` is Ajv's own keyword; `example`,
// `discriminator` (OpenAPI's, which Prism ignores too: the per-service schema is chosen here by
// `service` instead), `xml` and `externalDocs` are annotations; strict mode otherwise, so a keyword
// nobody declared stops the run instead of being silently ignored. Formats are checked with
// ajv-formats (the definition uses date-time, int32, byte and password; password only marks
// credentials and accepts any string): an unknown format is an error at compile time.
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const { applyErrata, ErratumError } = require(path.join(__dirname, '..', '..', 'scripts',
	'openapi-errata.js'));

const DOC_ID = 'fivetran-openapi.json';

function loadValidator(definition) {
	const doc = JSON.parse(fs.readFileSync(definition, 'utf8'));
	applyErrata(doc);
	const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
	addFormats(ajv);
	// "components" only lets the wrapper below hold the schemas at the path their $refs use.
	ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', 'components']);
	ajv.addSchema({ components: { schemas: doc.components.schemas } }, DOC_ID);
	const cache = new Map();
	return (service) => {
		const name = `${service}_NewConnectorRequestV1`;
		if (!Object.prototype.hasOwnProperty.call(doc.components.schemas, name))
			return null;
		if (!cache.has(name))
			cache.set(name, ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`));
		return cache.get(name);
	};
}

function describe(error) {
	const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'body';
	let why = `${where} ${error.message}`;
	if (error.keyword === 'enum')
		why += ` (${error.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
	return why;
}

// Why body is not a valid create body, or null.
function check(schemaFor, body) {
	if (body === null || typeof body !== 'object' || Array.isArray(body))
		return { service: '?', why: 'the body is not a JSON object' };
	const service = typeof body.service === 'string' ? body.service : '?';
	if (service === '?')
		return { service, why: 'no "service" string, so no schema to check against' };
	const validate = schemaFor(service);
	if (!validate)
		return { service, why: `the definition has no ${service}_NewConnectorRequestV1` };
	if (validate(body))
		return { service, why: null };
	const whys = [...new Set(validate.errors.map(describe))];
	return { service, why: whys.join('; ') };
}

function readLines(file) {
	const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
	return text.split('\n').map((line, i) => ({ line, at: `${file}:${i + 1}` }))
		.filter(({ line }) => line.trim() !== '');
}

function main(argv) {
	if (argv.length < 2) {
		process.stderr.write('usage: validate-create.js DEFINITION.json FILE...\n');
		return 2;
	}
	const [definition, ...files] = argv;
	let schemaFor, lines;
	try {
		schemaFor = loadValidator(definition);
		lines = files.flatMap(readLines);
	} catch (e) {
		if (e instanceof ErratumError)
			process.stderr.write(`validate-create: erratum ${e.erratum}: ${e.message}\n`);
		else
			process.stderr.write(`validate-create: ${e.message}\n`);
		return 2;
	}
	let invalid = 0;
	for (const { line, at } of lines) {
		let result;
		try {
			result = check(schemaFor, JSON.parse(line));
		} catch (e) {
			result = { service: '?', why: `not JSON: ${e.message}` };
		}
		if (result.why) {
			invalid++;
			process.stdout.write(`invalid ${at} ${result.service}: ${result.why}\n`);
		} else {
			process.stdout.write(`valid ${at} ${result.service}\n`);
		}
	}
	const n = lines.length;
	process.stdout.write(`${n} create ${n === 1 ? 'body' : 'bodies'}, ${invalid} invalid\n`);
	return invalid ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
