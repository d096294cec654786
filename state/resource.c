/*
 * resource.c — the names of the resource kinds and outcomes (see
 * resource.h): one table each, read both ways.
 */
#include "state/resource.h"

#include <stddef.h>
#include <string.h>

static const char *const kind_names[RESOURCE_N_KINDS] = {
	[RESOURCE_CONNECTION] = "connection",
	[RESOURCE_TRANSFORMATION] = "transformation",
};

static const char *const outcome_names[RESOURCE_N_OUTCOMES] = {
	[OUTCOME_PENDING] = "pending",
	[OUTCOME_CREATED] = "created",
	[OUTCOME_ALREADY_EXISTS] = "already_exists",
	[OUTCOME_SKIPPED] = "skipped",
	[OUTCOME_FAILED] = "failed",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "invalid";
}

/* The index of text in names, or -1. */
static int index_of(const char *const *names, size_t n, const char *text)
{
	size_t i;

	for (i = 0; text && i < n; i++)
		if (!strcmp(text, names[i]))
			return (int)i;
	return -1;
}

const char *resource_kind_name(enum resource_kind k)
{
	return name_of(kind_names, RESOURCE_N_KINDS, (unsigned)k);
}

const char *resource_outcome_name(enum resource_outcome o)
{
	return name_of(outcome_names, RESOURCE_N_OUTCOMES, (unsigned)o);
}

bool resource_kind_parse(const char *text, enum resource_kind *out)
{
	int i = index_of(kind_names, RESOURCE_N_KINDS, text);

	if (i < 0)
		return false;
	*out = (enum resource_kind)i;
	return true;
}

bool resource_outcome_parse(const char *text, enum resource_outcome *out)
{
	int i = index_of(outcome_names, RESOURCE_N_OUTCOMES, text);

	if (i < 0)
		return false;
	*out = (enum resource_outcome)i;
	return true;
}
