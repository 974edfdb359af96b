package dev.agentkernel.core.seccomp;

import java.util.Map;

/**
 * Syscall numbers for the x86_64 (64-bit) ABI, taken from
 * {@code /usr/include/x86_64-linux-gnu/asm/unistd_64.h} and, for calls newer than those headers,
 * the kernel's {@code arch/x86/entry/syscalls/syscall_64.tbl}. Holds the syscalls some policy or
 * rule names, the x86_64-only {@code uretprobe} (335, Linux 6.11), and, from {@link GenericSyscallTable},
 * every syscall from 424 (numbers shared by all architectures) to the newest one reviewed.
 */
final class X86_64SyscallTable {
    /** Syscall name to number: this architecture's own, then {@link GenericSyscallTable}'s. */
    static final Map<String, Integer> NUMBERS = GenericSyscallTable.with(Map.ofEntries(
            Map.entry("open", 2),
            Map.entry("ioctl", 16),
            Map.entry("socket", 41),
            Map.entry("clone", 56),
            Map.entry("creat", 85),
            Map.entry("chmod", 90),
            Map.entry("fchmod", 91),
            Map.entry("ptrace", 101),
            Map.entry("syslog", 103),
            Map.entry("mknod", 133),
            Map.entry("uselib", 134),
            Map.entry("ustat", 136),
            Map.entry("sysfs", 139),
            Map.entry("vhangup", 153),
            Map.entry("modify_ldt", 154),
            Map.entry("pivot_root", 155),
            Map.entry("_sysctl", 156),
            Map.entry("adjtimex", 159),
            Map.entry("chroot", 161),
            Map.entry("acct", 163),
            Map.entry("settimeofday", 164),
            Map.entry("mount", 165),
            Map.entry("umount2", 166),
            Map.entry("swapon", 167),
            Map.entry("swapoff", 168),
            Map.entry("reboot", 169),
            Map.entry("iopl", 172),
            Map.entry("ioperm", 173),
            Map.entry("create_module", 174),
            Map.entry("init_module", 175),
            Map.entry("delete_module", 176),
            Map.entry("get_kernel_syms", 177),
            Map.entry("query_module", 178),
            Map.entry("quotactl", 179),
            Map.entry("nfsservctl", 180),
            Map.entry("lookup_dcookie", 212),
            Map.entry("clock_settime", 227),
            Map.entry("kexec_load", 246),
            Map.entry("add_key", 248),
            Map.entry("request_key", 249),
            Map.entry("keyctl", 250),
            Map.entry("openat", 257),
            Map.entry("mknodat", 259),
            Map.entry("fchmodat", 268),
            Map.entry("unshare", 272),
            Map.entry("perf_event_open", 298),
            Map.entry("name_to_handle_at", 303),
            Map.entry("open_by_handle_at", 304),
            Map.entry("clock_adjtime", 305),
            Map.entry("setns", 308),
            Map.entry("process_vm_readv", 310),
            Map.entry("process_vm_writev", 311),
            Map.entry("kcmp", 312),
            Map.entry("finit_module", 313),
            Map.entry("kexec_file_load", 320),
            Map.entry("bpf", 321),
            Map.entry("userfaultfd", 323),
            Map.entry("uretprobe", 335)));

    private X86_64SyscallTable() {
    }
}
