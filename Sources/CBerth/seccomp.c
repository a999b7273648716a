// libseccomp glue for compiling a filter in the parent, and the raw
// seccomp(2) call that loads it in the container's init. See berth_seccomp.h
// for why the two halves are split.
#define _GNU_SOURCE
#include "berth_seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

// The header repeats these values so that Swift sees them without
// <seccomp.h>; make sure they are the ones libseccomp and the kernel use.
_Static_assert(BERTH_SECCOMP_ACT_KILL_PROCESS == SCMP_ACT_KILL_PROCESS, "SCMP_ACT_KILL_PROCESS");
_Static_assert(BERTH_SECCOMP_ACT_KILL_THREAD == SCMP_ACT_KILL_THREAD, "SCMP_ACT_KILL_THREAD");
_Static_assert(BERTH_SECCOMP_ACT_TRAP == SCMP_ACT_TRAP, "SCMP_ACT_TRAP");
_Static_assert(BERTH_SECCOMP_ACT_NOTIFY == SCMP_ACT_NOTIFY, "SCMP_ACT_NOTIFY");
_Static_assert(BERTH_SECCOMP_ACT_LOG == SCMP_ACT_LOG, "SCMP_ACT_LOG");
_Static_assert(BERTH_SECCOMP_ACT_ALLOW == SCMP_ACT_ALLOW, "SCMP_ACT_ALLOW");
_Static_assert(BERTH_SECCOMP_CMP_NE == SCMP_CMP_NE, "SCMP_CMP_NE");
_Static_assert(BERTH_SECCOMP_CMP_LT == SCMP_CMP_LT, "SCMP_CMP_LT");
_Static_assert(BERTH_SECCOMP_CMP_LE == SCMP_CMP_LE, "SCMP_CMP_LE");
_Static_assert(BERTH_SECCOMP_CMP_EQ == SCMP_CMP_EQ, "SCMP_CMP_EQ");
_Static_assert(BERTH_SECCOMP_CMP_GE == SCMP_CMP_GE, "SCMP_CMP_GE");
_Static_assert(BERTH_SECCOMP_CMP_GT == SCMP_CMP_GT, "SCMP_CMP_GT");
_Static_assert(BERTH_SECCOMP_CMP_MASKED_EQ == SCMP_CMP_MASKED_EQ, "SCMP_CMP_MASKED_EQ");
_Static_assert(BERTH_SECCOMP_FILTER_FLAG_TSYNC == SECCOMP_FILTER_FLAG_TSYNC, "TSYNC");
_Static_assert(BERTH_SECCOMP_FILTER_FLAG_LOG == SECCOMP_FILTER_FLAG_LOG, "LOG");
_Static_assert(BERTH_SECCOMP_FILTER_FLAG_SPEC_ALLOW == SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SPEC_ALLOW");
_Static_assert(BERTH_SECCOMP_FILTER_FLAG_NEW_LISTENER == SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER");
_Static_assert(BERTH_SECCOMP_FILTER_FLAG_TSYNC_ESRCH == SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "TSYNC_ESRCH");
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
_Static_assert(BERTH_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "WAIT_KILLABLE_RECV");
#endif
_Static_assert(BERTH_SECCOMP_MAX_INSTRUCTIONS == BPF_MAXINSNS, "BPF_MAXINSNS");
_Static_assert(BERTH_SECCOMP_ARCH_X86_64 == SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64");
_Static_assert(BERTH_SECCOMP_ARCH_X32 == SCMP_ARCH_X32, "SCMP_ARCH_X32");
_Static_assert(BERTH_SECCOMP_ARCH_S390 == SCMP_ARCH_S390, "SCMP_ARCH_S390");
_Static_assert(BERTH_SECCOMP_ARCH_S390X == SCMP_ARCH_S390X, "SCMP_ARCH_S390X");
_Static_assert(BERTH_SECCOMP_AUDIT_ARCH_X86_64 == AUDIT_ARCH_X86_64, "AUDIT_ARCH_X86_64");
_Static_assert(BERTH_SECCOMP_INSTRUCTION_SIZE == sizeof(struct sock_filter), "struct sock_filter");

// libseccomp reports errors as negative errno values; berth's convention is
// -1 with errno, which Swift reads as Errno.current.
static int fail_with(int negative_errno) {
    errno = -negative_errno;
    return -1;
}

uint32_t berth_seccomp_action_errno(uint16_t errno_ret) { return SCMP_ACT_ERRNO(errno_ret); }
uint32_t berth_seccomp_action_trace(uint16_t message) { return SCMP_ACT_TRACE(message); }

void *berth_seccomp_new(uint32_t default_action) {
    // Attributes deliberately left alone:
    // - SCMP_FLTATR_CTL_NNP, _CTL_TSYNC, _CTL_LOG, _CTL_SSB only change what
    //   seccomp_load() does, and berth never calls it: the init sets
    //   no_new_privs itself when the config asks, and the seccomp(2) flags
    //   are computed by the Swift side and passed to berth_seccomp_load.
    // - SCMP_FLTATR_API_TSKIP allows rules for syscall -1, which only a
    //   tracer skipping calls needs; names libseccomp does not know are
    //   skipped before they get here.
    scmp_filter_ctx ctx = seccomp_init(default_action);
    if (ctx == NULL) errno = EINVAL;  // seccomp_init's only failure but ENOMEM
    return ctx;
}

void berth_seccomp_release(void *ctx) {
    if (ctx != NULL) seccomp_release(ctx);
}

uint32_t berth_seccomp_arch_token(const char *name) {
    // libseccomp names architectures in lower case without the prefix the
    // runtime spec uses: SCMP_ARCH_X86_64 is "x86_64", SCMP_ARCH_PPC64LE
    // "ppc64le". Unknown names (e.g. "loongarch64" before libseccomp 2.6)
    // resolve to 0.
    static const char prefix[] = "SCMP_ARCH_";
    const size_t prefix_length = sizeof(prefix) - 1;
    if (strncmp(name, prefix, prefix_length) != 0) return 0;
    const char *suffix = name + prefix_length;
    char lower[32];
    size_t length = strlen(suffix);
    if (length == 0 || length >= sizeof(lower)) return 0;
    for (size_t i = 0; i <= length; i++) lower[i] = (char)tolower((unsigned char)suffix[i]);
    return seccomp_arch_resolve_name(lower);
}

int berth_seccomp_add_arch(void *ctx, uint32_t arch_token) {
    int rc = seccomp_arch_add(ctx, arch_token);
    // The native architecture is always in a new filter, and configs list it.
    if (rc == -EEXIST) return 0;
    return rc < 0 ? fail_with(rc) : 0;
}

int berth_seccomp_syscall_number(const char *name) { return seccomp_syscall_resolve_name(name); }

int berth_seccomp_syscall_number_on(uint32_t arch_token, const char *name) {
    return seccomp_syscall_resolve_name_arch(arch_token, name);
}

uint32_t berth_seccomp_arch_native(void) { return seccomp_arch_native(); }

int berth_seccomp_add_rule(void *ctx, uint32_t action, int syscall, unsigned count,
                           const struct berth_seccomp_condition *conditions) {
    struct scmp_arg_cmp comparisons[6];
    if (count > sizeof(comparisons) / sizeof(comparisons[0])) return fail_with(-EINVAL);
    for (unsigned i = 0; i < count; i++) {
        comparisons[i] = (struct scmp_arg_cmp){
            .arg = conditions[i].index,
            .op = (enum scmp_compare)conditions[i].op,
            .datum_a = conditions[i].value,
            .datum_b = conditions[i].value_two,
        };
    }
    int rc = seccomp_rule_add_array(ctx, action, syscall, count, comparisons);
    return rc < 0 ? fail_with(rc) : 0;
}

int berth_seccomp_export(void *ctx, uint8_t **bytes, size_t *length) {
    // libseccomp 2.5 can only write the program to a file descriptor
    // (seccomp_export_bpf_mem arrived in 2.6), so it goes through a memfd.
    int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
    if (fd < 0) return -1;
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) {
        close(fd);
        return fail_with(rc);
    }
    off_t size = lseek(fd, 0, SEEK_END);
    uint8_t *buffer = size > 0 ? malloc((size_t)size) : NULL;
    if (buffer == NULL) {
        int saved = size < 0 ? errno : (size == 0 ? EIO : ENOMEM);
        close(fd);
        return fail_with(-saved);
    }
    // A memfd is memory: one read returns all of it.
    ssize_t n = pread(fd, buffer, (size_t)size, 0);
    if (n != size) {
        int saved = n < 0 ? errno : EIO;
        free(buffer);
        close(fd);
        return fail_with(-saved);
    }
    close(fd);
    *bytes = buffer;
    *length = (size_t)size;
    return 0;
}

int berth_seccomp_load(const void *bytes, size_t length, unsigned int flags) {
    // sock_fprog counts instructions in an unsigned short; reject what it
    // cannot describe rather than load a truncated program.
    if (bytes == NULL || length == 0 || length % sizeof(struct sock_filter) != 0
        || length / sizeof(struct sock_filter) > BPF_MAXINSNS) {
        errno = EINVAL;
        return -1;
    }
    struct sock_fprog program = {
        .len = (unsigned short)(length / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)bytes,  // the kernel copies, never writes
    };
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
}
