/*
 * tt-catalog.c — test-tool catalog: the service catalog (catalog/catalog.h)
 * as text, so shell tests can check the facts users rely on.
 *
 *   test-tool catalog SERVICE        naming format, then one line per config
 *                                    key at any depth: "key PATH TYPE [flags]"
 *   test-tool catalog --counts       services per naming format
 *   test-tool catalog --create-fields  the top-level create fields
 *   test-tool catalog --credential NAME  exit 0 when some service marks NAME
 *                                    a password, 1 when none does
 * An unknown service exits 1 with "unknown service".
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "tools/test-tool.h"

static void print_key(const char *prefix, const struct catalog_key *k)
{
	size_t i;

	printf("key %s%s %s", prefix, k->name, catalog_type_name(k->type));
	if (k->type == CATALOG_ARR)
		printf(" of %s", catalog_type_name(k->item_type));
	if (k->flags & CATALOG_CREDENTIAL)
		fputs(" credential", stdout);
	if (k->flags & CATALOG_READ_ONLY)
		fputs(" read-only", stdout);
	for (i = 0; i < k->n_enum; i++)
		printf("%s%s", i ? "," : " enum=", catalog_key_enum(k, i));
	putchar('\n');
}

static void print_tree(const char *prefix, const struct catalog_key *k)
{
	char path[512];
	size_t i;

	print_key(prefix, k);
	snprintf(path, sizeof path, "%s%s%s.", prefix, k->name, k->type == CATALOG_ARR ? "[]" : "");
	for (i = 0; i < k->n_children; i++)
		print_tree(path, catalog_key_child_at(k, i));
}

static int print_counts(void)
{
	size_t n[4] = { 0 }, i;

	for (i = 0; i < catalog_service_count(); i++)
		n[catalog_service_at(i)->naming]++;
	printf("services %zu\n", catalog_service_count());
	for (i = 0; i < 4; i++)
		printf("%s %zu\n", catalog_naming_name((enum catalog_naming)i), n[i]);
	return 0;
}

int tt_catalog(int argc, char **argv)
{
	const struct catalog_service *s;
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "--counts"))
		return print_counts();
	if (argc == 2 && !strcmp(argv[1], "--create-fields")) {
		for (i = 0; i < catalog_create_field_count(); i++)
			print_key("", catalog_create_field_at(i));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--credential"))
		return catalog_is_credential_name(argv[2], strlen(argv[2])) ? 0 : 1;
	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: test-tool catalog SERVICE | --counts | --create-fields | "
		      "--credential NAME\n", stderr);
		return 2;
	}
	s = catalog_service(argv[1]);
	if (!s) {
		fprintf(stderr, "test-tool: unknown service: %s\n", argv[1]);
		return 1;
	}
	printf("service %s\nnaming %s\n", s->name, catalog_naming_name(s->naming));
	for (i = 0; i < s->n_keys; i++)
		print_tree("", catalog_config_key_at(s, i));
	return 0;
}
