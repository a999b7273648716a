// exec-helper: the last program a container's init (or a `berth exec`
// process) executes before the user's own, so that at the moment the
// kernel runs the user's program — and resolves a `#!/proc/self/exe`
// interpreter line — the process's executable is this tiny helper in a
// sealed memfd, not the berth binary on the host. A container can then not
// obtain a writable handle on berth through /proc/<pid>/exe (the class of
// CVE-2019-5736), and berth does not copy its own 20 MB binary per
// container to get there: berth copies these few hundred bytes.
//
// Usage (by berth only): exec-helper PATH ARGV0 [ARGS...]
//
// Built without libc (-nostdlib -static): it must run in any container
// root, with no loader or libc of the host or the image.

typedef unsigned long word;

#if defined(__x86_64__)
enum { SYSCALL_WRITE = 1, SYSCALL_EXECVE = 59, SYSCALL_EXIT = 60 };
static long syscall3(long number, word a, word b, word c) {
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}
// The kernel starts a process with argc, argv[] and envp[] on the stack.
__asm__(".text\n.global _start\n_start:\n  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call helper_main\n  hlt\n");
#elif defined(__aarch64__)
enum { SYSCALL_WRITE = 64, SYSCALL_EXECVE = 221, SYSCALL_EXIT = 93 };
static long syscall3(long number, word a, word b, word c) {
    register long x8 __asm__("x8") = number;
    register word x0 __asm__("x0") = a;
    register word x1 __asm__("x1") = b;
    register word x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return (long)x0;
}
__asm__(".text\n.global _start\n_start:\n  mov x0, sp\n  bl helper_main\n");
#else
#error "exec-helper: unsupported architecture"
#endif

__attribute__((noreturn, used)) void helper_main(long *stack) {
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    char **envp = argv + argc + 1;
    long error = 22;  // EINVAL: called without a program
    if (argc >= 3) {
        error = -syscall3(SYSCALL_EXECVE, (word)argv[1], (word)(argv + 2), (word)envp);
    }
    // "...: errno N\n", without printf.
    static const char prefix[] = "berth: exec of the container's process failed: errno ";
    char digits[24];
    int length = 0;
    do { digits[sizeof digits - 1 - length++] = (char)('0' + error % 10); error /= 10; } while (error > 0 && length < 20);
    syscall3(SYSCALL_WRITE, 2, (word)prefix, sizeof prefix - 1);
    syscall3(SYSCALL_WRITE, 2, (word)(digits + sizeof digits - length), (word)length);
    syscall3(SYSCALL_WRITE, 2, (word)"\n", 1);
    for (;;) syscall3(SYSCALL_EXIT, 127, 0, 0);
}
