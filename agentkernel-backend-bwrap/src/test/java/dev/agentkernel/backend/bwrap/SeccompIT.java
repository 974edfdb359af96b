package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seccomp filter in a real sandbox, with syscalls called directly (python3 {@code ctypes}, so
 * no libc wrapper picks another syscall): the set-user/group-ID rule against every syscall that
 * can create or chmod a file in a {@code /workspace} that is a host directory ({@code openat2},
 * whose mode lives in a struct the filter cannot read, must fail with ENOSYS, the others with
 * EPERM for a set-id mode, and the host must find no set-id file afterwards), and the denials the
 * syscall review added.
 */
class SeccompIT extends SandboxTestBase {

    /** Prints one line per attempt: its name and {@code ok} or the errno's name. */
    private static final String PROBE = """
            import ctypes, errno, os
            libc = ctypes.CDLL(None, use_errno=True)
            L = ctypes.c_long
            AT_FDCWD = -100
            O_WRONLY, O_CREAT, O_EXCL = 0o1, 0o100, 0o200
            SYS_openat2, SYS_fchmodat2 = 437, 452
            class OpenHow(ctypes.Structure):
                _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]
            def report(name, r):
                e = ctypes.get_errno()
                print(name, "ok" if r >= 0 else errno.errorcode.get(e, e), flush=True)
            os.umask(0)
            how = OpenHow(O_WRONLY | O_CREAT | O_EXCL, 0o4755, 0)
            report("openat2-04755", libc.syscall(L(SYS_openat2), L(AT_FDCWD), b"/workspace/by-openat2",
                                                 ctypes.byref(how), L(ctypes.sizeof(how))))
            how = OpenHow(0, 0, 0)
            report("openat2-plain", libc.syscall(L(SYS_openat2), L(AT_FDCWD), b"/workspace",
                                                 ctypes.byref(how), L(ctypes.sizeof(how))))
            report("openat-04755", libc.syscall(L(257 if os.uname().machine == "x86_64" else 56), L(AT_FDCWD),
                                                b"/workspace/by-openat", L(O_WRONLY | O_CREAT), L(0o4755)))
            fd = os.open("/workspace/plain", os.O_WRONLY | os.O_CREAT, 0o644)
            report("fchmodat2-04755", libc.syscall(L(SYS_fchmodat2), L(AT_FDCWD), b"/workspace/plain", L(0o4755), L(0)))
            report("fchmodat2-02755", libc.syscall(L(SYS_fchmodat2), L(AT_FDCWD), b"/workspace/plain", L(0o2755), L(0)))
            report("chmod-04755", libc.chmod(b"/workspace/plain", 0o4755))
            report("fchmod-04755", libc.fchmod(fd, 0o4755))
            report("mknodat-04755", libc.mknodat(AT_FDCWD, b"/workspace/by-mknodat", 0o100000 | 0o4755, 0))
            report("fchmodat2-0700", libc.syscall(L(SYS_fchmodat2), L(AT_FDCWD), b"/workspace/plain", L(0o700), L(0)))
            print("mode", oct(os.stat("/workspace/plain").st_mode & 0o7777), flush=True)
            """;

    /** The review's additions on x86_64 and aarch64 alike, then x86_64's own ones. */
    private static final String REVIEWED = """
            import ctypes, errno, os
            libc = ctypes.CDLL(None, use_errno=True)
            L = ctypes.c_long
            def report(name, r):
                e = ctypes.get_errno()
                print(name, "ok" if r >= 0 else errno.errorcode.get(e, e), flush=True)
            AF_VSOCK, SOCK_STREAM = 40, 1
            report("socket-vsock", libc.socket(AF_VSOCK, SOCK_STREAM, 0))
            fd = libc.socket(1, SOCK_STREAM, 0)
            report("socket-unix", fd)
            iov = (ctypes.c_uint64 * 2)(0, 4096)
            report("process_madvise", libc.syscall(L(440), L(0), ctypes.byref(iov), L(1), L(8), L(0)))
            report("open_tree_attr", libc.syscall(L(467), L(-100), b"/", L(0), L(0), L(0)))
            if os.uname().machine == "x86_64":
                buf = ctypes.create_string_buffer(16)
                report("modify_ldt", libc.syscall(L(154), L(0), buf, L(16)))
                report("ustat", libc.syscall(L(136), L(0), buf))
                report("sysfs", libc.syscall(L(139), L(3)))
            """;

    @TempDir
    Path project;

    @Test
    void denialsAddedByTheReviewHold() {
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "python3", "-c", REVIEWED);
        assertThat(r.err()).as(r.describe()).doesNotContain("Traceback", "No such file or directory");
        List<String> expected = new ArrayList<>(List.of("socket-vsock EPERM", "socket-unix ok",
                "process_madvise EPERM", "open_tree_attr EPERM"));
        if (System.getProperty("os.arch").equals("amd64")) {
            expected.addAll(List.of("modify_ldt EPERM", "ustat EPERM", "sysfs EPERM"));
        }
        assertThat(r.out().lines().toList()).as(r.describe()).containsExactlyElementsOf(expected);
    }

    @Test
    void noSyscallCreatesOrChmodsASetidFile() throws IOException {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withProfile(Profile.PERMISSIVE).withNetwork(false)
                .withProjectDir(project));
        Result r = sandboxes.run(spec, "python3", "-c", PROBE);

        assertThat(r.err()).as("python3 with ctypes must run in the sandbox (a missing interpreter is a failure, "
                + "not a skip)\n%s", r.describe()).doesNotContain("Traceback", "No such file or directory");
        assertThat(setidFilesIn(project)).as("set-id files the host finds in the sandbox's /workspace\n%s",
                r.describe()).isEmpty();
        assertThat(r.out().lines().toList()).as(r.describe()).containsExactly(
                "openat2-04755 ENOSYS",
                "openat2-plain ENOSYS",
                "openat-04755 EPERM",
                "fchmodat2-04755 EPERM",
                "fchmodat2-02755 EPERM",
                "chmod-04755 EPERM",
                "fchmod-04755 EPERM",
                "mknodat-04755 EPERM",
                "fchmodat2-0700 ok",
                "mode 0o700");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(project.resolve("by-openat2")).as("openat2 must not have created a file").doesNotExist();
    }

    private static List<String> setidFilesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> (mode(f) & 06000) != 0)
                    .map(f -> f.getFileName() + " " + Integer.toOctalString(mode(f)))
                    .toList();
        }
    }

    private static int mode(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:mode");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the mode of " + file, e);
        }
    }
}
