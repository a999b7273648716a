// Pins berth_constants.h to the system's headers: a constant copied wrong
// fails the build here instead of misbehaving at run time. (<sys/mount.h>
// and <linux/mount.h> cannot share a translation unit with glibc 2.36, so
// MOUNT_ATTR_* are checked in linux.c.)
#define _GNU_SOURCE  // ST_NODEV, ST_NOEXEC
#include "berth_constants.h"

#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

_Static_assert(BERTH_MS_RDONLY == MS_RDONLY, "MS_RDONLY");
_Static_assert(BERTH_MS_NOSUID == MS_NOSUID, "MS_NOSUID");
_Static_assert(BERTH_MS_NODEV == MS_NODEV, "MS_NODEV");
_Static_assert(BERTH_MS_NOEXEC == MS_NOEXEC, "MS_NOEXEC");
_Static_assert(BERTH_MS_SYNCHRONOUS == MS_SYNCHRONOUS, "MS_SYNCHRONOUS");
_Static_assert(BERTH_MS_REMOUNT == MS_REMOUNT, "MS_REMOUNT");
_Static_assert(BERTH_MS_MANDLOCK == MS_MANDLOCK, "MS_MANDLOCK");
_Static_assert(BERTH_MS_DIRSYNC == MS_DIRSYNC, "MS_DIRSYNC");
_Static_assert(BERTH_MS_NOSYMFOLLOW == MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW");
_Static_assert(BERTH_MS_NOATIME == MS_NOATIME, "MS_NOATIME");
_Static_assert(BERTH_MS_NODIRATIME == MS_NODIRATIME, "MS_NODIRATIME");
_Static_assert(BERTH_MS_BIND == MS_BIND, "MS_BIND");
_Static_assert(BERTH_MS_MOVE == MS_MOVE, "MS_MOVE");
_Static_assert(BERTH_MS_REC == MS_REC, "MS_REC");
_Static_assert(BERTH_MS_SILENT == MS_SILENT, "MS_SILENT");
_Static_assert(BERTH_MS_UNBINDABLE == MS_UNBINDABLE, "MS_UNBINDABLE");
_Static_assert(BERTH_MS_PRIVATE == MS_PRIVATE, "MS_PRIVATE");
_Static_assert(BERTH_MS_SLAVE == MS_SLAVE, "MS_SLAVE");
_Static_assert(BERTH_MS_SHARED == MS_SHARED, "MS_SHARED");
_Static_assert(BERTH_MS_RELATIME == MS_RELATIME, "MS_RELATIME");
_Static_assert(BERTH_MS_I_VERSION == MS_I_VERSION, "MS_I_VERSION");
_Static_assert(BERTH_MS_STRICTATIME == MS_STRICTATIME, "MS_STRICTATIME");
_Static_assert(BERTH_MS_LAZYTIME == MS_LAZYTIME, "MS_LAZYTIME");

_Static_assert(BERTH_PR_SET_PDEATHSIG == PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG");
_Static_assert(BERTH_PR_SET_DUMPABLE == PR_SET_DUMPABLE, "PR_SET_DUMPABLE");
_Static_assert(BERTH_PR_SET_KEEPCAPS == PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS");
_Static_assert(BERTH_PR_CAPBSET_DROP == PR_CAPBSET_DROP, "PR_CAPBSET_DROP");
_Static_assert(BERTH_PR_SET_NO_NEW_PRIVS == PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS");
_Static_assert(BERTH_PR_CAP_AMBIENT == PR_CAP_AMBIENT, "PR_CAP_AMBIENT");
_Static_assert(BERTH_PR_CAP_AMBIENT_RAISE == PR_CAP_AMBIENT_RAISE, "PR_CAP_AMBIENT_RAISE");

_Static_assert(BERTH_ST_RDONLY == ST_RDONLY, "ST_RDONLY");
_Static_assert(BERTH_ST_NOSUID == ST_NOSUID, "ST_NOSUID");
_Static_assert(BERTH_ST_NODEV == ST_NODEV, "ST_NODEV");
_Static_assert(BERTH_ST_NOEXEC == ST_NOEXEC, "ST_NOEXEC");
_Static_assert(BERTH_ST_NOATIME == ST_NOATIME, "ST_NOATIME");
_Static_assert(BERTH_ST_NODIRATIME == ST_NODIRATIME, "ST_NODIRATIME");
_Static_assert(BERTH_ST_RELATIME == ST_RELATIME, "ST_RELATIME");
#ifdef ST_NOSYMFOLLOW
_Static_assert(BERTH_ST_NOSYMFOLLOW == ST_NOSYMFOLLOW, "ST_NOSYMFOLLOW");
#endif
