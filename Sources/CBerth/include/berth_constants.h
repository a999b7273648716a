// Kernel constants that Swift's Glibc module does not export (macros, or
// enum members of headers Swift does not import). LinuxSystem builds its
// typed option sets from these, and constants.c checks each against the
// system's own header with _Static_assert, so a wrong number cannot build.
#ifndef BERTH_CONSTANTS_H
#define BERTH_CONSTANTS_H

// mount(2) flags (<sys/mount.h>).
#define BERTH_MS_RDONLY      1UL
#define BERTH_MS_NOSUID      2UL
#define BERTH_MS_NODEV       4UL
#define BERTH_MS_NOEXEC      8UL
#define BERTH_MS_SYNCHRONOUS 16UL
#define BERTH_MS_REMOUNT     32UL
#define BERTH_MS_MANDLOCK    64UL
#define BERTH_MS_DIRSYNC     128UL
#define BERTH_MS_NOSYMFOLLOW 256UL
#define BERTH_MS_NOATIME     1024UL
#define BERTH_MS_NODIRATIME  2048UL
#define BERTH_MS_BIND        4096UL
#define BERTH_MS_MOVE        8192UL
#define BERTH_MS_REC         16384UL
#define BERTH_MS_SILENT      32768UL
#define BERTH_MS_UNBINDABLE  (1UL << 17)
#define BERTH_MS_PRIVATE     (1UL << 18)
#define BERTH_MS_SLAVE       (1UL << 19)
#define BERTH_MS_SHARED      (1UL << 20)
#define BERTH_MS_RELATIME    (1UL << 21)
#define BERTH_MS_I_VERSION   (1UL << 23)
#define BERTH_MS_STRICTATIME (1UL << 24)
#define BERTH_MS_LAZYTIME    (1UL << 25)

// mount_setattr(2) attributes (<linux/mount.h>).
#define BERTH_MOUNT_ATTR_RDONLY      0x00000001ULL
#define BERTH_MOUNT_ATTR_NOSUID      0x00000002ULL
#define BERTH_MOUNT_ATTR_NODEV       0x00000004ULL
#define BERTH_MOUNT_ATTR_NOEXEC      0x00000008ULL
#define BERTH_MOUNT_ATTR__ATIME      0x00000070ULL
#define BERTH_MOUNT_ATTR_NOATIME     0x00000010ULL
#define BERTH_MOUNT_ATTR_STRICTATIME 0x00000020ULL
#define BERTH_MOUNT_ATTR_NODIRATIME  0x00000080ULL
#define BERTH_MOUNT_ATTR_IDMAP       0x00100000ULL
#define BERTH_MOUNT_ATTR_NOSYMFOLLOW 0x00200000ULL

// prctl(2) options (<sys/prctl.h>).
#define BERTH_PR_SET_PDEATHSIG      1
#define BERTH_PR_SET_DUMPABLE       4
#define BERTH_PR_SET_KEEPCAPS       8
#define BERTH_PR_CAPBSET_DROP       24
#define BERTH_PR_SET_NO_NEW_PRIVS   38
#define BERTH_PR_CAP_AMBIENT        47
#define BERTH_PR_CAP_AMBIENT_RAISE  2UL

// statvfs(3) f_flag bits (<sys/statvfs.h>).
#define BERTH_ST_RDONLY 1UL
#define BERTH_ST_NOSUID 2UL
#define BERTH_ST_NODEV  4UL
#define BERTH_ST_NOEXEC 8UL
#define BERTH_ST_NOATIME    1024UL
#define BERTH_ST_NODIRATIME 2048UL
#define BERTH_ST_RELATIME   4096UL
// The kernel's (include/linux/statfs.h); glibc 2.36 has no name for it.
#define BERTH_ST_NOSYMFOLLOW 0x2000UL

#endif
