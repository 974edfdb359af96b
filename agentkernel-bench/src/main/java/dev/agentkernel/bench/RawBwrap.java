package dev.agentkernel.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw bubblewrap next to AgentKernel: shell quoting, and the process that runs it. The arguments themselves come
 * from the backend ({@code IsolationBackend.commandLine}), so the baseline runs exactly the same isolation.
 */
final class RawBwrap {

    /** Only what is needed to hand bwrap the seccomp filter on fd 3 (the backend's launch script minus the cgroup). */
    static final String LAUNCH = "exec \"$@\" 3<\"$AK_SECCOMP\"";
    private static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

    private RawBwrap() {
    }

    /** Quotes a word for {@code /bin/sh}. */
    static String shellQuote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * {@code /bin/sh -c 'exec "$@" 3<"$AK_SECCOMP"' sh <bwrapArgv…>} with a cleared environment (PATH and the
     * filter's path only), stdin from /dev/null, stdout a pipe, stderr discarded: the way the backend starts bwrap,
     * without its cgroup.
     */
    static ProcessBuilder process(List<String> bwrapArgv, Path seccompFilter) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCH, "sh"));
        command.addAll(bwrapArgv);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", PATH);
        pb.environment().put("AK_SECCOMP", seccompFilter.toString());
        return pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
    }
}
