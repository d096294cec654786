// ajv-validate.js — check JSON documents against one of ccapply's JSON Schemas
// (docs/schemas/*.schema.json) with Ajv, pinned in package-lock.json beside Prism.
//
//   node ajv-validate.js SCHEMA FILE...          each FILE holds one JSON document
//   node ajv-validate.js --lines SCHEMA FILE...  each line of each FILE is one document
//
// The schema is compiled in Ajv's strict mode, so a schema Ajv does not fully
// understand is an error too. Prints one line per invalid document, naming the file,
// the line (with --lines), the JSON pointer and Ajv's message; exits 1 when any
// document is invalid, 2 on a usage or schema error.
"use strict";
const fs = require("fs");
const Ajv = require("ajv");

let args = process.argv.slice(2);
const lines = args[0] === "--lines";
if (lines) args = args.slice(1);
if (args.length < 2) {
	console.error("usage: node ajv-validate.js [--lines] SCHEMA FILE...");
	process.exit(2);
}
let validate;
try {
	const ajv = new Ajv({ strict: true, allErrors: true });
	validate = ajv.compile(JSON.parse(fs.readFileSync(args[0], "utf8")));
} catch (e) {
	console.error(`${args[0]}: ${e.message}`);
	process.exit(2);
}
let bad = 0, seen = 0;
function check(where, text) {
	let doc;
	seen++;
	try {
		doc = JSON.parse(text);
	} catch (e) {
		console.log(`${where}: not JSON: ${e.message}`);
		bad++;
		return;
	}
	if (!validate(doc)) {
		bad++;
		for (const e of validate.errors)
			console.log(`${where}: ${e.instancePath || "/"} ${e.message}` +
				(e.params && Object.keys(e.params).length ? " " + JSON.stringify(e.params) : ""));
	}
}
for (const file of args.slice(1)) {
	const text = fs.readFileSync(file, "utf8");
	if (!lines) {
		check(file, text);
		continue;
	}
	text.split("\n").forEach((line, i) => { if (line !== "") check(`${file}:${i + 1}`, line); });
}
if (!seen) {
	console.log("no document to check");
	process.exit(1);
}
process.exit(bad ? 1 : 0);
