/* SPDX-License-Identifier: MIT */
/* common/lazylib: a shared library opened on first use (dlopen) instead of at start. libcurl,
 * libarchive and libnftables (and what they pull in: gnutls, p11-kit, krb5, ldap, icu...) cost
 * the CLI ~6 ms of loading and constructors on every command, most of which never pulls,
 * unpacks or touches nft (`ps`, `logs`, `exec`). runtime/lazy_curl.c, runtime/lazy_archive.c
 * and netmgr/lazy_nft.c define those libraries' functions that berth calls under their own
 * names and forward each call to the real one, so the callers are unchanged. A library that
 * cannot be loaded ends the process with one clear message, as the dynamic loader would have
 * at start. */
#pragma once

#include <pthread.h>

struct lazylib {
        const char *soname;  /* "libcurl.so.4" */
        const char *package; /* the Debian package that ships it, for the message */
        pthread_once_t once;
        void *handle;
};

#define LAZYLIB_INIT(so, pkg)                                               \
        {                                                                   \
                .soname = (so), .package = (pkg), .once = PTHREAD_ONCE_INIT \
        }

/* The address of `name` in l (loading l the first time); never NULL. */
void *lazylib_sym(struct lazylib *l, const char *name);

/* The address of `name` in `lib`, looked up once per call site and kept (the same value
 * whichever thread stores it first): the forwarders sit on hot paths (one call per tar entry). */
#define LAZYLIB_REAL(lib, type, name)                                   \
        ({                                                              \
                static type cached;                                     \
                type f = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);    \
                if (!f) {                                               \
                        f = (type)lazylib_sym(&(lib), name);            \
                        __atomic_store_n(&cached, f, __ATOMIC_RELEASE); \
                }                                                       \
                f;                                                      \
        })

/* Define a forwarding function `ret name params` calling the real `name` with `args`. */
#define LAZYLIB_FWD(lib, ret, name, params, args)           \
        ret name params                                     \
        {                                                   \
                typedef ret(*fn_t) params;                  \
                return LAZYLIB_REAL(lib, fn_t, #name) args; \
        }
/* The same for a function returning void. */
#define LAZYLIB_FWD_VOID(lib, name, params, args)    \
        void name params                             \
        {                                            \
                typedef void(*fn_t) params;          \
                LAZYLIB_REAL(lib, fn_t, #name) args; \
        }
