#ifndef LMCORE_H
#define LMCORE_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef enum lmcore_status { LMCORE_OK = 0 } lmcore_status;
const char *lmcore_version(void);
#ifdef __cplusplus
}
#endif
#endif
