#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// One pointer per libcurl function used, typed from curl.h's own declarations.
static struct {
    __typeof__(&curl_global_init) global_init;
    __typeof__(&curl_easy_init) easy_init;
    __typeof__(&curl_easy_cleanup) easy_cleanup;
    __typeof__(&curl_easy_reset) easy_reset;
    __typeof__(&curl_easy_perform) easy_perform;
    __typeof__(&curl_easy_strerror) easy_strerror;
    __typeof__(&curl_easy_setopt) easy_setopt;
    __typeof__(&curl_easy_getinfo) easy_getinfo;
    __typeof__(&curl_slist_append) slist_append;
    __typeof__(&curl_slist_free_all) slist_free_all;
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[512];

static void *lookup(void *library, const char *name) {
    dlerror(); // clear a stale error, so the one read below is this lookup's
    void *symbol = dlsym(library, name);
    if (!symbol && !load_error[0]) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s has no symbol %s: %s", CCURL_LIBRARY, name, why ? why : "not found");
    }
    return symbol;
}

static void load(void) {
    // RTLD_LOCAL: nothing else in the process should bind to libcurl by accident.
    void *library = dlopen(CCURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : CCURL_LIBRARY ": dlopen failed");
        return;
    }
    curl.global_init = lookup(library, "curl_global_init");
    curl.easy_init = lookup(library, "curl_easy_init");
    curl.easy_cleanup = lookup(library, "curl_easy_cleanup");
    curl.easy_reset = lookup(library, "curl_easy_reset");
    curl.easy_perform = lookup(library, "curl_easy_perform");
    curl.easy_strerror = lookup(library, "curl_easy_strerror");
    curl.easy_setopt = lookup(library, "curl_easy_setopt");
    curl.easy_getinfo = lookup(library, "curl_easy_getinfo");
    curl.slist_append = lookup(library, "curl_slist_append");
    curl.slist_free_all = lookup(library, "curl_slist_free_all");
    if (load_error[0]) {
        // Half a table is no table: keep libcurl mapped (dlclose is unsafe once
        // its constructors ran) but report the whole load as failed.
        memset(&curl, 0, sizeof curl);
        return;
    }
    loaded = 1;
}

static int ready(void) {
    pthread_once(&load_once, load);
    return loaded;
}

int ccurl_load(char *reason, size_t reason_size) {
    if (ready()) return 0;
    if (reason_size > 0) snprintf(reason, reason_size, "%s", load_error);
    return -1;
}

CURLcode ccurl_global_init(long flags) {
    return ready() ? curl.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *ccurl_easy_init(void) {
    return ready() ? curl.easy_init() : NULL;
}

void ccurl_easy_cleanup(CURL *handle) {
    if (ready()) curl.easy_cleanup(handle);
}

void ccurl_easy_reset(CURL *handle) {
    if (ready()) curl.easy_reset(handle);
}

CURLcode ccurl_easy_perform(CURL *handle) {
    return ready() ? curl.easy_perform(handle) : CURLE_FAILED_INIT;
}

const char *ccurl_easy_strerror(CURLcode code) {
    return ready() ? curl.easy_strerror(code) : "libcurl is not loaded";
}

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *string) {
    return ready() ? curl.slist_append(list, string) : NULL;
}

void ccurl_slist_free_all(struct curl_slist *list) {
    if (ready()) curl.slist_free_all(list);
}

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return ready() ? curl.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return ready() ? curl.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return ready() ? curl.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return ready() ? curl.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode ccurl_easy_setopt_callback(CURL *handle, CURLoption option, curl_write_callback value) {
    return ready() ? curl.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return ready() ? curl.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return ready() ? curl.easy_getinfo(handle, info, value) : CURLE_FAILED_INIT;
}

CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return ready() ? curl.easy_getinfo(handle, info, value) : CURLE_FAILED_INIT;
}
