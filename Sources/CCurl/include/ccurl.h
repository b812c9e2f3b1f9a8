#ifndef CCURL_H
#define CCURL_H
// Forwarding shims over libcurl, which is loaded on first use (dlopen) rather
// than linked: its dependency tree (about 30 libraries: GnuTLS, Kerberos,
// LDAP, SSH, ...) costs ~4 ms and ~3 MB at every start, and most commands
// (render, config, certs, --version) never make an HTTP request. No logic
// lives here. The header is included for libcurl's types and constants only;
// Swift calls the ccurl_ functions, never curl_* (they are not linked, so a
// direct call fails at link time).
#include <stddef.h>
#include <curl/curl.h>

#pragma clang assume_nonnull begin

// The library file loaded, by its SONAME (package libcurl4).
#define CCURL_LIBRARY "libcurl.so.4"

// Loads libcurl and looks up every function below, once per process
// (thread-safe; a failed load stays failed). Returns 0, or -1 with the reason
// (dlerror's words) copied into `reason`. If loading failed, the functions
// below fail softly: CURLE_FAILED_INIT, NULL, or nothing.
int ccurl_load(char *reason, size_t reason_size);

CURLcode ccurl_global_init(long flags);
CURL *_Nullable ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *_Nullable handle);
void ccurl_easy_reset(CURL *handle);
CURLcode ccurl_easy_perform(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);
struct curl_slist *_Nullable ccurl_slist_append(struct curl_slist *_Nullable list, const char *string);
void ccurl_slist_free_all(struct curl_slist *_Nullable list);

// curl_easy_setopt: one function per argument type the option takes
// (long, char*/void*, curl_off_t, data callback, header list), since the
// real one is variadic.
CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *_Nullable value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *_Nullable value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_callback(CURL *handle, CURLoption option, curl_write_callback _Nullable value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *_Nullable value);

// curl_easy_getinfo: one function per result type the info returns.
CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);

#pragma clang assume_nonnull end

#endif
