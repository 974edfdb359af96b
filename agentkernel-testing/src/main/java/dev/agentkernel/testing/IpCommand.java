package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code ip} (iproute2) for the network tests' own hosts: network namespaces, veth pairs, addresses. */
public final class IpCommand {

    private IpCommand() {
    }

    /** Runs {@code ip ARGS}; its exit status ({@code -1} after 10 s). */
    public static int run(String... args) throws IOException, InterruptedException {
        return run(new ArrayList<>(), args);
    }

    /** Runs {@code ip ARGS}, adding its output to {@code out}; its exit status ({@code -1} after 10 s). */
    public static int run(List<String> out, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(SandboxHost.onPath("ip").orElseThrow(
                () -> new AssertionError("network tests need ip (apt-get install -y iproute2)")).toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        out.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Runs {@code ip ARGS}; an {@link AssertionError} with its output if it fails. */
    public static void must(String... args) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        if (run(out, args) != 0) {
            throw new AssertionError("ip " + String.join(" ", args) + ": " + out);
        }
    }
}
