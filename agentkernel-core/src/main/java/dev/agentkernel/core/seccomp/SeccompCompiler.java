package dev.agentkernel.core.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compiles a {@link SeccompPolicy} into a classic-BPF seccomp program: the raw
 * {@code struct sock_filter} array that {@code bwrap --seccomp FD} reads and installs.
 *
 * <p>Program shape: check {@code seccomp_data.arch} (anything else is killed, which also stops
 * 32-bit {@code int 0x80} syscalls on x86_64); load the syscall number; on x86_64 refuse x32
 * numbers; fail every number above {@link SeccompArch#highestKnownSyscall()} with ENOSYS (a
 * syscall a newer kernel adds is closed until it is reviewed, and libc treats it as absent);
 * then one compare-and-return pair per denied syscall; then the {@code clone3}, {@code clone},
 * {@code ioctl} and {@code socket} argument checks; then the set-user/group-ID mode checks of
 * chmod/creat/open/mknod and their variants, with {@code openat2} failing with ENOSYS; finally
 * allow. Every jump is forward and at most a few instructions long, so the 8-bit jump offsets
 * never overflow.
 */
public final class SeccompCompiler {
    /** Kernel limit on classic-BPF program length ({@code BPF_MAXINSNS}). */
    static final int MAX_INSTRUCTIONS = 4096;

    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_ALLOW = 0x7fff0000;
    static final int EPERM = 1;
    static final int ENOSYS = 38;

    static final int OFFSET_NR = 0;
    static final int OFFSET_ARCH = 4;
    static final int OFFSET_ARGS = 16;

    static final int X32_SYSCALL_BIT = 0x40000000;
    static final int CLONE_NAMESPACE_FLAGS = 0x00020000 // CLONE_NEWNS
            | 0x02000000  // CLONE_NEWCGROUP
            | 0x04000000  // CLONE_NEWUTS
            | 0x08000000  // CLONE_NEWIPC
            | 0x10000000  // CLONE_NEWUSER
            | 0x20000000  // CLONE_NEWPID
            | 0x40000000; // CLONE_NEWNET
    /** S_ISUID | S_ISGID. */
    static final int SETID_MODE_BITS = 06000;
    /** Syscalls that set a file mode, and the index of their mode argument. */
    static final List<Map.Entry<String, Integer>> MODE_ARGUMENTS = List.of(
            Map.entry("chmod", 1), Map.entry("fchmod", 1), Map.entry("fchmodat", 2), Map.entry("fchmodat2", 2),
            Map.entry("creat", 1), Map.entry("open", 2), Map.entry("openat", 3),
            Map.entry("mknod", 1), Map.entry("mknodat", 2));
    /**
     * Syscalls that can create a file with a mode the filter cannot inspect, so they fail with
     * ENOSYS and callers fall back to one whose mode it can: {@code openat2} (Linux 5.6) takes
     * its flags and mode in a {@code struct open_how}, which classic BPF cannot dereference.
     * Its users (systemd, runc's filepath-securejoin, libpathrs) fall back to {@code openat} on
     * ENOSYS, as on kernels before 5.6; libc's {@code open} never calls it.
     */
    static final List<String> MODE_UNINSPECTABLE = List.of("openat2");
    static final int TIOCSTI = 0x5412;
    static final int TIOCLINUX = 0x541C;
    /**
     * {@code AF_VSOCK}: vsock sockets are not confined by network namespaces, so a sandbox without
     * network could still reach the hypervisor host or other guests (Docker's profile refuses them too).
     */
    static final int AF_VSOCK = 40;

    private SeccompCompiler() {
    }

    /**
     * Compiles the policy for one architecture.
     *
     * @param policy what to deny
     * @param arch   architecture the filter will run on; syscalls it does not have are skipped
     * @return the program as little-endian {@code struct sock_filter} entries, 8 bytes each
     * @throws IllegalStateException if the program would exceed the kernel's 4096-instruction limit
     */
    public static byte[] compile(SeccompPolicy policy, SeccompArch arch) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(arch, "arch");
        List<BpfInstruction> program = new ArrayList<>();

        program.add(BpfInstruction.loadWord(OFFSET_ARCH));
        program.add(BpfInstruction.jumpIfEqual(arch.auditArch(), 1, 0));
        program.add(BpfInstruction.ret(RET_KILL_PROCESS));
        program.add(BpfInstruction.loadWord(OFFSET_NR));
        if (arch.hasX32Abi()) {
            program.add(BpfInstruction.jumpIfAtLeast(X32_SYSCALL_BIT, 0, 1));
            program.add(BpfInstruction.ret(errno(EPERM)));
        }
        program.add(BpfInstruction.jumpIfAtLeast(arch.highestKnownSyscall() + 1, 0, 1));
        program.add(BpfInstruction.ret(errno(ENOSYS)));
        for (int nr : deniedNumbers(policy, arch)) {
            program.add(BpfInstruction.jumpIfEqual(nr, 0, 1));
            program.add(BpfInstruction.ret(errno(EPERM)));
        }
        if (policy.denyNamespaceCreation()) {
            addNamespaceChecks(program, arch);
        }
        addIoctlCheck(program, arch);
        addSocketFamilyCheck(program, arch);
        addSetidModeChecks(program, arch);
        program.add(BpfInstruction.ret(RET_ALLOW));

        if (program.size() >= MAX_INSTRUCTIONS) {
            throw new IllegalStateException("seccomp program has " + program.size()
                    + " instructions; the kernel accepts fewer than " + MAX_INSTRUCTIONS);
        }
        return encode(program);
    }

    /** Returns the seccomp action that fails a syscall with {@code errno}. */
    static int errno(int errno) {
        return RET_ERRNO | (errno & 0xFFFF);
    }

    private static TreeSet<Integer> deniedNumbers(SeccompPolicy policy, SeccompArch arch) {
        TreeSet<Integer> numbers = new TreeSet<>();
        for (String name : policy.deniedSyscalls()) {
            arch.syscallNumber(name).ifPresent(numbers::add);
        }
        return numbers;
    }

    /** {@code clone3} → ENOSYS; {@code clone} with a CLONE_NEW* flag in arg0 → EPERM, else allow. */
    private static void addNamespaceChecks(List<BpfInstruction> program, SeccompArch arch) {
        arch.syscallNumber("clone3").ifPresent(nr -> {
            program.add(BpfInstruction.jumpIfEqual(nr, 0, 1));
            program.add(BpfInstruction.ret(errno(ENOSYS)));
        });
        arch.syscallNumber("clone").ifPresent(nr -> {
            program.add(BpfInstruction.jumpIfEqual(nr, 0, 4));
            program.add(BpfInstruction.loadWord(argLow32(0)));
            program.add(BpfInstruction.jumpIfAnyBit(CLONE_NAMESPACE_FLAGS, 0, 1));
            program.add(BpfInstruction.ret(errno(EPERM)));
            program.add(BpfInstruction.ret(RET_ALLOW));
        });
    }

    /** {@code ioctl} with request TIOCSTI or TIOCLINUX in arg1 → EPERM, else allow. */
    private static void addIoctlCheck(List<BpfInstruction> program, SeccompArch arch) {
        arch.syscallNumber("ioctl").ifPresent(nr -> {
            program.add(BpfInstruction.jumpIfEqual(nr, 0, 5));
            program.add(BpfInstruction.loadWord(argLow32(1)));
            program.add(BpfInstruction.jumpIfEqual(TIOCSTI, 1, 0));
            program.add(BpfInstruction.jumpIfEqual(TIOCLINUX, 0, 1));
            program.add(BpfInstruction.ret(errno(EPERM)));
            program.add(BpfInstruction.ret(RET_ALLOW));
        });
    }

    /** {@code socket} with address family AF_VSOCK in arg0 → EPERM, else allow. */
    private static void addSocketFamilyCheck(List<BpfInstruction> program, SeccompArch arch) {
        arch.syscallNumber("socket").ifPresent(nr -> {
            program.add(BpfInstruction.jumpIfEqual(nr, 0, 4));
            program.add(BpfInstruction.loadWord(argLow32(0)));
            program.add(BpfInstruction.jumpIfEqual(AF_VSOCK, 0, 1));
            program.add(BpfInstruction.ret(errno(EPERM)));
            program.add(BpfInstruction.ret(RET_ALLOW));
        });
    }

    /**
     * Refuses (EPERM) to create or chmod a file with the set-user-ID or set-group-ID bit, as
     * systemd's {@code RestrictSUIDSGID=} does. Sandboxed code runs as uid 0 of the host's
     * user namespace without capabilities; without this rule it could leave a setuid-root
     * program in a host directory mounted read-write (the permissive profile's /workspace).
     * Syscalls whose mode the filter cannot read ({@link #MODE_UNINSPECTABLE}) fail with ENOSYS.
     */
    private static void addSetidModeChecks(List<BpfInstruction> program, SeccompArch arch) {
        for (String name : MODE_UNINSPECTABLE) {
            arch.syscallNumber(name).ifPresent(nr -> {
                program.add(BpfInstruction.jumpIfEqual(nr, 0, 1));
                program.add(BpfInstruction.ret(errno(ENOSYS)));
            });
        }
        for (Map.Entry<String, Integer> call : MODE_ARGUMENTS) {
            arch.syscallNumber(call.getKey()).ifPresent(nr -> {
                program.add(BpfInstruction.jumpIfEqual(nr, 0, 4));
                program.add(BpfInstruction.loadWord(argLow32(call.getValue())));
                program.add(BpfInstruction.jumpIfAnyBit(SETID_MODE_BITS, 0, 1));
                program.add(BpfInstruction.ret(errno(EPERM)));
                program.add(BpfInstruction.ret(RET_ALLOW));
            });
        }
    }

    /** Offset of the low 32 bits of syscall argument {@code index} (both arches are little-endian). */
    private static int argLow32(int index) {
        return OFFSET_ARGS + 8 * index;
    }

    private static byte[] encode(List<BpfInstruction> program) {
        ByteBuffer buffer = ByteBuffer.allocate(program.size() * BpfInstruction.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (BpfInstruction instruction : program) {
            instruction.writeTo(buffer);
        }
        return buffer.array();
    }
}
