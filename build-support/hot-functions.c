// hot-functions.c — which functions of a static binary a command runs, in
// the order they first run, across every process the command forks or
// clones (berth's container init is a clone of berth).
//
//   hot-functions SYMBOLS OUT -- BINARY ARGS...
//
// SYMBOLS has a line "HEXADDR NAME" per function of BINARY (see
// scripts/order-file.sh). Each function gets a breakpoint (int3) on its
// first byte; the first time a process reaches one, the name is appended
// to OUT as "root NAME" (the command's own process) or "child NAME" (a
// process it forked or cloned)
// and the byte restored in that process, so each function costs one trap
// per process and the command runs at nearly full speed. A process that
// execs another program is let go: the new image has no breakpoints. When
// the command itself exits, the processes it left running (the container's
// init after `create`) get every breakpoint removed and are let go too.
//
// A development tool for making the linker's symbol order file, not part of
// berth. Only for x86-64 (int3 is one byte, rip points after it).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

struct function {
    uint64_t address;
    char *name;
    unsigned char original; // the byte the breakpoint replaced
    int printed_root, printed_child;
};

static struct function *functions;
static size_t function_count;

// The traced processes still running; few at a time.
static pid_t live[64];
static size_t live_count;

static void add_live(pid_t pid) {
    for (size_t i = 0; i < live_count; i++) if (live[i] == pid) return;
    if (live_count < sizeof live / sizeof *live) live[live_count++] = pid;
}

static void remove_live(pid_t pid) {
    for (size_t i = 0; i < live_count; i++) {
        if (live[i] == pid) { live[i] = live[--live_count]; return; }
    }
}

static int by_address(const void *a, const void *b) {
    uint64_t x = ((const struct function *)a)->address, y = ((const struct function *)b)->address;
    return x < y ? -1 : x > y;
}

static void load_symbols(const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) { perror(path); exit(2); }
    size_t capacity = 0;
    char line[8192];
    while (fgets(line, sizeof line, file)) {
        char *space = strchr(line, ' ');
        if (!space) continue;
        *space = 0;
        char *name = space + 1;
        name[strcspn(name, "\n")] = 0;
        if (function_count == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            functions = realloc(functions, capacity * sizeof *functions);
        }
        functions[function_count++] = (struct function){strtoull(line, NULL, 16), strdup(name), 0, 0, 0};
    }
    fclose(file);
    qsort(functions, function_count, sizeof *functions, by_address);
}

static struct function *function_at(uint64_t address) {
    size_t low = 0, high = function_count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (functions[middle].address < address) low = middle + 1;
        else high = middle;
    }
    return low < function_count && functions[low].address == address ? &functions[low] : NULL;
}

// Replaces the byte at `address` in process `pid`; returns the old byte.
static unsigned char poke_byte(pid_t pid, uint64_t address, unsigned char byte) {
    errno = 0;
    long word = ptrace(PTRACE_PEEKTEXT, pid, (void *)address, NULL);
    if (errno) { perror("PTRACE_PEEKTEXT"); exit(2); }
    unsigned char old = (unsigned char)(word & 0xff);
    word = (word & ~0xffL) | byte;
    if (ptrace(PTRACE_POKETEXT, pid, (void *)address, (void *)word) < 0) { perror("PTRACE_POKETEXT"); exit(2); }
    return old;
}

// Puts back every byte a breakpoint replaced, in a stopped process.
static void remove_breakpoints(pid_t pid) {
    for (size_t i = 0; i < function_count; i++) {
        if (i > 0 && functions[i].address == functions[i - 1].address) continue;
        poke_byte(pid, functions[i].address, functions[i].original);
    }
}

int main(int argc, char **argv) {
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: %s SYMBOLS OUT -- BINARY ARGS...\n", argv[0]);
        return 2;
    }
    load_symbols(argv[1]);
    FILE *out = fopen(argv[2], "ae");
    if (!out) { perror(argv[2]); return 2; }

    pid_t root = fork();
    if (root == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        raise(SIGSTOP);
        execv(argv[4], argv + 4);
        perror(argv[4]);
        _exit(127);
    }
    int status;
    waitpid(root, &status, 0);
    ptrace(PTRACE_SETOPTIONS, root, NULL,
           (void *)(long)(PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                          PTRACE_O_TRACEEXEC));
    ptrace(PTRACE_CONT, root, NULL, NULL);
    waitpid(root, &status, 0);
    if (!WIFSTOPPED(status) || status >> 16 != PTRACE_EVENT_EXEC) {
        fprintf(stderr, "hot-functions: %s did not start\n", argv[4]);
        return 2;
    }
    for (size_t i = 0; i < function_count; i++) {
        // Aliases share an address: the first one armed keeps the real byte.
        if (i > 0 && functions[i].address == functions[i - 1].address) functions[i].original = functions[i - 1].original;
        else functions[i].original = poke_byte(root, functions[i].address, 0xcc);
    }
    ptrace(PTRACE_CONT, root, NULL, NULL);
    add_live(root);

    int exit_code = 0;
    int root_exited = 0;
    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) break; // ECHILD: every traced process is gone
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            remove_live(pid);
            if (pid == root) {
                exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                root_exited = 1;
                // What is left outlives the command: stop it to let it go.
                for (size_t i = 0; i < live_count; i++) kill(live[i], SIGSTOP);
            }
            continue;
        }
        int signal = WSTOPSIG(status), event = status >> 16;
        if (event == PTRACE_EVENT_EXEC) {
            remove_live(pid);
            ptrace(PTRACE_DETACH, pid, NULL, NULL);
            continue;
        }
        if (event != 0) {
            // A fork or clone: the new process is traced from its first stop.
            ptrace(PTRACE_CONT, pid, NULL, NULL);
            continue;
        }
        if (signal == SIGSTOP) {
            if (root_exited) {
                remove_breakpoints(pid);
                remove_live(pid);
                ptrace(PTRACE_DETACH, pid, NULL, NULL);
                continue;
            }
            // A new process's first stop (berth sends itself no SIGSTOP).
            add_live(pid);
            ptrace(PTRACE_CONT, pid, NULL, NULL);
            continue;
        }
        if (signal == SIGTRAP) {
            struct user_regs_struct regs;
            ptrace(PTRACE_GETREGS, pid, NULL, &regs);
            struct function *hit = function_at(regs.rip - 1);
            if (hit) {
                // Every alias of the address is named: the linker may know it
                // by any. function_at gives the first of them.
                struct function *end = hit;
                while (end < functions + function_count && end->address == hit->address) end++;
                for (struct function *alias = hit; alias < end; alias++) {
                    int *printed = pid == root ? &alias->printed_root : &alias->printed_child;
                    if (!*printed) fprintf(out, "%s %s\n", pid == root ? "root" : "child", alias->name);
                    *printed = 1;
                }
                poke_byte(pid, hit->address, hit->original);
                regs.rip -= 1;
                ptrace(PTRACE_SETREGS, pid, NULL, &regs);
                ptrace(PTRACE_CONT, pid, NULL, NULL);
                continue;
            }
        }
        ptrace(PTRACE_CONT, pid, NULL, (void *)(long)signal);
    }
    fclose(out);
    return exit_code;
}
