package example;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.CodeOptions;
import dev.agentkernel.client.CodeResult;
import dev.agentkernel.client.ExecOptions;
import dev.agentkernel.client.RunResult;
import dev.agentkernel.client.SandboxInfo;
import dev.agentkernel.client.SandboxOptions;
import dev.agentkernel.client.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The SDK from a Java 17 project: a run, a sandbox's life (create, exec, files, remove) through the
 * grouped sub-client, a code session, and a refused request. The daemon's URL and key come from
 * AGENTKERNEL_BASE_URL and AGENTKERNEL_API_KEY. Exits non-zero when anything is not as expected.
 */
public final class Main {

    private static int failures;

    public static void main(String[] args) {
        System.out.println("java " + System.getProperty("java.version"));
        try (AgentKernel client = AgentKernel.create()) {
            check("health", "ok".equals(client.health()), client.health());

            RunResult run = client.run("sh", "-c", "echo hello from java 17");
            check("run", run.stdout().equals("hello from java 17\n") && run.exitCode() == 0, run);

            String name = "java17-example";
            SandboxInfo box = client.sandboxes().create(name, SandboxOptions.defaults().withMemoryMb(256));
            try {
                check("sandboxes().create", box.name().equals(name) && box.vcpus() >= 1, box);
                RunResult exec = client.sandboxes().exec(name, List.of("sh", "-c", "echo 6x7 | wc -c"),
                        ExecOptions.defaults());
                check("sandboxes().exec", exec.stdout().strip().equals("4"), exec);
                client.sandboxes().write(name, "/workspace/bytes.bin", new byte[] {0, 1, 2, (byte) 255});
                byte[] back = client.sandboxes().read(name, "/workspace/bytes.bin");
                check("sandboxes().write/read bytes", back.length == 4 && (back[3] & 0xff) == 255, back.length);
            } finally {
                client.sandboxes().remove(name);
            }
            check("sandboxes().remove", client.sandboxes().list().stream().noneMatch(s -> s.name().equals(name)), name);

            CodeResult first = client.sessions().execute("x = 40", CodeOptions.defaults());
            String session = first.sessionId();
            CodeResult second = client.sessions().execute("print(x + 2)", CodeOptions.defaults().withSessionId(session));
            check("sessions().execute keeps state", second.stdout().equals("42\n"), second);
            client.sessions().delete(session);

            try {
                client.run(List.of());
                check("an empty command is refused", false, "no exception");
            } catch (ValidationException e) {
                check("an empty command is refused", e.status() == 400, e);
            }
            check("text is UTF-8", "é".getBytes(StandardCharsets.UTF_8).length == 2, "");
        }
        System.out.println(failures == 0 ? "java17-sdk example: all checks passed"
                : "java17-sdk example: " + failures + " checks failed");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void check(String what, boolean ok, Object detail) {
        System.out.println((ok ? "ok - " : "not ok - ") + what + (ok ? "" : ": " + detail));
        if (!ok) {
            failures++;
        }
    }
}
