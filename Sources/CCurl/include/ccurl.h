#ifndef CCURL_H
#define CCURL_H
// Forwarding shims over libcurl. No logic lives here: curl_easy_setopt and
// curl_easy_getinfo are variadic, so each typed form gets one fixed function.
#include <curl/curl.h>
#endif
