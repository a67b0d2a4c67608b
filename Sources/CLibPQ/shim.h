#ifndef CRM_LIBPQ_SHIM_H
#define CRM_LIBPQ_SHIM_H

/* libpq from Debian's libpq-dev: the client library psql uses. */
#include <postgresql/libpq-fe.h>

#endif
