# lib-ajv.sh — check --json outputs against their JSON Schemas (docs/schemas/) with Ajv.
#
# Sourced by test-lib.sh like every t/lib-*.sh, so it only defines functions:
#
#   ajv_require                 at the top of a script, outside any test point: install the
#                               pinned node packages (Ajv is in t/contract/package-lock.json
#                               beside Prism, one `npm ci` for both) or end the script —
#                               skipped normally, failed when CI=true
#   schema_check NAME FILE...   each FILE is one JSON document valid against
#                               docs/schemas/NAME.schema.json; prints Ajv's findings, fails
#   schema_check_lines NAME FILE...   the same for each line of each FILE (apply --json)

AJV_SCRIPT="$TEST_DIRECTORY/contract/ajv-validate.js"
SCHEMA_DIR="$REPO/docs/schemas"

ajv_require() { node_package_require Ajv ajv; }

schema_check() {
	local name=$1
	shift
	node "$AJV_SCRIPT" "$SCHEMA_DIR/$name.schema.json" "$@"
}

schema_check_lines() {
	local name=$1
	shift
	node "$AJV_SCRIPT" --lines "$SCHEMA_DIR/$name.schema.json" "$@"
}
