#include "copenssl.h"

long copenssl_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
void copenssl_OPENSSL_free(void *ptr) { OPENSSL_free(ptr); }

unsigned long copenssl_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }

long copenssl_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
long copenssl_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

STACK_OF(X509) *copenssl_sk_X509_new_null(void) { return sk_X509_new_null(); }
int copenssl_sk_X509_push(STACK_OF(X509) *sk, X509 *cert) { return sk_X509_push(sk, cert); }
int copenssl_sk_X509_num(const STACK_OF(X509) *sk) { return sk_X509_num(sk); }
X509 *copenssl_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }
void copenssl_sk_X509_free(STACK_OF(X509) *sk) { sk_X509_free(sk); }

STACK_OF(X509_EXTENSION) *copenssl_sk_X509_EXTENSION_new_null(void) { return sk_X509_EXTENSION_new_null(); }
int copenssl_sk_X509_EXTENSION_push(STACK_OF(X509_EXTENSION) *sk, X509_EXTENSION *ext) {
    return sk_X509_EXTENSION_push(sk, ext);
}
int copenssl_sk_X509_EXTENSION_num(const STACK_OF(X509_EXTENSION) *sk) { return sk_X509_EXTENSION_num(sk); }
X509_EXTENSION *copenssl_sk_X509_EXTENSION_value(const STACK_OF(X509_EXTENSION) *sk, int i) {
    return sk_X509_EXTENSION_value(sk, i);
}
void copenssl_sk_X509_EXTENSION_pop_free(STACK_OF(X509_EXTENSION) *sk) {
    sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
}

int copenssl_sk_GENERAL_NAME_push(GENERAL_NAMES *sk, GENERAL_NAME *name) { return sk_GENERAL_NAME_push(sk, name); }
int copenssl_sk_GENERAL_NAME_num(const GENERAL_NAMES *sk) { return sk_GENERAL_NAME_num(sk); }
GENERAL_NAME *copenssl_sk_GENERAL_NAME_value(const GENERAL_NAMES *sk, int i) { return sk_GENERAL_NAME_value(sk, i); }
