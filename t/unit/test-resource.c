/*
 * test-resource.c — the vocabulary of the records (state/resource.h): every
 * kind and outcome prints the word the files hold and parses back to
 * itself, a value outside an enum prints "invalid", and any other word —
 * another case, a prefix, a longer word, the journal's "in flight", an
 * empty or NULL text — is refused, leaving the caller's value alone.
 */
#include <stddef.h>

#include "state/resource.h"
#include "t/unit/tap.h"

/* The words ccapply.lock and ccapply.journal hold (docs/state-format.md). */
static const char *const kinds[] = { "connection", "transformation" };
static const char *const outcomes[] = { "pending", "created", "already_exists", "skipped",
					"failed" };

static const char *const not_names[] = {
	"", "Connection", "CONNECTION", "connections", "connectio", "transformations",
	"package", "table", " connection", "connection ", "Created", "create", "createdd",
	"already exists", "already-exists", "in_flight", "unknown", "invalid", "done",
};

static void test_kinds(void)
{
	size_t i;

	is_int(RESOURCE_N_KINDS, sizeof kinds / sizeof kinds[0], "two kinds");
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		enum resource_kind k = RESOURCE_N_KINDS;
		is_str(resource_kind_name((enum resource_kind)i), kinds[i], "kind %zu is named %s",
		       i, kinds[i]);
		ok(resource_kind_parse(kinds[i], &k) && k == (enum resource_kind)i,
		   "%s parses back to kind %zu", kinds[i], i);
	}
	is_int(RESOURCE_CONNECTION, 0, "connections come first (plan order)");
	is_str(resource_kind_name((enum resource_kind)RESOURCE_N_KINDS), "invalid",
	       "a kind outside the enum prints as invalid");
	is_str(resource_kind_name((enum resource_kind)-1), "invalid", "so does a negative one");
	for (i = 0; i < sizeof not_names / sizeof not_names[0]; i++) {
		enum resource_kind k = RESOURCE_TRANSFORMATION;
		ok(!resource_kind_parse(not_names[i], &k) && k == RESOURCE_TRANSFORMATION,
		   "kind \"%s\" is refused, the value left alone", not_names[i]);
	}
	ok(!resource_kind_parse(NULL, NULL), "a NULL kind is refused");
	ok(!resource_kind_parse("created", NULL), "an outcome is not a kind");
}

static void test_outcomes(void)
{
	size_t i;

	is_int(RESOURCE_N_OUTCOMES, sizeof outcomes / sizeof outcomes[0], "five outcomes");
	for (i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++) {
		enum resource_outcome o = RESOURCE_N_OUTCOMES;
		is_str(resource_outcome_name((enum resource_outcome)i), outcomes[i],
		       "outcome %zu is named %s", i, outcomes[i]);
		ok(resource_outcome_parse(outcomes[i], &o) && o == (enum resource_outcome)i,
		   "%s parses back to outcome %zu", outcomes[i], i);
	}
	is_int(OUTCOME_PENDING, 0, "a zeroed record is pending");
	is_str(resource_outcome_name((enum resource_outcome)RESOURCE_N_OUTCOMES), "invalid",
	       "an outcome outside the enum prints as invalid");
	is_str(resource_outcome_name((enum resource_outcome)42), "invalid", "so does 42");
	for (i = 0; i < sizeof not_names / sizeof not_names[0]; i++) {
		enum resource_outcome o = OUTCOME_SKIPPED;
		ok(!resource_outcome_parse(not_names[i], &o) && o == OUTCOME_SKIPPED,
		   "outcome \"%s\" is refused, the value left alone", not_names[i]);
	}
	ok(!resource_outcome_parse(NULL, NULL), "a NULL outcome is refused");
	ok(!resource_outcome_parse("connection", NULL), "a kind is not an outcome");
}

int main(void)
{
	test_kinds();
	test_outcomes();
	return done_testing();
}
