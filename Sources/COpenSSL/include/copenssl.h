#ifndef COPENSSL_H
#define COPENSSL_H
// Forwarding shims over OpenSSL 3 (libssl, libcrypto). No logic lives here:
// each function exists because Swift cannot import the macro or variadic form.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>     // EVP_KDF (HKDF) for the secrets record; imported as is, no shims
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Memory and BIO macros (BIO_get_mem_data and OPENSSL_free are function-like macros).
long copenssl_BIO_get_mem_data(BIO *_Nonnull bio, char *_Nullable *_Nonnull data);
void copenssl_OPENSSL_free(void *_Nullable ptr);

// Name printing: XN_FLAG_RFC2253 is an OR of several macros Swift does not fold.
unsigned long copenssl_XN_FLAG_RFC2253(void);

// SSL_ctrl macros used by the TLS client.
long copenssl_SSL_set_tlsext_host_name(SSL *_Nonnull ssl, const char *_Nonnull name);
long copenssl_SSL_CTX_set_min_proto_version(SSL_CTX *_Nonnull ctx, int version);

// STACK_OF(X509) accessors: the typed sk_X509_* names are macros in OpenSSL 3.
STACK_OF(X509) *_Nullable copenssl_sk_X509_new_null(void);
int copenssl_sk_X509_push(STACK_OF(X509) *_Nonnull sk, X509 *_Nonnull cert);
int copenssl_sk_X509_num(const STACK_OF(X509) *_Nullable sk);
X509 *_Nullable copenssl_sk_X509_value(const STACK_OF(X509) *_Nonnull sk, int i);
void copenssl_sk_X509_free(STACK_OF(X509) *_Nullable sk);

// STACK_OF(X509_EXTENSION) accessors (CSR extension requests).
STACK_OF(X509_EXTENSION) *_Nullable copenssl_sk_X509_EXTENSION_new_null(void);
int copenssl_sk_X509_EXTENSION_push(STACK_OF(X509_EXTENSION) *_Nonnull sk, X509_EXTENSION *_Nonnull ext);
int copenssl_sk_X509_EXTENSION_num(const STACK_OF(X509_EXTENSION) *_Nullable sk);
X509_EXTENSION *_Nullable copenssl_sk_X509_EXTENSION_value(const STACK_OF(X509_EXTENSION) *_Nonnull sk, int i);
void copenssl_sk_X509_EXTENSION_pop_free(STACK_OF(X509_EXTENSION) *_Nullable sk);

// GENERAL_NAMES (STACK_OF(GENERAL_NAME)) accessors for subjectAltName.
int copenssl_sk_GENERAL_NAME_push(GENERAL_NAMES *_Nonnull sk, GENERAL_NAME *_Nonnull name);
int copenssl_sk_GENERAL_NAME_num(const GENERAL_NAMES *_Nullable sk);
GENERAL_NAME *_Nullable copenssl_sk_GENERAL_NAME_value(const GENERAL_NAMES *_Nonnull sk, int i);

#endif
