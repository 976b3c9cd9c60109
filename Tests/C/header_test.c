/* The public header must compile cleanly as strict C99 (-std=c99 -Wall -Wextra -pedantic
 * -Werror) and as C++. Nothing here runs the library. */
#include <lmcore.h>

int main(void) {
    lmcore_status status = LMCORE_OK;
    lmcore_model_params mp;
    lmcore_generation_params gp;
    lmcore_model_info info;
    (void)status;
    (void)mp;
    (void)gp;
    (void)info;
    return LMCORE_VERSION_MAJOR >= 0 && LMCORE_ABI_VERSION > 0 ? 0 : 1;
}
