#!/bin/bash
# The service catalog (catalog/catalog.h): the committed catalog/catalog-data.c
# is exactly what scripts/gen-catalog.pl writes from api/fivetran-openapi.json,
# and it holds the facts requests are built from.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'regenerating the catalog gives the committed bytes' '
	perl "$REPO/scripts/gen-catalog.pl" "$API/fivetran-openapi.json" >catalog-data.c &&
	cmp "$REPO/catalog/catalog-data.c" catalog-data.c
'

test_expect_success 'a changed definition changes the catalog (the check can fail)' '
	sed "s|/schema_format_schema_prefix\"|/schema_format_schema\"|" \
		"$API/fivetran-openapi.json" >changed.json &&
	perl "$REPO/scripts/gen-catalog.pl" changed.json >changed.c &&
	! cmp -s "$REPO/catalog/catalog-data.c" changed.c
'

test_expect_success 'services per naming format: 654 schema, 49 prefix, 57 table, 13 table group' '
	cat >expect <<-\EOF &&
	services 773
	schema 654
	schema_prefix 49
	schema_table 57
	schema_table_group 13
	EOF
	test-tool catalog --counts >actual &&
	test_cmp expect actual
'

test_expect_success 'postgres: schema_prefix, password a credential, public_key read-only' '
	test-tool catalog postgres >pg &&
	test_grep "^naming schema_prefix\$" pg &&
	test_grep "^key password string credential\$" pg &&
	test_grep "^key client_private_key string credential\$" pg &&
	test_grep "^key public_key string read-only\$" pg &&
	test_grep "^key port integer\$" pg &&
	test_grep "^key host string\$" pg
'

test_expect_success 'erratum 4: an "object" with a string enum is a string' '
	test_grep "^key update_method string enum=QUERY_BASED,WAL_PGOUTPUT\$" pg
'

test_expect_success 'google_sheets names itself schema+table, s3 schema+table_group_name' '
	test-tool catalog google_sheets >gs &&
	test_grep "^naming schema_table\$" gs &&
	test-tool catalog s3 >s3 &&
	test_grep "^naming schema_table_group\$" s3
'

test_expect_success 'stripe: schema; api_key a credential' '
	test-tool catalog stripe >stripe &&
	test_grep "^naming schema\$" stripe &&
	test_grep "^key api_key string credential\$" stripe
'

test_expect_success 'naming keys are not config keys of a service' '
	! grep -E "^key (schema|schema_prefix|table|table_group_name) " pg gs s3 stripe
'

test_expect_success 'nested keys: credentials are found at any depth' '
	test-tool catalog amplitude >amplitude &&
	test_grep "^key project_credentials array of object\$" amplitude &&
	test_grep "^key project_credentials\[\]\.api_key string credential\$" amplitude &&
	test_grep "^key project_credentials\[\]\.project_id string\$" amplitude
'

test_expect_success 'create fields: erratum 1 makes sync_frequency an integer enum' '
	test-tool catalog --create-fields >create &&
	test_grep "^key sync_frequency integer enum=1,5,15,30,60,120,180,360,480,720,1440\$" create &&
	test_grep "^key schedule_type string enum=auto,manual\$" create &&
	test_grep "^key daily_sync_time string\$" create &&
	test_grep "^key pause_after_trial boolean\$" create &&
	test_grep "^key data_delay_threshold integer\$" create
'

test_expect_success 'credential names: password and api_key are, host is not' '
	test-tool catalog --credential password &&
	test-tool catalog --credential api_key &&
	test-tool catalog --credential PASSWORD &&
	test_expect_code 1 test-tool catalog --credential host
'

test_expect_success 'an unknown service is not found' '
	test_expect_code 1 test-tool catalog no_such_service 2>err &&
	test_grep "unknown service: no_such_service" err &&
	test_expect_code 1 test-tool catalog postgre 2>err &&
	test_expect_code 1 test-tool catalog zzz 2>err &&
	test-tool catalog 15five >/dev/null
'

test_done
