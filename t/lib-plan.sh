# lib-plan.sh — fixtures for tests that need a .copy-connections/ workspace.
#
#   plan_workspace DIR [PLAN]   DIR/.copy-connections/copy_plan.yaml from PLAN
#                               (default testdata/plans/basic/copy_plan.yaml)
#   plan_existing DIR [GROUP]   DIR/.copy-connections/copy_plan.yaml copying into the existing
#                               group GROUP (default target_group); its connections: (and any
#                               other top-level keys) come as YAML on stdin
#   write_report DIR STATUS     a validation report whose checksum matches the
#                               plan; YAML on stdin is appended (findings...)
#   write_report_sum DIR STATUS CHECKSUM   the same with a given checksum
#   write_report_warnings DIR   pass-with-warnings: a warning finding UNPATCHABLE_TABLE
#                               (source src_postgres) and NONPORTABLE_FIELD to acknowledge

plan_workspace() {
	mkdir -p "$1/.copy-connections" &&
	cp "${2:-$TESTDATA/plans/basic/copy_plan.yaml}" "$1/.copy-connections/copy_plan.yaml"
}

plan_existing() {
	mkdir -p "$1/.copy-connections" && {
		printf 'schema_version: 1\ndestination:\n  mode: existing\n'
		printf '  existing_destination_id: %s\n' "${2:-target_group}"
		cat
	} >"$1/.copy-connections/copy_plan.yaml"
}

write_report_sum() {
	{
		cat <<-EOF
		schema_version: 1
		metadata:
		  validated_at: "2026-11-01T10:00:00Z"
		  plan_path: .copy-connections/copy_plan.yaml
		  plan_checksum: $3
		status: $2
		EOF
		[ -t 0 ] || cat
	} >"$1/.copy-connections/validation_report.yaml"
}

write_report() {
	write_report_sum "$1" "$2" "$(ccapply checksum "$1/.copy-connections/copy_plan.yaml")"
}

write_report_warnings() {
	write_report "$1" pass-with-warnings <<-\EOF
	connection_findings:
	  - source_id: src_postgres
	    target_name: postgres_app
	    findings:
	      - severity: warning
	        code: UNPATCHABLE_TABLE
	        message: audit_log cannot be patched
	        context: {table_name: audit_log, column_name: payload, reason_code: SYSTEM_TABLE}
	acknowledgments_required:
	  - code: NONPORTABLE_FIELD
	    message: time zone differs
	EOF
}
