#ifndef CCURL_H
#define CCURL_H
// Forwarding shims over libcurl (linked; libcurl4-openssl-dev). No logic lives
// here: each function exists because Swift cannot call the variadic
// curl_easy_setopt and curl_easy_getinfo. Everything else Swift calls in
// curl.h directly.
#include <curl/curl.h>

#pragma clang assume_nonnull begin

// curl_easy_setopt: one function per argument type the option takes
// (long, char*/void*, curl_off_t, data callback, header list).
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
