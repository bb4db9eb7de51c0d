/* SPDX-License-Identifier: MIT */
/* runtime/lazy_curl: the libcurl functions berth calls, forwarded to libcurl.so.4 opened on the
 * first call (common/lazylib.h says why). curl_easy_setopt/getinfo are variadic: the option's
 * number says the type of its one argument (CURLOPTTYPE_*), as libcurl itself reads it. */
#define CURL_DISABLE_TYPECHECK 1
#include <stdarg.h>

#include <curl/curl.h>

#include "common/lazylib.h"

static struct lazylib curl = LAZYLIB_INIT("libcurl.so.4", "libcurl4");

LAZYLIB_FWD(curl, CURLcode, curl_global_init, (long flags), (flags))
LAZYLIB_FWD(curl, CURL *, curl_easy_init, (void), ())
LAZYLIB_FWD_VOID(curl, curl_easy_cleanup, (CURL * h), (h))
LAZYLIB_FWD(curl, char *, curl_easy_escape, (CURL * h, const char *s, int n), (h, s, n))
LAZYLIB_FWD(curl, CURLcode, curl_easy_perform, (CURL * h), (h))
LAZYLIB_FWD(curl, const char *, curl_easy_strerror, (CURLcode c), (c))
LAZYLIB_FWD_VOID(curl, curl_free, (void *p), (p))
LAZYLIB_FWD(curl, CURLM *, curl_multi_init, (void), ())
LAZYLIB_FWD(curl, CURLMcode, curl_multi_add_handle, (CURLM * m, CURL *h), (m, h))
LAZYLIB_FWD(curl, CURLMcode, curl_multi_remove_handle, (CURLM * m, CURL *h), (m, h))
LAZYLIB_FWD(curl, CURLMcode, curl_multi_cleanup, (CURLM * m), (m))
LAZYLIB_FWD(curl, CURLMsg *, curl_multi_info_read, (CURLM * m, int *n), (m, n))
LAZYLIB_FWD(curl, CURLMcode, curl_multi_perform, (CURLM * m, int *n), (m, n))
LAZYLIB_FWD(curl, CURLMcode, curl_multi_poll,
            (CURLM * m, struct curl_waitfd extra[], unsigned int n, int ms, int *ret),
            (m, extra, n, ms, ret))
LAZYLIB_FWD(curl, struct curl_slist *, curl_slist_append, (struct curl_slist * l, const char *s),
            (l, s))
LAZYLIB_FWD_VOID(curl, curl_slist_free_all, (struct curl_slist * l), (l))

CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
        typedef CURLcode (*fn_t)(CURL *, CURLoption, ...);
        fn_t real = LAZYLIB_REAL(curl, fn_t, "curl_easy_setopt");
        va_list ap;
        CURLcode r;

        va_start(ap, o);
        if (o < CURLOPTTYPE_OBJECTPOINT)
                r = real(h, o, va_arg(ap, long));
        else if (o >= CURLOPTTYPE_OFF_T && o < CURLOPTTYPE_BLOB)
                r = real(h, o, va_arg(ap, curl_off_t));
        else /* object, function and blob pointers */
                r = real(h, o, va_arg(ap, void *));
        va_end(ap);
        return r;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO i, ...)
{
        typedef CURLcode (*fn_t)(CURL *, CURLINFO, ...);
        fn_t real = LAZYLIB_REAL(curl, fn_t, "curl_easy_getinfo");
        va_list ap;
        CURLcode r;

        va_start(ap, i);
        r = real(h, i, va_arg(ap, void *)); /* always a pointer to the result */
        va_end(ap);
        return r;
}
