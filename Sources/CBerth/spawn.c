// berth_spawn: starting a lifecycle hook without posix_spawn. See berth.h
// for why (clone3), and for what the child is given.
#define _GNU_SOURCE
#include "berth.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct spawn_request {
    const char *path;
    char *const *argv;
    char *const *envp;
    int stdio[3];
    const char *directory;
    // Set by the child when a step fails. The child shares this memory
    // and the parent is suspended until it has executed or exited, so the
    // parent reads it only after the child is done with it.
    volatile int error;
};

// Every descriptor from 3 on. Without close_range (before Linux 5.9, or
// refused by a seccomp profile) every number below the descriptor limit.
static void close_from_three(void) {
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
    struct rlimit limit;
    long end = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) end = (long)limit.rlim_cur;
    for (long fd = 3; fd < end; fd++) close((int)fd);
}

// Runs in the child, on its own stack, in the parent's memory: only
// async-signal-safe calls, and it never returns.
static int spawn_child(void *argument) {
    struct spawn_request *request = argument;
    // A handler of the parent's would run in the parent's memory: every
    // signal goes back to its default before any is unblocked.
    struct sigaction default_action = { .sa_handler = SIG_DFL };
    for (int signal_number = 1; signal_number < _NSIG; signal_number++) {
        if (signal_number != SIGKILL && signal_number != SIGSTOP) sigaction(signal_number, &default_action, NULL);
    }
    // Moved above 2 first, so that placing one cannot overwrite another
    // that happens to be numbered 0, 1 or 2.
    int moved[3];
    for (int target = 0; target < 3; target++) {
        moved[target] = fcntl(request->stdio[target], F_DUPFD_CLOEXEC, 3);
        if (moved[target] < 0) goto failed;
    }
    for (int target = 0; target < 3; target++) {
        if (dup2(moved[target], target) < 0) goto failed;
    }
    close_from_three();
    if (request->directory && chdir(request->directory) != 0) goto failed;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(request->path, request->argv, request->envp);
failed:
    request->error = errno;
    _exit(127);
}

pid_t berth_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                  int stderr_fd, const char *directory) {
    struct spawn_request request = {
        .path = path, .argv = argv, .envp = envp, .stdio = { stdin_fd, stdout_fd, stderr_fd },
        .directory = directory, .error = 0,
    };
    // The child's stack lives in this frame: with CLONE_VFORK this call
    // does not return before the child has executed or exited.
    char stack[64 * 1024] __attribute__((aligned(16)));
    sigset_t all, previous;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &previous);
    pid_t pid = clone(spawn_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &request);
    int clone_error = errno;
    sigprocmask(SIG_SETMASK, &previous, NULL);
    if (pid < 0) {
        errno = clone_error;
        return -1;
    }
    if (request.error != 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        errno = request.error;
        return -1;
    }
    return pid;
}
