// CBerth: the cgroup v2 device controller's system calls.
//
// On cgroup v2 the device allow list is an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup. The
// program itself is assembled in Swift (Cgroups/DeviceFilter.swift), which
// can be unit-tested; these wrappers exist only because bpf(2) has no glibc
// wrapper and takes a `union bpf_attr` that Swift should not lay out.
//
// This header does not include <linux/bpf.h>: the constants below are the
// kernel's values, checked by static assertions in device_filter.c.
// Functions return -1 and set errno on failure.
#ifndef BERTH_DEVICE_FILTER_H
#define BERTH_DEVICE_FILTER_H

// The size of one eBPF instruction (struct bpf_insn).
#define BERTH_BPF_INSTRUCTION_SIZE 8U

// bpf(BPF_PROG_ATTACH) attach type and flag (enum bpf_attach_type,
// BPF_F_ALLOW_MULTI).
#define BERTH_BPF_CGROUP_DEVICE 6U
#define BERTH_BPF_F_ALLOW_MULTI 2U

// Loads `count` eBPF instructions as a BPF_PROG_TYPE_CGROUP_DEVICE program
// under a non-GPL license (the program calls no GPL-only helper) and returns
// its fd (close-on-exec). With `log_size` > 0 the verifier writes its
// explanation into `log` (NUL-terminated); a log too small for it makes the
// load fail with ENOSPC, so callers pass one only to explain a failure.
// Async-signal-safe (one system call).
int berth_bpf_prog_load_cgroup_device(const void *insns, unsigned count, char *log, unsigned log_size);

// Attaches the program `prog_fd` to the cgroup directory `target_fd` with
// bpf(BPF_PROG_ATTACH). The attachment holds its own reference, so the
// caller may close `prog_fd` afterwards. Async-signal-safe.
int berth_bpf_prog_attach(int target_fd, int prog_fd, unsigned attach_type, unsigned flags);

#endif
