#ifndef CRM_CLIBPQ_H
#define CRM_CLIBPQ_H

/*
 * libpq, the client library psql uses (Debian's libpq-dev for the header, libpq5 at run
 * time), loaded with dlopen the first time crm talks to PostgreSQL rather than linked:
 * linking it would load libpq and about twenty libraries behind it (OpenSSL, Kerberos,
 * LDAP, GnuTLS) at every start of crm, SQLite users included, roughly doubling the time
 * `crm --version` takes. The functions crm uses keep their libpq names and prototypes
 * (declared by libpq-fe.h); libpq_loader.c forwards each to the loaded library.
 */
#include <postgresql/libpq-fe.h>

/* Loads libpq once; returns 1 when it is usable, else 0 with the reason (dlerror's text)
 * in `reason` (at most `size` bytes, NUL-terminated). Every libpq function below may be
 * called only after this returned 1. */
int crm_libpq_load(char *reason, unsigned long size);

#endif
