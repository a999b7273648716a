// CBerth: the few things Swift cannot do itself.
//
// Every exported function carries the prefix `berth_` and says whether it is
// async-signal-safe, because some of them run in the container's init between
// clone and execve, where only async-signal-safe calls are allowed while the
// parent may have other threads.
#ifndef BERTH_H
#define BERTH_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

// Build identity. The Makefile passes -DBERTH_COMMIT="<git hash>"; a plain
// `swift build` gets "unknown". Async-signal-safe (returns a constant).
const char *berth_commit(void);

// The version of the libseccomp we run against (not the one we built with).
// Not async-signal-safe (libseccomp may allocate on first use).
void berth_libseccomp_version(unsigned *major, unsigned *minor, unsigned *micro);


// ---- Process creation --------------------------------------------------
//
// All functions below are thin system-call wrappers: they touch no global
// state of glibc and are async-signal-safe unless a comment says otherwise.

// Creates a child process like fork(), in the namespaces named by `flags`
// (CLONE_NEW*), and returns 0 in the child and its pid in the parent, or -1
// with errno. With `cgroup_fd` >= 0 the child starts inside that cgroup
// (clone3 CLONE_INTO_CGROUP), so it never runs outside it.
// The child shares no memory with the parent (no CLONE_VM), so it may run
// Swift code afterwards as long as the parent had a single thread.
// Async-signal-safe.
pid_t berth_clone(uint64_t flags, int cgroup_fd);

// Starts `path` with `argv` and `envp` in a new process (for lifecycle
// hooks) whose stdin, stdout and stderr are `stdin_fd`, `stdout_fd` and
// `stderr_fd`, which holds no other descriptor (close_range from 3), has an
// empty signal mask and every signal at its default action, and whose
// working directory is `directory` unless that is NULL. Returns the child's
// pid, or -1 with errno, including the child's own failure (chdir, execve).
// The child is made with the classic clone system call (CLONE_VM |
// CLONE_VFORK, as posix_spawn does) and never clone3: glibc's posix_spawn
// tries clone3 first and falls back only on ENOSYS, so a seccomp profile
// answering clone3 with EPERM would make every spawn fail. The parent is
// suspended until the child has executed or failed.
// Not async-signal-safe in the parent (it changes the signal mask around
// the clone); the child makes only async-signal-safe calls.
pid_t berth_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                  int stderr_fd, const char *directory);

// pivot_root(2), which has no glibc wrapper. Async-signal-safe.
int berth_pivot_root(const char *new_root, const char *put_old);

// prctl(2) without varargs, which Swift cannot call. Async-signal-safe.
int berth_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);

// setns(2)/unshare(2) as raw system calls. Async-signal-safe.
int berth_setns(int fd, int nstype);
int berth_unshare(int flags);

// Credential changes as raw system calls, so that glibc's "set on every
// thread" machinery (setxid broadcast) is never involved in a process made
// by berth_clone, whose glibc thread bookkeeping is the parent's copy.
// Async-signal-safe.
int berth_setresuid(uid_t ruid, uid_t euid, uid_t suid);
int berth_setresgid(gid_t rgid, gid_t egid, gid_t sgid);
int berth_setgroups(size_t count, const gid_t *groups);

// capset(2) with the 64-bit (version 3) layout: bit N of each mask is
// capability N. Async-signal-safe.
int berth_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);

// Gives the calling process a new session keyring with that name, so the
// container does not share the caller's keys (keyctl(2)
// KEYCTL_JOIN_SESSION_KEYRING). Async-signal-safe.
int berth_join_session_keyring(const char *name);

// ---- Scheduling and memory placement -----------------------------------

// sched_setattr(2) on the calling thread: policy, flags, nice, priority and
// the SCHED_DEADLINE runtime/deadline/period in nanoseconds.
// Async-signal-safe.
int berth_sched_setattr(uint32_t policy, uint64_t flags, int32_t nice, uint32_t priority,
                        uint64_t runtime, uint64_t deadline, uint64_t period);

// ioprio_set(2) for the calling process: class (1 RT, 2 BE, 3 IDLE) and
// level. Async-signal-safe.
int berth_ioprio_set(int io_class, int level);

// sched_setaffinity(2) of the calling thread from a CPU bit mask of
// `length` bytes. Async-signal-safe.
int berth_sched_setaffinity(const uint8_t *mask, size_t length);

// set_mempolicy(2): mode (with its MPOL_F_* flags) and a node bit mask of
// `max_node` bits. Async-signal-safe.
int berth_set_mempolicy(int mode, const unsigned long *nodes, unsigned long max_node);

// personality(2). Async-signal-safe.
int berth_personality(unsigned long persona);

// The f_type of the file system holding `path` (statfs(2)), or -1.
// Async-signal-safe.
int64_t berth_filesystem_type(const char *path);
// The same for an open descriptor (fstatfs(2)). Async-signal-safe.
int64_t berth_fd_filesystem_type(int fd);
// The id of the mount an open descriptor's file is on (statx(2)
// STATX_MNT_ID), or 0 where the kernel does not say (before 5.8).
// Async-signal-safe (a raw system call).
uint64_t berth_fd_mount_id(int fd);

// ---- Paths inside a root ----------------------------------------------

// openat2(2) with RESOLVE_* flags: with RESOLVE_IN_ROOT every symlink and
// ".." is resolved as if `dirfd` were "/", so no path can leave the rootfs.
// Async-signal-safe.
int berth_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

// mount_setattr(2): recursive mount attributes (rro, rnosuid, idmap, ...).
// Async-signal-safe.
int berth_mount_setattr(int dirfd, const char *path, unsigned int flags,
                        uint64_t attr_set, uint64_t attr_clr, uint64_t propagation, uint64_t userns_fd);

// open_tree(2) with OPEN_TREE_CLONE: a detached copy of the mount (tree,
// with `recursive`) at `path`, close-on-exec. Async-signal-safe.
int berth_open_tree_clone(const char *path, int recursive);
// move_mount(2) of a detached mount `fd` onto the file or directory that
// the descriptor `target` names (move_mount does not follow the magic links
// of /proc/self/fd, so the descriptor is passed itself). Async-signal-safe.
int berth_move_mount(int fd, int target);

// close_range(2). Async-signal-safe.
int berth_close_range(unsigned int first, unsigned int last, unsigned int flags);

// renameat2(2) with RENAME_NOREPLACE: fails with EEXIST rather than
// replacing `to` (not even an empty directory). Async-signal-safe.
int berth_rename_noreplace(const char *from, const char *to);

// A close-on-exec memfd that accepts seals, and sealing it against any
// further change (write, grow, shrink, more seals). Async-signal-safe.
int berth_memfd_create_sealable(const char *name);
int berth_memfd_seal(int fd);

// execveat(2) of `fd` itself (AT_EMPTY_PATH). Returns only on failure.
// Async-signal-safe.
int berth_execveat(int fd, char *const argv[], char *const envp[]);

// ---- Terminals and descriptor passing ---------------------------------

// Makes `fd` the controlling terminal of the calling session (TIOCSCTTY).
// Async-signal-safe.
int berth_set_controlling_terminal(int fd);
// Sets a terminal's size (TIOCSWINSZ). Async-signal-safe.
int berth_set_window_size(int fd, unsigned short rows, unsigned short columns);
// A close-on-exec signalfd for the (already blocked) signals in `mask`,
// and the next signal number read from one (-1 on error). Async-signal-safe.
int berth_signalfd(const sigset_t *mask);
int berth_signalfd_read(int fd);

// Reads a terminal's size (TIOCGWINSZ). Async-signal-safe.
int berth_get_window_size(int fd, unsigned short *rows, unsigned short *columns);
// Unlocks a pty master and opens its peer (TIOCSPTLCK, TIOCGPTPEER), so the
// slave is found through the master rather than by a path in /dev/pts.
// Returns the peer's fd or -1. Async-signal-safe.
int berth_open_pty_peer(int master, int flags);

// Sends `fd` over a unix socket with SCM_RIGHTS, with `payload` as the
// message's data (conmon and containerd expect the terminal's name).
// Async-signal-safe.
int berth_send_fd(int socket, int fd, const char *payload, size_t length);
// pidfd_open(2): a descriptor that names the process for good (no pid
// reuse), close-on-exec. Async-signal-safe.
int berth_pidfd_open(pid_t pid);

// Receives one fd sent by berth_send_fd; returns it or -1. Async-signal-safe.
int berth_receive_fd(int socket);

#endif
