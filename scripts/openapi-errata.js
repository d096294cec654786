#!/usr/bin/env node
// openapi-errata.js — apply the corrections of api/fivetran-openapi.errata.md to a copy of the
// official Fivetran OpenAPI definition, for the contract tests (t/39xx-contract-*.t) to feed Prism.
//
//     node scripts/openapi-errata.js SOURCE.json DEST.json
//
// SOURCE is only read (it is api/fivetran-openapi.json, which nobody edits); the corrected
// definition is written to DEST (a temporary path of the caller's). For each erratum it prints one
// line, "erratum N: WHAT: K places changed (WHERE)", so the test output says what was corrected.
// Required as a module (t/contract/validate-create.js), it exports applyErrata(doc), which corrects
// a parsed definition in place and returns those lines.
//
// Built this way: each erratum is a small function that finds its targets by walking the definition
// (a schema's own properties, then those reached through allOf and $ref, never a discriminator's
// mapping) and changes them. An erratum whose target is missing, or whose target no longer has the
// defect, is an error (exit 1): it means the definition changed and the errata need review, and a
// contract test must not silently validate against something nobody looked at.
'use strict';

const fs = require('fs');
const path = require('path');

class ErratumError extends Error {}

// The schema object a local "$ref" ("#/components/schemas/Name") points at.
function resolveRef(doc, ref) {
	if (!ref.startsWith('#/'))
		throw new ErratumError(`non-local $ref ${ref} is not supported`);
	let node = doc;
	for (const raw of ref.slice(2).split('/')) {
		const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
		if (node === null || typeof node !== 'object' || !(key in node))
			throw new ErratumError(`$ref ${ref} does not resolve`);
		node = node[key];
	}
	return node;
}

// Every place property `prop` of component schema `schemaName` is declared: the schema's own
// properties, then, depth first, those of the schemas its allOf entries and $refs reach.
function findProperty(doc, schemaName, prop) {
	const schemas = (doc.components && doc.components.schemas) || {};
	if (!(schemaName in schemas))
		throw new ErratumError(`schema ${schemaName} not found`);
	const found = [];
	const seen = new Set();
	const visit = (schema) => {
		if (schema === null || typeof schema !== 'object' || seen.has(schema))
			return;
		seen.add(schema);
		if (typeof schema.$ref === 'string')
			visit(resolveRef(doc, schema.$ref));
		const props = schema.properties;
		if (props && Object.prototype.hasOwnProperty.call(props, prop))
			found.push(props[prop]);
		for (const part of schema.allOf || [])
			visit(part);
	};
	visit(schemas[schemaName]);
	if (found.length === 0)
		throw new ErratumError(`property ${prop} not found in schema ${schemaName}`);
	return found;
}

// Erratum 1: sync_frequency declared "type": "integer" with an enum of strings.
const SYNC_FREQUENCY_SCHEMAS = ['NewConnectorRequestV1', 'UpdateConnectorRequest',
	'ConnectorResponseV1'];

function integerEnum(name, values) {
	return values.map((v) => {
		if (typeof v === 'number')
			return v;
		if (typeof v !== 'string' || !/^[0-9]+$/.test(v))
			throw new ErratumError(`${name}.sync_frequency enum value ` +
				`${JSON.stringify(v)} is not a decimal integer`);
		return Number(v);
	});
}

function fixSyncFrequencyEnum(doc) {
	const where = [];
	for (const name of SYNC_FREQUENCY_SCHEMAS) {
		for (const schema of findProperty(doc, name, 'sync_frequency')) {
			if (schema.type !== 'integer' || !Array.isArray(schema.enum))
				throw new ErratumError(`${name}.sync_frequency is no longer ` +
					'an integer with an enum');
			if (!schema.enum.some((v) => typeof v === 'string'))
				throw new ErratumError(`${name}.sync_frequency enum has no ` +
					'string values any more (already fixed upstream?)');
			schema.enum = integerEnum(name, schema.enum);
			where.push(name);
		}
	}
	return { what: 'sync_frequency enum values turned into integers', where };
}

// Erratum 2: ConnectorResponse.config allows only objects as values.
function fixConnectorConfigValues(doc) {
	const where = [];
	for (const schema of findProperty(doc, 'ConnectorResponse', 'config')) {
		const extra = schema.additionalProperties;
		if (extra === undefined || extra === true ||
		    (typeof extra === 'object' && Object.keys(extra).length === 0))
			throw new ErratumError('ConnectorResponse.config already allows any ' +
				'value (already fixed upstream?)');
		schema.additionalProperties = {};
		where.push('ConnectorResponse');
	}
	return {
		what: 'ConnectorResponse.config additionalProperties set to {} (any value)',
		where,
	};
}

// Erratum 3: fields documented as null in some states but not nullable.
const NULLABLE_FIELDS = ['connected_by', 'succeeded_at', 'failed_at', 'daily_sync_time'];

function fixNullableFields(doc) {
	const where = [];
	for (const name of ['ConnectorResponse', 'ConnectorResponseV1']) {
		for (const prop of NULLABLE_FIELDS) {
			for (const schema of findProperty(doc, name, prop)) {
				if (schema.nullable === true)
					throw new ErratumError(`${name}.${prop} is already ` +
						'nullable (already fixed upstream?)');
				schema.nullable = true;
				where.push(`${name}.${prop}`);
			}
		}
	}
	return { what: `${NULLABLE_FIELDS.join(', ')} marked nullable`, where };
}

// Erratum 4: enum-valued fields declared "type": "object" with an enum of strings (postgres
// update_method, …). Found wherever they are in a component schema: the 620 top-level config fields
// of {service}_config_V1 and {service}_readonly_config_V1, the fields of objects nested in a config
// (array items), and an auth field; every enum value must be a string, or the erratum stops.
function enumObjectFields(doc) {
	const found = [];
	const visit = (schema, where) => {
		if (schema === null || typeof schema !== 'object')
			return;
		if (Array.isArray(schema)) {
			schema.forEach((item, i) => visit(item, `${where}/${i}`));
			return;
		}
		if (schema.type === 'object' && Array.isArray(schema.enum))
			found.push({ schema, where });
		for (const [key, value] of Object.entries(schema))
			visit(value, `${where}/${key}`);
	};
	for (const [name, schema] of Object.entries(doc.components.schemas))
		visit(schema, name);
	return found;
}

// Where a field is, for the summary line: a top-level config field, one nested deeper in a
// config (in array items), or elsewhere (an auth field); [singular, plural].
function enumFieldPlace({ where }) {
	if (/^[^/]+_config_V1\/properties\/config\/properties\/[^/]+$/.test(where))
		return ['top-level config field', 'top-level config fields'];
	if (/^[^/]+_config_V1\/properties\/config\//.test(where))
		return ['field nested in a config', 'fields nested in a config'];
	return ['field elsewhere', 'fields elsewhere'];
}

function fixEnumObjectTypes(doc) {
	const fields = enumObjectFields(doc);
	if (fields.length === 0)
		throw new ErratumError('no enum-valued field is declared "type": "object" any more ' +
			'(already fixed upstream?)');
	const counts = new Map();
	for (const field of fields) {
		const bad = field.schema.enum.find((v) => typeof v !== 'string');
		if (bad !== undefined)
			throw new ErratumError(`${field.where} has "type": "object" and the enum value ` +
				`${JSON.stringify(bad)}, which is not a string`);
		field.schema.type = 'string';
		const [one, many] = enumFieldPlace(field);
		counts.set(one, { many, n: ((counts.get(one) || {}).n || 0) + 1 });
	}
	const where = fields.map((f) => f.where);
	where.summary = [...counts].map(([one, { many, n }]) => `${n} ${n === 1 ? one : many}`);
	return { what: 'enum-valued fields declared "type": "object" given "type": "string"', where };
}

const ERRATA = [fixSyncFrequencyEnum, fixConnectorConfigValues, fixNullableFields,
	fixEnumObjectTypes];

// Apply every erratum to doc, in place; the report lines, one per erratum. Throws ErratumError.
function applyErrata(doc) {
	return ERRATA.map((erratum, i) => {
		let result;
		try {
			result = erratum(doc);
		} catch (e) {
			if (e instanceof ErratumError)
				e.erratum = i + 1;
			throw e;
		}
		const { what, where } = result;
		const places = where.length === 1 ? 'place' : 'places';
		return `erratum ${i + 1}: ${what}: ` +
			`${where.length} ${places} changed (${(where.summary || where).join(', ')})`;
	});
}

function writeAtomically(dest, text) {
	const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.tmp`);
	fs.writeFileSync(tmp, text);
	fs.renameSync(tmp, dest);
}

function main(argv) {
	if (argv.length !== 2) {
		process.stderr.write('usage: openapi-errata.js SOURCE.json DEST.json\n');
		return 2;
	}
	const [source, dest] = argv;
	let doc;
	try {
		doc = JSON.parse(fs.readFileSync(source, 'utf8'));
	} catch (e) {
		process.stderr.write(`openapi-errata: cannot load ${source}: ${e.message}\n`);
		return 1;
	}
	let report;
	try {
		report = applyErrata(doc);
	} catch (e) {
		if (!(e instanceof ErratumError))
			throw e;
		process.stderr.write(`openapi-errata: erratum ${e.erratum} of ` +
			`fivetran-openapi.errata.md: ${e.message}; the definition ` +
			`${source} changed, review the errata\n`);
		return 1;
	}
	try {
		writeAtomically(dest, JSON.stringify(doc));
	} catch (e) {
		process.stderr.write(`openapi-errata: cannot write ${dest}: ${e.message}\n`);
		return 1;
	}
	for (const line of report)
		process.stdout.write(`${line}\n`);
	return 0;
}

if (require.main === module)
	process.exitCode = main(process.argv.slice(2));
else
	module.exports = { applyErrata, ErratumError };
