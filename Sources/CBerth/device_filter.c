// bpf(2) for the cgroup v2 device controller. See berth_device_filter.h.
#define _GNU_SOURCE
#include "berth_device_filter.h"

#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(BERTH_BPF_INSTRUCTION_SIZE == sizeof(struct bpf_insn), "struct bpf_insn");
_Static_assert(BERTH_BPF_CGROUP_DEVICE == BPF_CGROUP_DEVICE, "BPF_CGROUP_DEVICE");
_Static_assert(BERTH_BPF_F_ALLOW_MULTI == BPF_F_ALLOW_MULTI, "BPF_F_ALLOW_MULTI");

// The kernel demands "GPL" only from programs that call GPL-only helpers;
// a device filter calls none (runc loads its filter as "Apache").
static const char license[] = "Apache-2.0";

int berth_bpf_prog_load_cgroup_device(const void *insns, unsigned count, char *log, unsigned log_size) {
    union bpf_attr attr;
    // The kernel rejects a bpf_attr whose unused tail is not zero.
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = count;
    attr.license = (uint64_t)(uintptr_t)license;
    if (log != NULL && log_size > 0) {
        log[0] = '\0';
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = log_size;
        attr.log_level = 1;
    }
    return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

int berth_bpf_prog_attach(int target_fd, int prog_fd, unsigned attach_type, unsigned flags) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)target_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = attach_type;
    attr.attach_flags = flags;
    return (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr));
}
