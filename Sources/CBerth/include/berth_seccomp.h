// CBerth: seccomp glue.
//
// A filter is compiled in the parent with libseccomp and exported as a
// classic BPF program (an array of 8-byte `struct sock_filter`); the
// container's init only hands those bytes to the kernel with the raw
// seccomp(2) system call. So everything that allocates or may fail for a
// reason worth explaining (libseccomp) runs where errors are easy to report,
// and the child needs nothing but berth_seccomp_load.
//
// This header does not include <seccomp.h>: the constants below are
// libseccomp's and the kernel's values, checked against their headers by
// static assertions in seccomp.c. Functions return -1 and set errno on
// failure unless their comment says otherwise.
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

// ---- Actions (libseccomp's SCMP_ACT_*, the kernel's SECCOMP_RET_*) -------

#define BERTH_SECCOMP_ACT_KILL_PROCESS 0x80000000U
#define BERTH_SECCOMP_ACT_KILL_THREAD  0x00000000U  // also SCMP_ACT_KILL
#define BERTH_SECCOMP_ACT_TRAP         0x00030000U
#define BERTH_SECCOMP_ACT_NOTIFY       0x7fc00000U
#define BERTH_SECCOMP_ACT_LOG          0x7ffc0000U
#define BERTH_SECCOMP_ACT_ALLOW        0x7fff0000U

// SCMP_ACT_ERRNO(errno_ret) and SCMP_ACT_TRACE(message), function-like
// macros that Swift cannot import. Async-signal-safe (arithmetic only).
uint32_t berth_seccomp_action_errno(uint16_t errno_ret);
uint32_t berth_seccomp_action_trace(uint16_t message);

// ---- Argument comparisons (libseccomp's enum scmp_compare) -------------

#define BERTH_SECCOMP_CMP_NE        1U
#define BERTH_SECCOMP_CMP_LT        2U
#define BERTH_SECCOMP_CMP_LE        3U
#define BERTH_SECCOMP_CMP_EQ        4U
#define BERTH_SECCOMP_CMP_GE        5U
#define BERTH_SECCOMP_CMP_GT        6U
#define BERTH_SECCOMP_CMP_MASKED_EQ 7U  // (argument & value) == value_two

// One comparison of system call argument `index` (0...5), the layout-free
// twin of libseccomp's struct scmp_arg_cmp.
struct berth_seccomp_condition {
    uint32_t index;
    uint32_t op;  // BERTH_SECCOMP_CMP_*
    uint64_t value;
    uint64_t value_two;
};

// ---- seccomp(SECCOMP_SET_MODE_FILTER) flags (<linux/seccomp.h>) ---------

#define BERTH_SECCOMP_FILTER_FLAG_TSYNC              1U
#define BERTH_SECCOMP_FILTER_FLAG_LOG                2U
#define BERTH_SECCOMP_FILTER_FLAG_SPEC_ALLOW         4U
#define BERTH_SECCOMP_FILTER_FLAG_NEW_LISTENER       8U
#define BERTH_SECCOMP_FILTER_FLAG_TSYNC_ESRCH        16U
#define BERTH_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV 32U

// The size of one BPF instruction (struct sock_filter), and the kernel's
// limit on the length of a filter in instructions (BPF_MAXINSNS).
#define BERTH_SECCOMP_INSTRUCTION_SIZE 8U
#define BERTH_SECCOMP_MAX_INSTRUCTIONS 4096U

// ---- Architectures -----------------------------------------------------
//
// libseccomp's tokens (SCMP_ARCH_*) are the kernel's AUDIT_ARCH_* values
// that seccomp_data.arch carries, except x32: its token is a value of
// libseccomp's own, and the kernel reports x32 calls as AUDIT_ARCH_X86_64
// with BERTH_SECCOMP_X32_SYSCALL_BIT set in the system call number.

#define BERTH_SECCOMP_ARCH_X86_64       0xc000003eU
#define BERTH_SECCOMP_ARCH_X32          0x4000003eU
#define BERTH_SECCOMP_ARCH_S390         0x00000016U
#define BERTH_SECCOMP_ARCH_S390X        0x80000016U
#define BERTH_SECCOMP_AUDIT_ARCH_X86_64 0xc000003eU
#define BERTH_SECCOMP_X32_SYSCALL_BIT   0x40000000U

// ---- Compiling (parent only) -------------------------------------------
//
// None of these is async-signal-safe: libseccomp allocates.

// A new filter whose action for every unmatched system call is
// `default_action`, for the native architecture. NULL with errno on failure.
void *berth_seccomp_new(uint32_t default_action);

// Frees a filter made by berth_seccomp_new. NULL is allowed.
void berth_seccomp_release(void *ctx);

// The libseccomp token of an OCI architecture name such as
// "SCMP_ARCH_X86_64", or 0 when the name has no SCMP_ARCH_ prefix or this
// libseccomp does not know the architecture.
uint32_t berth_seccomp_arch_token(const char *name);

// Makes the filter also cover `arch_token`'s system calls. Adding an
// architecture twice, or the native one, succeeds.
int berth_seccomp_add_arch(void *ctx, uint32_t arch_token);

// The native system call number of `name`, or -1 (__NR_SCMP_ERROR) when
// libseccomp does not know it. Other negative numbers are libseccomp's
// pseudo numbers for calls that exist only on some of the filter's
// architectures (socketcall on x86_64): berth_seccomp_add_rule takes them.
int berth_seccomp_syscall_number(const char *name);

// The number of system call `name` on architecture `arch_token` (for x32
// with BERTH_SECCOMP_X32_SYSCALL_BIT set), or a negative number when that
// architecture has no such call or libseccomp does not know the name.
int berth_seccomp_syscall_number_on(uint32_t arch_token, const char *name);

// The libseccomp token of the architecture berth runs on.
uint32_t berth_seccomp_arch_native(void);

// Adds the rule "`action` when system call `syscall` is made and all
// `count` conditions hold". libseccomp compares each argument at most once
// per rule and has at most six arguments, so `count` <= 6 and the indices
// are distinct; otherwise EINVAL.
int berth_seccomp_add_rule(void *ctx, uint32_t action, int syscall, unsigned count,
                           const struct berth_seccomp_condition *conditions);

// Compiles the filter into classic BPF. On success `*bytes` is a buffer of
// `*length` bytes (a multiple of 8) from malloc, which the caller frees with
// free().
int berth_seccomp_export(void *ctx, uint8_t **bytes, size_t *length);

// ---- Loading (the container's init) ------------------------------------

// Installs the compiled program `bytes` on the calling thread with
// seccomp(SECCOMP_SET_MODE_FILTER, flags, ...). Returns 0, or the listener
// fd (close-on-exec) when `flags` has SECCOMP_FILTER_FLAG_NEW_LISTENER, or
// -1 with errno. Loading needs no_new_privs or CAP_SYS_ADMIN.
// Async-signal-safe (one system call, no allocation, no libseccomp).
int berth_seccomp_load(const void *bytes, size_t length, unsigned int flags);

#endif
