/* Forwards the libpq functions crm uses to libpq.so.5, opened on first use (see clibpq.h). */
#include "clibpq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *library;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : "libpq.so.5 not found");
    }
}

int crm_libpq_load(char *reason, unsigned long size) {
    pthread_once(&load_once, load);
    if (library) return 1;
    if (reason && size > 0) snprintf(reason, size, "%s", load_error);
    return 0;
}

/* The address of one libpq function. Callers checked crm_libpq_load first, so a missing
 * symbol means a libpq older than the header crm was built with: nothing sensible can go on. */
static void *symbol(const char *name) {
    char reason[512];
    if (!crm_libpq_load(reason, sizeof reason)) {
        fprintf(stderr, "crm: PostgreSQL client library not loaded: %s\n", reason);
        abort();
    }
    void *address = dlsym(library, name);
    if (!address) {
        fprintf(stderr, "crm: libpq.so.5 has no %s (libpq too old)\n", name);
        abort();
    }
    return address;
}

/* One forwarding function: the real one is looked up once and kept. */
#define FORWARD(ret, name, params, args)                                                      \
    ret name params {                                                                         \
        static ret (*real) params;                                                            \
        ret (*f) params = __atomic_load_n(&real, __ATOMIC_ACQUIRE);                            \
        if (!f) {                                                                             \
            f = (ret (*) params)symbol(#name);                                                \
            __atomic_store_n(&real, f, __ATOMIC_RELEASE);                                      \
        }                                                                                     \
        return f args;                                                                        \
    }
#define FORWARD_VOID(name, params, args)                                                      \
    void name params {                                                                        \
        static void (*real) params;                                                           \
        void (*f) params = __atomic_load_n(&real, __ATOMIC_ACQUIRE);                           \
        if (!f) {                                                                             \
            f = (void (*) params)symbol(#name);                                               \
            __atomic_store_n(&real, f, __ATOMIC_RELEASE);                                      \
        }                                                                                     \
        f args;                                                                               \
    }

FORWARD(PGconn *, PQconnectdb, (const char *conninfo), (conninfo))
FORWARD_VOID(PQfinish, (PGconn *conn), (conn))
FORWARD(ConnStatusType, PQstatus, (const PGconn *conn), (conn))
FORWARD(int, PQserverVersion, (const PGconn *conn), (conn))
FORWARD(char *, PQerrorMessage, (const PGconn *conn), (conn))
FORWARD(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn))
FORWARD(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn *conn, PQnoticeProcessor proc, void *arg), (conn, proc, arg))
FORWARD(char *, PQhost, (const PGconn *conn), (conn))
FORWARD(char *, PQport, (const PGconn *conn), (conn))
FORWARD(char *, PQdb, (const PGconn *conn), (conn))
FORWARD(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg))
FORWARD_VOID(PQconninfoFree, (PQconninfoOption *connOptions), (connOptions))
FORWARD_VOID(PQfreemem, (void *ptr), (ptr))

FORWARD(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query))
FORWARD(PGresult *, PQexecParams,
        (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
         const int *paramLengths, const int *paramFormats, int resultFormat),
        (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))
FORWARD(PGresult *, PQgetResult, (PGconn *conn), (conn))
FORWARD_VOID(PQclear, (PGresult *res), (res))
FORWARD(ExecStatusType, PQresultStatus, (const PGresult *res), (res))
FORWARD(char *, PQresultErrorMessage, (const PGresult *res), (res))
FORWARD(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))
FORWARD(int, PQntuples, (const PGresult *res), (res))
FORWARD(int, PQnfields, (const PGresult *res), (res))
FORWARD(char *, PQfname, (const PGresult *res, int field_num), (res, field_num))
FORWARD(Oid, PQftype, (const PGresult *res, int field_num), (res, field_num))
FORWARD(Oid, PQftable, (const PGresult *res, int field_num), (res, field_num))
FORWARD(int, PQftablecol, (const PGresult *res, int field_num), (res, field_num))
FORWARD(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
FORWARD(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
FORWARD(char *, PQcmdTuples, (PGresult *res), (res))
FORWARD(int, PQputCopyData, (PGconn *conn, const char *buffer, int nbytes), (conn, buffer, nbytes))
FORWARD(int, PQputCopyEnd, (PGconn *conn, const char *errormsg), (conn, errormsg))
