// Oniguruma for LMTokenizer/Regex.swift. Swift cannot take the address-valued macros
// (ONIG_ENCODING_UTF8, ONIG_SYNTAX_*) nor call the variadic onig_error_code_to_str,
// so they are wrapped here.
#include <oniguruma.h>

static inline OnigEncoding lmcore_onig_encoding_utf8(void) { return ONIG_ENCODING_UTF8; }
static inline OnigSyntaxType *lmcore_onig_syntax_oniguruma(void) { return ONIG_SYNTAX_ONIGURUMA; }
static inline OnigSyntaxType *lmcore_onig_syntax_default(void) { return ONIG_SYNTAX_DEFAULT; }
static inline OnigSyntaxType *lmcore_onig_syntax_ruby(void) { return ONIG_SYNTAX_RUBY; }

/// Writes the message for `code` (with `info` for pattern errors) into `buf` (ONIG_MAX_ERROR_MESSAGE_LEN bytes).
static inline int lmcore_onig_error_string(unsigned char *buf, int code, OnigErrorInfo *info) {
    if (info) { return onig_error_code_to_str(buf, code, info); }
    return onig_error_code_to_str(buf, code);
}
