#!/usr/bin/env node
// create-sweep.js — does ccapply-sim refuse exactly the connection creates that the official
// definition refuses? For every service of the definition, send probe creates to a running
// simulator and compare its verdict (201 or 400) with Ajv's on `{service}_NewConnectorRequestV1`;
// check every answer it accepts against `{service}_ConnectorResponseV1` with Ajv too.
//
//     node t/contract/create-sweep.js DEFINITION.json SIM_URL GROUP_ID [SERVICE...]
//
// (credentials from FIVETRAN_APIKEY / FIVETRAN_APISECRET; the simulator needs --create-limit none;
// no SERVICE: all of them). The probes are built from the definition, never from ccapply's
// catalog, so the simulator (which follows the catalog) is checked against the definition:
//  - naming: the four naming keys (schema_prefix, schema, table, table_group_name) all set, each
//    one left out, none: 6 creates per service. Which keys a service needs is read off Ajv's
//    verdicts, and each accepted answer must carry that name as its top-level `schema`
//    (schema_prefix; schema; schema.table; schema.table_group_name), none of the four keys in
//    `config`, and every key of `{service}_readonly_config_V1` (filled by the server);
//  - config: for every top-level key of `{service}_config_V1`, a value of the wrong type, and for
//    enum keys a value outside the enum and the first value inside it;
//  - settings: top-level fields of NewConnectorRequestV1 with bad and good values (on the first
//    service of each naming format: they are the same for every service).
// Where the simulator is deliberately stricter than the schema (a read-only key sent in a create;
// a field the request schema does not declare at all), the probe expects the simulator's 400 and
// Ajv's acceptance, and says so.
//
// Prints one line per disagreement ("MISMATCH service: probe: sim STATUS, Ajv VERDICT ..."), then
// "services N, probes P, mismatches M" and exits 1 when M > 0 (2 when it could not run).
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const { applyErrata } = require(path.join(__dirname, '..', '..', 'scripts', 'openapi-errata.js'));

const NAMING = ['schema_prefix', 'schema', 'table', 'table_group_name'];
const DOC_ID = 'fivetran-openapi.json';

function validators(doc) {
	const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
	addFormats(ajv);
	ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', 'components']);
	ajv.addSchema({ components: { schemas: doc.components.schemas } }, DOC_ID);
	return (name) => ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(url, body) {
	const auth = Buffer.from(`${process.env.FIVETRAN_APIKEY}:${process.env.FIVETRAN_APISECRET}`)
		.toString('base64');
	const data = JSON.stringify(body);
	return new Promise((resolve, reject) => {
		const req = http.request(`${url}/v1/connections`, {
			method: 'POST', agent,
			headers: { 'Content-Type': 'application/json', Authorization: `Basic ${auth}`,
				'Content-Length': Buffer.byteLength(data) },
		}, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (chunk) => { text += chunk; });
			res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
		});
		req.on('error', reject);
		req.end(data);
	});
}

// A value of the wrong type for a property declared `type` (null when there is no type).
function wrongType(type) {
	return { string: 12345, integer: 'x', number: 'x', boolean: 'yes', object: 'x',
		array: 'x' }[type] ?? null;
}

class Sweep {
	constructor(doc, url, group) {
		this.doc = doc;
		this.schemas = doc.components.schemas;
		this.schemaFor = validators(doc);
		this.url = url;
		this.group = group;
		this.seq = 0;
		this.probes = 0;
		this.mismatches = 0;
	}

	naming() {
		const n = ++this.seq;
		return { schema_prefix: `p${n}`, schema: `s${n}`, table: `t${n}`,
			table_group_name: `g${n}` };
	}

	body(service, config, top = {}) {
		return { group_id: this.group, service, paused: true, run_setup_tests: false,
			...top, config };
	}

	mismatch(service, probe, why) {
		this.mismatches++;
		process.stdout.write(`MISMATCH ${service}: ${probe}: ${why}\n`);
	}

	// Send body; compare with Ajv. expect: 'agree' (sim accepts iff Ajv does) or 'stricter'
	// (Ajv accepts, the simulator refuses). Returns the answer when the simulator created it.
	async probe(service, probe, body, expect = 'agree', mentions = null) {
		this.probes++;
		// A service the definition does not have is invalid: there is no schema to meet.
		const validate = this.schemas[`${service}_NewConnectorRequestV1`] ?
			this.schemaFor(`${service}_NewConnectorRequestV1`) : null;
		const valid = validate ? validate(body) : false;
		const ajvErrors = valid ? '' : validate ? JSON.stringify(validate.errors.map((e) =>
			`${e.instancePath} ${e.message}`)) : '(no such service)';
		const answer = await post(this.url, body);
		const created = answer.status === 201;
		const said = `sim ${answer.status} ${answer.body.message || ''}, Ajv ` +
			(valid ? 'valid' : `invalid ${ajvErrors}`);
		if (answer.status !== 201 && answer.status !== 400)
			this.mismatch(service, probe, `unexpected answer: ${said}`);
		else if (expect === 'stricter' && (created || !valid))
			this.mismatch(service, probe, `expected the simulator to be stricter: ${said}`);
		else if (expect === 'agree' && created !== valid)
			this.mismatch(service, probe, said);
		else if (!created && mentions && !String(answer.body.message).includes(mentions))
			this.mismatch(service, probe, `the refusal does not name ${mentions}: ${said}`);
		return created ? answer.body.data : null;
	}

	checkAnswer(service, probe, data, name) {
		const validate = this.schemaFor(`${service}_ConnectorResponseV1`);
		if (!validate(data))
			this.mismatch(service, probe, 'the answer breaks ' +
				`${service}_ConnectorResponseV1: ${JSON.stringify(validate.errors)}`);
		if (data.schema !== name)
			this.mismatch(service, probe, `answer schema ${JSON.stringify(data.schema)}, ` +
				`expected ${JSON.stringify(name)}`);
		// A naming key the service's config also declares (db2luw's source `schema`) is a
		// config key of that service, not its name.
		const cfg = this.schemas[`${service}_config_V1`];
		const declared = (cfg && cfg.properties.config.properties) || {};
		for (const key of NAMING) {
			if (Object.prototype.hasOwnProperty.call(data.config, key) &&
			    !Object.prototype.hasOwnProperty.call(declared, key))
				this.mismatch(service, probe, `the answer's config carries ${key}`);
		}
		const ro = this.schemas[`${service}_readonly_config_V1`];
		for (const key of Object.keys((ro && ro.properties.config.properties) || {})) {
			if (!Object.prototype.hasOwnProperty.call(data.config, key))
				this.mismatch(service, probe, `the answer's config lacks read-only ${key}`);
		}
	}

	// The naming probes; returns the naming keys the definition requires of the service (read
	// off Ajv's verdicts on a create without each one).
	async namingProbes(service) {
		const validate = this.schemaFor(`${service}_NewConnectorRequestV1`);
		const required = NAMING.filter((drop) => {
			const config = this.naming();
			delete config[drop];
			return !validate(this.body(service, config));
		});
		for (const drop of NAMING) {
			const config = this.naming();
			delete config[drop];
			const data = await this.probe(service, `without config.${drop}`,
				this.body(service, config), 'agree',
				required.includes(drop) ? `config.${drop}` : null);
			if (data)
				this.checkAnswer(service, `without config.${drop}`, data,
					this.nameOf(required, config));
		}
		await this.probe(service, 'without naming keys', this.body(service, {}));
		const config = this.naming();
		const data = await this.probe(service, 'with every naming key',
			this.body(service, config));
		if (data)
			this.checkAnswer(service, 'with every naming key', data,
				this.nameOf(required, config));
		return required;
	}

	// The name of a create whose naming keys are `required`: schema_prefix, or schema with
	// table or table_group_name.
	nameOf(required, config) {
		if (required.includes('schema_prefix'))
			return config.schema_prefix;
		return [config.schema, ...['table', 'table_group_name'].filter((k) =>
			required.includes(k)).map((k) => config[k])].join('.');
	}

	async configProbes(service, required) {
		const cfg = this.schemas[`${service}_config_V1`];
		const props = (cfg && cfg.properties.config.properties) || {};
		for (const [key, decl] of Object.entries(props)) {
			const bad = wrongType(decl.type);
			if (bad !== null)
				await this.probe(service, `config.${key} of the wrong type`,
					this.body(service, { ...this.naming(), [key]: bad }), 'agree',
					`config.${key}`);
			if (!Array.isArray(decl.enum))
				continue;
			await this.probe(service, `config.${key} outside its enum`,
				this.body(service, { ...this.naming(), [key]: 'NOT_IN_THE_ENUM' }),
				'agree', `config.${key}`);
			const config = { ...this.naming(), [key]: decl.enum[0] };
			const data = await this.probe(service, `config.${key} = ${decl.enum[0]}`,
				this.body(service, config));
			if (data && data.config[key] !== decl.enum[0])
				this.mismatch(service, `config.${key}`, 'the answer does not echo ' +
					`${JSON.stringify(decl.enum[0])}: ${JSON.stringify(data.config[key])}`);
			if (data)
				this.checkAnswer(service, `config.${key}`, data, this.nameOf(required, config));
		}
		const ro = this.schemas[`${service}_readonly_config_V1`];
		for (const key of Object.keys((ro && ro.properties.config.properties) || {})) {
			if (Object.prototype.hasOwnProperty.call(props, key))
				continue;
			await this.probe(service, `read-only config.${key} sent`,
				this.body(service, { ...this.naming(), [key]: 'x' }), 'stricter',
				`config.${key}`);
		}
	}

	async settingProbes(service, required) {
		const cases = [
			[{ sync_frequency: 1440, daily_sync_time: '03:00', schedule_type: 'manual',
				data_delay_sensitivity: 'CUSTOM', data_delay_threshold: 60,
				pause_after_trial: true }, 'agree'],
			[{ sync_frequency: 7 }, 'agree', 'sync_frequency'],
			[{ sync_frequency: '1440' }, 'agree', 'sync_frequency'],
			[{ schedule_type: 'sometimes' }, 'agree', 'schedule_type'],
			[{ data_delay_threshold: 'soon' }, 'agree', 'data_delay_threshold'],
			[{ networking_method: 'Carrier pigeon' }, 'agree', 'networking_method'],
			[{ no_such_field: true }, 'stricter', 'no_such_field'],
		];
		for (const [top, expect, mentions] of cases) {
			const config = this.naming();
			const data = await this.probe(service, `top-level ${JSON.stringify(top)}`,
				this.body(service, config, top), expect, mentions);
			if (!data)
				continue;
			this.checkAnswer(service, 'settings', data, this.nameOf(required, config));
			for (const [k, v] of Object.entries(top)) {
				if (data[k] !== v)
					this.mismatch(service, `setting ${k}`, 'the answer carries ' +
						`${JSON.stringify(data[k])} at the top level, sent ${JSON.stringify(v)}`);
			}
		}
	}

	async run(services) {
		const formats = new Set();
		for (const service of services) {
			const required = await this.namingProbes(service);
			await this.configProbes(service, required);
			// The settings are NewConnectorRequestV1's, the same for every service: probed
			// on the first service of each naming format.
			if (!formats.has(required.join())) {
				formats.add(required.join());
				await this.settingProbes(service, required);
			}
		}
		await this.probe('no_such_service', 'an unknown service',
			{ group_id: this.group, service: 'no_such_service', config: this.naming() },
			'agree', 'service');
		process.stdout.write(`services ${services.length}, probes ${this.probes}, ` +
			`mismatches ${this.mismatches}\n`);
		return this.mismatches ? 1 : 0;
	}
}

async function main(argv) {
	if (argv.length < 3) {
		process.stderr.write('usage: create-sweep.js DEFINITION.json SIM_URL GROUP_ID ' +
			'[SERVICE...]\n');
		return 2;
	}
	const [definition, url, group, ...only] = argv;
	const doc = JSON.parse(fs.readFileSync(definition, 'utf8'));
	applyErrata(doc);
	const all = Object.keys(doc.components.schemas)
		.filter((k) => k.endsWith('_NewConnectorRequestV1'))
		.map((k) => k.slice(0, -'_NewConnectorRequestV1'.length)).sort();
	const services = only.length ? only : all;
	for (const s of services) {
		if (!all.includes(s)) {
			process.stderr.write(`create-sweep: the definition has no service ${s}\n`);
			return 2;
		}
	}
	return new Sweep(doc, url, group).run(services);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; agent.destroy(); },
	(e) => { process.stderr.write(`create-sweep: ${e.stack}\n`); process.exitCode = 2; });
