// Thin system-call wrappers for what Swift cannot call itself: calls glibc
// does not wrap (pivot_root, clone3, openat2, mount_setattr, close_range),
// variadic ones (prctl, ioctl) and ones needing cmsg macros (SCM_RIGHTS).
#define _GNU_SOURCE
#include "berth.h"
#include "berth_constants.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/vfs.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

_Static_assert(BERTH_MOUNT_ATTR_RDONLY == MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY");
_Static_assert(BERTH_MOUNT_ATTR_NOSUID == MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID");
_Static_assert(BERTH_MOUNT_ATTR_NODEV == MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV");
_Static_assert(BERTH_MOUNT_ATTR_NOEXEC == MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC");
_Static_assert(BERTH_MOUNT_ATTR__ATIME == MOUNT_ATTR__ATIME, "MOUNT_ATTR__ATIME");
_Static_assert(BERTH_MOUNT_ATTR_NOATIME == MOUNT_ATTR_NOATIME, "MOUNT_ATTR_NOATIME");
_Static_assert(BERTH_MOUNT_ATTR_STRICTATIME == MOUNT_ATTR_STRICTATIME, "MOUNT_ATTR_STRICTATIME");
_Static_assert(BERTH_MOUNT_ATTR_NODIRATIME == MOUNT_ATTR_NODIRATIME, "MOUNT_ATTR_NODIRATIME");
_Static_assert(BERTH_MOUNT_ATTR_IDMAP == MOUNT_ATTR_IDMAP, "MOUNT_ATTR_IDMAP");
_Static_assert(BERTH_MOUNT_ATTR_NOSYMFOLLOW == MOUNT_ATTR_NOSYMFOLLOW, "MOUNT_ATTR_NOSYMFOLLOW");

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

pid_t berth_clone(uint64_t flags, int cgroup_fd) {
    struct clone_args args;
    memset(&args, 0, sizeof(args));
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    long pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
        // Kernels before 5.3 have no clone3: the classic clone with no new
        // stack behaves like fork in the child.
        pid = syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), NULL, NULL, NULL, 0UL);
    }
    return (pid_t)pid;
}

int berth_pivot_root(const char *new_root, const char *put_old) {
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int berth_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5) {
    return prctl(option, arg2, arg3, arg4, arg5);
}

int berth_setns(int fd, int nstype) { return (int)syscall(SYS_setns, fd, nstype); }
int berth_unshare(int flags) { return (int)syscall(SYS_unshare, flags); }

int berth_setresuid(uid_t ruid, uid_t euid, uid_t suid) { return (int)syscall(SYS_setresuid, ruid, euid, suid); }
int berth_setresgid(gid_t rgid, gid_t egid, gid_t sgid) { return (int)syscall(SYS_setresgid, rgid, egid, sgid); }
int berth_setgroups(size_t count, const gid_t *groups) { return (int)syscall(SYS_setgroups, count, groups); }

int berth_join_session_keyring(const char *name) {
    return (int)syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name);
}

int berth_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)effective;
    data[1].effective = (uint32_t)(effective >> 32);
    data[0].permitted = (uint32_t)permitted;
    data[1].permitted = (uint32_t)(permitted >> 32);
    data[0].inheritable = (uint32_t)inheritable;
    data[1].inheritable = (uint32_t)(inheritable >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

int berth_sched_setattr(uint32_t policy, uint64_t flags, int32_t nice, uint32_t priority,
                        uint64_t runtime, uint64_t deadline, uint64_t period) {
    // struct sched_attr as in linux/sched/types.h (size 56 with the
    // util-clamp fields, which berth leaves at 0).
    struct {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
        uint32_t sched_util_min, sched_util_max;
    } attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.sched_policy = policy;
    attr.sched_flags = flags;
    attr.sched_nice = nice;
    attr.sched_priority = priority;
    attr.sched_runtime = runtime;
    attr.sched_deadline = deadline;
    attr.sched_period = period;
    return (int)syscall(SYS_sched_setattr, 0, &attr, 0);
}

int berth_ioprio_set(int io_class, int level) {
    return (int)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (io_class << 13) | level);
}

int berth_sched_setaffinity(const uint8_t *mask, size_t length) {
    return (int)syscall(SYS_sched_setaffinity, 0, length, mask);
}

int berth_set_mempolicy(int mode, const unsigned long *nodes, unsigned long max_node) {
    return (int)syscall(SYS_set_mempolicy, mode, nodes, max_node);
}

int64_t berth_filesystem_type(const char *path) {
    struct statfs info;
    return statfs(path, &info) == 0 ? (int64_t)info.f_type : -1;
}

int64_t berth_fd_filesystem_type(int fd) {
    struct statfs info;
    return fstatfs(fd, &info) == 0 ? (int64_t)info.f_type : -1;
}

uint64_t berth_fd_mount_id(int fd) {
    struct statx info;
    if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &info) != 0) return 0;
    return (info.stx_mask & STATX_MNT_ID) ? info.stx_mnt_id : 0;
}

int berth_personality(unsigned long persona) {
    return (int)syscall(SYS_personality, persona);
}

int berth_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int berth_mount_setattr(int dirfd, const char *path, unsigned int flags,
                        uint64_t attr_set, uint64_t attr_clr, uint64_t propagation, uint64_t userns_fd) {
    struct mount_attr attr = {
        .attr_set = attr_set, .attr_clr = attr_clr, .propagation = propagation, .userns_fd = userns_fd,
    };
    return (int)syscall(SYS_mount_setattr, dirfd, path, flags, &attr, sizeof(attr));
}

int berth_open_tree_clone(const char *path, int recursive) {
    unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
    return (int)syscall(SYS_open_tree, AT_FDCWD, path, flags);
}

int berth_move_mount(int fd, int target) {
    return (int)syscall(SYS_move_mount, fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int berth_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(SYS_close_range, first, last, flags);
}

int berth_rename_noreplace(const char *from, const char *to) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

int berth_memfd_create_sealable(const char *name) {
    return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

int berth_memfd_seal(int fd) {
    return fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
}

int berth_execveat(int fd, char *const argv[], char *const envp[]) {
    return (int)syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
}

int berth_set_controlling_terminal(int fd) { return ioctl(fd, TIOCSCTTY, 0); }

int berth_set_window_size(int fd, unsigned short rows, unsigned short columns) {
    struct winsize size = { .ws_row = rows, .ws_col = columns };
    return ioctl(fd, TIOCSWINSZ, &size);
}

int berth_signalfd(const sigset_t *mask) {
    return signalfd(-1, mask, SFD_CLOEXEC);
}

int berth_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t count;
    do { count = read(fd, &info, sizeof(info)); } while (count < 0 && errno == EINTR);
    return count == (ssize_t)sizeof(info) ? (int)info.ssi_signo : -1;
}

int berth_get_window_size(int fd, unsigned short *rows, unsigned short *columns) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *rows = size.ws_row;
    *columns = size.ws_col;
    return 0;
}

int berth_open_pty_peer(int master, int flags) {
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) != 0) return -1;
    return ioctl(master, TIOCGPTPEER, flags);
}

int berth_send_fd(int socket, int fd, const char *payload, size_t length) {
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    char empty = 0;
    struct iovec data = { .iov_base = length ? (void *)payload : &empty, .iov_len = length ? length : 1 };
    struct msghdr message = {
        .msg_iov = &data, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control),
    };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    ssize_t sent;
    do { sent = sendmsg(socket, &message, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    return sent < 0 ? -1 : 0;
}

int berth_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int berth_receive_fd(int socket) {
    char control[CMSG_SPACE(sizeof(int))];
    char buffer[4096];
    struct iovec data = { .iov_base = buffer, .iov_len = sizeof(buffer) };
    struct msghdr message = {
        .msg_iov = &data, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control),
    };
    ssize_t received;
    do { received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); } while (received < 0 && errno == EINTR);
    if (received < 0) return -1;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (!header || header->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(header), sizeof(int));
    return fd;
}
