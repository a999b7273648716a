#include "berth.h"
#include <seccomp.h>

#ifndef BERTH_COMMIT
#define BERTH_COMMIT "unknown"
#endif

const char *berth_commit(void) { return BERTH_COMMIT; }

void berth_libseccomp_version(unsigned *major, unsigned *minor, unsigned *micro) {
    const struct scmp_version *version = seccomp_version();
    *major = version ? version->major : 0;
    *minor = version ? version->minor : 0;
    *micro = version ? version->micro : 0;
}
