/*
 * catalog-internal.h — the generated tables behind catalog.h, shared by
 * catalog.c (the lookups) and catalog-data.c (the data). For catalog/ only:
 * everyone else goes through the functions in catalog.h.
 */
#ifndef CCAPPLY_CATALOG_INTERNAL_H
#define CCAPPLY_CATALOG_INTERNAL_H

#include "catalog/catalog.h"

extern const struct catalog_key catalog_keys[];
extern const char *const catalog_enum_values[];
extern const struct catalog_service catalog_services[];
extern const size_t catalog_n_services;
extern const struct catalog_key catalog_create_fields[];
extern const size_t catalog_n_create_fields;
extern const char *const catalog_credential_names[]; /* all lower case */
extern const size_t catalog_n_credential_names;

#endif
