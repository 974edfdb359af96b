package dev.agentkernel.core.seccomp;

import dev.agentkernel.model.SandboxFailureException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A CPU architecture / syscall ABI a seccomp filter can be compiled for. Each constant knows the
 * kernel's {@code AUDIT_ARCH_*} value (what the kernel puts in {@code seccomp_data.arch}) and the
 * numbers of the syscalls AgentKernel policies name.
 */
public enum SeccompArch {
    /** 64-bit x86 ({@code AUDIT_ARCH_X86_64}); also has the x32 ABI, which filters must reject. */
    X86_64(0xC000003E, "x86_64", true, X86_64SyscallTable.NUMBERS),
    /** 64-bit little-endian ARM ({@code AUDIT_ARCH_AARCH64}). */
    AARCH64(0xC00000B7, "aarch64", false, Aarch64SyscallTable.NUMBERS);

    private final int auditArch;
    private final String kernelName;
    private final boolean hasX32Abi;
    private final Map<String, Integer> syscalls;
    private final int highestKnownSyscall;

    SeccompArch(int auditArch, String kernelName, boolean hasX32Abi, Map<String, Integer> syscalls) {
        this.auditArch = auditArch;
        this.kernelName = kernelName;
        this.hasX32Abi = hasX32Abi;
        this.syscalls = syscalls;
        this.highestKnownSyscall = Collections.max(syscalls.values());
    }

    /**
     * Returns the architecture this JVM runs on, from the {@code os.arch} system property.
     *
     * @return the current architecture
     * @throws SandboxFailureException if seccomp filters cannot be compiled for this architecture
     */
    public static SeccompArch current() {
        return fromOsArch(System.getProperty("os.arch", ""));
    }

    /** Maps an {@code os.arch} value to an architecture, or throws if it is not supported. */
    static SeccompArch fromOsArch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> throw new SandboxFailureException("seccomp filtering is not supported on CPU architecture '"
                    + osArch + "'; supported architectures are x86_64 (amd64) and aarch64");
        };
    }

    /**
     * Returns the kernel's {@code AUDIT_ARCH_*} constant for this architecture.
     *
     * @return the value the kernel reports in {@code seccomp_data.arch}
     */
    public int auditArch() {
        return auditArch;
    }

    /**
     * Returns the architecture name as the kernel spells it ({@code x86_64}, {@code aarch64}).
     *
     * @return the lower-case kernel name
     */
    public String kernelName() {
        return kernelName;
    }

    /**
     * Tells whether the kernel also accepts x32-ABI syscalls (numbers with bit 30 set) under this
     * architecture's {@code AUDIT_ARCH} value, so a filter must reject them explicitly.
     *
     * @return {@code true} for x86_64
     */
    public boolean hasX32Abi() {
        return hasX32Abi;
    }

    /**
     * Looks up a syscall's number on this architecture.
     *
     * @param name syscall name as in the kernel headers, e.g. {@code "mount"}
     * @return its number, or empty if this architecture has no such syscall or it is not in the table
     */
    public OptionalInt syscallNumber(String name) {
        Integer number = syscalls.get(name);
        return number == null ? OptionalInt.empty() : OptionalInt.of(number);
    }

    /**
     * Returns the whole syscall table of this architecture.
     *
     * @return an unmodifiable map from syscall name to number
     */
    public Map<String, Integer> syscallTable() {
        return syscalls;
    }

    /**
     * Returns the highest syscall number this architecture's table knows: the newest syscall
     * reviewed for AgentKernel's policies. Compiled filters fail every higher number with
     * {@code ENOSYS}, so a syscall a newer kernel adds stays closed until it is reviewed.
     *
     * @return the largest number in {@link #syscallTable()}
     */
    public int highestKnownSyscall() {
        return highestKnownSyscall;
    }

    /**
     * Tells whether any supported architecture knows a syscall of this name.
     *
     * @param name syscall name
     * @return {@code true} if at least one architecture's table has it
     */
    public static boolean isKnownSyscall(String name) {
        for (SeccompArch arch : values()) {
            if (arch.syscalls.containsKey(name)) {
                return true;
            }
        }
        return false;
    }
}
