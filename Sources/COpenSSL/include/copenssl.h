#ifndef COPENSSL_H
#define COPENSSL_H
// Forwarding shims over OpenSSL 3 (libssl, libcrypto). No logic lives here:
// each function exists because Swift cannot import the macro or variadic form.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif
