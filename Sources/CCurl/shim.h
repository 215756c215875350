// Typed wrappers around libcurl's variadic curl_easy_setopt/curl_easy_getinfo,
// which Swift cannot call directly. One wrapper per argument type; nothing else.
#ifndef KRECONCILE_CCURL_SHIM_H
#define KRECONCILE_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*kr_data_callback)(char *data, size_t size, size_t nmemb, void *userdata);
typedef int (*kr_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                    curl_off_t ultotal, curl_off_t ulnow);
typedef int (*kr_sockopt_callback)(void *userdata, curl_socket_t fd, curlsocktype purpose);

static inline CURLcode kr_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kr_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kr_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kr_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kr_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kr_setopt_data_callback(CURL *h, CURLoption o, kr_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode kr_setopt_xferinfo_callback(CURL *h, kr_xferinfo_callback v) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v);
}
static inline CURLcode kr_setopt_sockopt_callback(CURL *h, kr_sockopt_callback v) {
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, v);
}

// Blob options copy the bytes (CURL_BLOB_COPY): certificates and keys stay in memory only.
static inline CURLcode kr_setopt_blob(CURL *h, CURLoption o, const void *data, size_t len) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = len;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(h, o, &blob);
}

static inline CURLcode kr_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode kr_getinfo_off(CURL *h, CURLINFO i, curl_off_t *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode kr_getinfo_string(CURL *h, CURLINFO i, char **out) { return curl_easy_getinfo(h, i, out); }

#endif
