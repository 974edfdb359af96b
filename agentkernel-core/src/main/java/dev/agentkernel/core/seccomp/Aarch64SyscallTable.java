package dev.agentkernel.core.seccomp;

import java.util.Map;

/**
 * Syscall numbers for the aarch64 ABI (the generic table), taken from
 * {@code /usr/include/asm-generic/unistd.h} and, for calls newer than those headers, the kernel's
 * {@code scripts/syscall.tbl}. Holds the syscalls some policy or rule names and, from
 * {@link GenericSyscallTable}, every syscall from 424 (numbers shared by all architectures) to
 * the newest one reviewed. Legacy calls aarch64 never had
 * ({@code create_module}, {@code iopl}, {@code ioperm}, {@code uselib}, {@code _sysctl},
 * {@code get_kernel_syms}, {@code query_module}, {@code modify_ldt}, {@code ustat},
 * {@code sysfs}) are absent.
 */
final class Aarch64SyscallTable {
    /** Syscall name to number: this architecture's own, then {@link GenericSyscallTable}'s. */
    static final Map<String, Integer> NUMBERS = GenericSyscallTable.with(Map.ofEntries(
            Map.entry("lookup_dcookie", 18),
            Map.entry("ioctl", 29),
            Map.entry("mknodat", 33),
            Map.entry("umount2", 39),
            Map.entry("mount", 40),
            Map.entry("pivot_root", 41),
            Map.entry("nfsservctl", 42),
            Map.entry("chroot", 51),
            Map.entry("fchmod", 52),
            Map.entry("fchmodat", 53),
            Map.entry("openat", 56),
            Map.entry("vhangup", 58),
            Map.entry("quotactl", 60),
            Map.entry("acct", 89),
            Map.entry("unshare", 97),
            Map.entry("kexec_load", 104),
            Map.entry("init_module", 105),
            Map.entry("delete_module", 106),
            Map.entry("clock_settime", 112),
            Map.entry("syslog", 116),
            Map.entry("ptrace", 117),
            Map.entry("reboot", 142),
            Map.entry("settimeofday", 170),
            Map.entry("adjtimex", 171),
            Map.entry("socket", 198),
            Map.entry("add_key", 217),
            Map.entry("request_key", 218),
            Map.entry("keyctl", 219),
            Map.entry("clone", 220),
            Map.entry("swapon", 224),
            Map.entry("swapoff", 225),
            Map.entry("perf_event_open", 241),
            Map.entry("name_to_handle_at", 264),
            Map.entry("open_by_handle_at", 265),
            Map.entry("clock_adjtime", 266),
            Map.entry("setns", 268),
            Map.entry("process_vm_readv", 270),
            Map.entry("process_vm_writev", 271),
            Map.entry("kcmp", 272),
            Map.entry("finit_module", 273),
            Map.entry("bpf", 280),
            Map.entry("userfaultfd", 282),
            Map.entry("kexec_file_load", 294)));

    private Aarch64SyscallTable() {
    }
}
