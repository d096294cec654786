// mcp-client.js — drive `ccapply mcp` with the official MCP TypeScript SDK
// client (@modelcontextprotocol/sdk, pinned in package-lock.json), for
// t/5310-mcp-sdk.t. An MCP client nobody here wrote: it spawns the server over
// stdio, negotiates the protocol version, lists the tools (which also makes it
// compile each tool's outputSchema) and calls tools; the SDK itself refuses a
// result whose structuredContent does not validate against the tool's
// outputSchema, so every successful call below is also a schema check.
//
//   node mcp-client.js SCRIPT.json
//
// SCRIPT: {"command": PATH, "args": [...], "env": {NAME: VALUE},
//          "steps": [STEP...]}, each STEP one of
//   {"list": true}                                  tools/list
//   {"call": TOOL, "arguments": {...},              tools/call
//    "progress": true,                              ask for progress notifications
//    "cancelAfter": N}                              cancel it after N of them
// Prints one JSON object: {"server": serverVersion, "instructions", "steps": [{"tools"} | {"result", "progress": [...]} |
// {"error": message, "progress": [...]}]}; exits 0 unless the session
// itself failed (then 2, with the reason on stderr).
//
// A progress notification the server sent just before the call's response
// can reach onprogress too late: the SDK handles a response at once but
// defers notifications, so when both arrive in one read the response retires
// the token first and the SDK reports "a progress notification for an unknown
// token" to onerror (typescript-sdk issue #2580, a race a server cannot
// avoid). Such a notification, if its token is the one this call sent, is
// kept in the call's "progress" list, marked "late": true, so a test sees
// everything the server sent, in order; any other token is still an error.
'use strict';

const fs = require('fs');
const path = require('path');

const sdk = path.join(__dirname, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'cjs');
const { Client } = require(path.join(sdk, 'client', 'index.js'));
const { StdioClientTransport } = require(path.join(sdk, 'client', 'stdio.js'));

const LATE_PROGRESS = 'Received a progress notification for an unknown token: ';
let current = null; // the running call's progress list
let currentToken;   // and the progressToken its request carried

function onError(e) {
	const text = String(e && e.message ? e.message : e);
	if (current && text.startsWith(LATE_PROGRESS)) {
		const { progressToken, ...params } = JSON.parse(text.slice(LATE_PROGRESS.length)).params;
		if (currentToken !== undefined && progressToken === currentToken) {
			current.push(Object.assign(params, { late: true }));
			return;
		}
	}
	process.stderr.write(`mcp-client: ${text}\n`);
}

// Note the progressToken of each tools/call the SDK sends.
function watchTokens(transport) {
	const send = transport.send.bind(transport);
	transport.send = (message, options) => {
		if (message.method === 'tools/call')
			currentToken = message.params && message.params._meta &&
				message.params._meta.progressToken;
		return send(message, options);
	};
}

async function runStep(client, step) {
	if (step.list) {
		const r = await client.listTools();
		return { tools: r.tools };
	}
	const progress = [];
	current = progress;
	const controller = new AbortController();
	const options = { signal: controller.signal, timeout: 120000 };
	if (step.progress) {
		options.onprogress = (p) => {
			progress.push(p);
			if (step.cancelAfter && progress.length === step.cancelAfter)
				controller.abort('the test cancels it');
		};
		options.resetTimeoutOnProgress = true;
	}
	try {
		const result = await client.callTool(
			{ name: step.call, arguments: step.arguments || {} }, undefined, options);
		return { result, progress };
	} catch (e) {
		return { error: String(e && e.message ? e.message : e), progress };
	}
}

async function main() {
	const script = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
	const env = Object.assign({}, process.env, script.env || {});
	for (const [k, v] of Object.entries(script.env || {}))
		if (v === null) delete env[k];
	const transport = new StdioClientTransport({
		command: script.command, args: script.args, env, stderr: 'inherit',
	});
	const client = new Client({ name: 'ccapply-test', version: '1.0.0' });
	client.onerror = onError;
	watchTokens(transport);
	await client.connect(transport);
	const out = {
		server: client.getServerVersion(),
		instructions: client.getInstructions(),
		steps: [],
	};
	for (const step of script.steps)
		out.steps.push(await runStep(client, step));
	await client.close();
	process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
	process.stderr.write(`mcp-client: ${e && e.stack ? e.stack : e}\n`);
	process.exit(2);
});
