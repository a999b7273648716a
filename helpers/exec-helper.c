// exec-helper: the last program a container's init (or a `berth exec`
// process) executes before the user's own, so that at the moment the
// kernel runs the user's program — and resolves a `#!/proc/self/exe`
// interpreter line — the process's executable is this tiny helper in a
// sealed memfd, not the berth binary on the host. A container can then not
// obtain a writable handle on berth through /proc/<pid>/exe (the class of
// CVE-2019-5736), and berth does not copy its own 20 MB binary per
// container to get there: berth copies these few hundred bytes.
//
// Usage (by berth only): exec-helper REPORT PATH ARGV0 [ARGS...]
//
// REPORT says where a failed execve of PATH is reported, besides nothing
// else running: "-" nowhere but stderr; "f<fd>" the start-error file of
// `create` (the text, and stderr too, which is the container's); "s<fd>"
// the socket of `berth exec` (one packet berth decodes, see InitMessage:
// kind 8, the errno, PATH as one length-prefixed field; not stderr, where
// berth prints it itself). The report descriptor is made close-on-exec
// first, so that the user's program never inherits it and berth sees it
// close once that program runs.
//
// Built without libc (-nostdlib -static): it must run in any container
// root, with no loader or libc of the host or the image.

typedef unsigned long word;

#if defined(__x86_64__)
enum { SYSCALL_WRITE = 1, SYSCALL_EXECVE = 59, SYSCALL_EXIT = 60, SYSCALL_FCNTL = 72 };
static long syscall3(long number, word a, word b, word c) {
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}
// The kernel starts a process with argc, argv[] and envp[] on the stack.
__asm__(".text\n.global _start\n_start:\n  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call helper_main\n  hlt\n");
#elif defined(__aarch64__)
enum { SYSCALL_WRITE = 64, SYSCALL_EXECVE = 221, SYSCALL_EXIT = 93, SYSCALL_FCNTL = 25 };
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

enum { F_SETFD = 2, FD_CLOEXEC = 1, REPORT_EXEC_FAILED = 8 };

// What strerror says (lowercased, as berth's messages) for the errors
// execve(2) documents; any other is written as its number.
static const char *error_text(long error) {
    switch (error) {
    case 1: return "operation not permitted";
    case 2: return "no such file or directory";
    case 5: return "input/output error";
    case 7: return "argument list too long";
    case 8: return "exec format error";
    case 11: return "resource temporarily unavailable";
    case 12: return "cannot allocate memory";
    case 13: return "permission denied";
    case 14: return "bad address";
    case 20: return "not a directory";
    case 21: return "is a directory";
    case 22: return "invalid argument";
    case 23: return "too many open files in system";
    case 24: return "too many open files";
    case 26: return "text file busy";
    case 36: return "file name too long";
    case 40: return "too many levels of symbolic links";
    case 80: return "accessing a corrupted shared library";
    default: return 0;
    }
}

static long length_of(const char *text) {
    long length = 0;
    while (text[length]) length++;
    return length;
}

static void write_text(long fd, const char *text) { syscall3(SYSCALL_WRITE, (word)fd, (word)text, (word)length_of(text)); }

// "<digits>" of a non-negative number into the end of buffer; returns its start.
static char *decimal(long value, char *end) {
    char *start = end;
    *start = 0;
    do { *--start = (char)('0' + value % 10); value /= 10; } while (value > 0);
    return start;
}

// "exec PATH: TEXT" to fd, in pieces (no buffer to overflow).
static void write_failure(long fd, const char *path, long error) {
    char digits[24];
    const char *text = error_text(error);
    write_text(fd, "exec ");
    write_text(fd, path);
    write_text(fd, ": ");
    if (!text) {
        write_text(fd, "errno ");
        text = decimal(error, digits + sizeof digits - 1);
    }
    write_text(fd, text);
}

// One packet: kind, errno (little endian, as berth's SyncSocket), then PATH
// as a field: its length (4 bytes, little endian) and its bytes.
static void send_failure(long fd, const char *path, long error) {
    static char packet[12 + 4096];
    long length = length_of(path);
    if (length > 4096) length = 4096;
    unsigned long header[3] = {REPORT_EXEC_FAILED, (unsigned long)error, (unsigned long)length};
    for (int field = 0; field < 3; field++)
        for (int byte = 0; byte < 4; byte++) packet[field * 4 + byte] = (char)(header[field] >> (8 * byte));
    for (long i = 0; i < length; i++) packet[12 + i] = path[i];
    syscall3(SYSCALL_WRITE, (word)fd, (word)packet, (word)(12 + length));
}

// The report descriptor from "f<fd>" or "s<fd>"; -1 for "-" or garbage.
static long report_fd(const char *report) {
    long fd = 0;
    if ((report[0] != 'f' && report[0] != 's') || !report[1]) return -1;
    for (const char *digit = report + 1; *digit; digit++) {
        if (*digit < '0' || *digit > '9' || fd > 1000000) return -1;
        fd = fd * 10 + (*digit - '0');
    }
    return fd;
}

__attribute__((noreturn, used)) void helper_main(long *stack) {
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    char **envp = argv + argc + 1;
    if (argc < 4) {
        // Not started by berth: say so (a `#!/proc/self/exe` script in a
        // container reaches it this way), and run nothing.
        write_text(2, "berth: the exec helper runs only the program berth gives it\n");
        for (;;) syscall3(SYSCALL_EXIT, 127, 0, 0);
    }
    long fd = report_fd(argv[1]);
    if (fd >= 0) syscall3(SYSCALL_FCNTL, (word)fd, F_SETFD, FD_CLOEXEC);
    const char *path = argv[2];
    long error = -syscall3(SYSCALL_EXECVE, (word)argv[2], (word)(argv + 3), (word)envp);
    if (fd >= 0 && argv[1][0] == 's') {
        send_failure(fd, path, error);
    } else {
        if (fd >= 0) write_failure(fd, path, error);
        write_text(2, "berth: ");
        write_failure(2, path, error);
        write_text(2, "\n");
    }
    for (;;) syscall3(SYSCALL_EXIT, 127, 0, 0);
}
