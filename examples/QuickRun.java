import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.AgentKernelException;
import dev.agentkernel.client.Profile;
import dev.agentkernel.client.RunOptions;
import dev.agentkernel.client.RunResult;
import java.time.Duration;
import java.util.List;

/**
 * Runs commands in fresh temporary sandboxes: the simplest use of the client.
 * The daemon's URL and key come from AGENTKERNEL_BASE_URL and AGENTKERNEL_API_KEY.
 */
public class QuickRun {
    public static void main(String[] args) {
        try (AgentKernel client = AgentKernel.create()) {
            System.out.println("daemon: " + client.health());

            RunResult hello = client.run("python3", "-c", "print(1 + 1)");
            System.out.print("python says: " + hello.output()); // "2\n", byte for byte

            // Options: a security profile, a time limit and environment variables.
            RunResult limited = client.run(List.of("sh", "-c", "echo \"$GREETING\"; sleep 5"), RunOptions.defaults()
                    .withProfile(Profile.RESTRICTIVE)
                    .withTimeout(Duration.ofSeconds(1))
                    .withEnv("GREETING", "hello from a restricted sandbox"));
            System.out.print(limited.stdout());
            System.out.println("exit code " + limited.exitCode() + " (" + limited.reason().orElse("normal exit") + ")");

            // A failing command is a result, not an exception.
            RunResult failing = client.run("sh", "-c", "echo oops >&2; exit 3");
            System.out.println("stderr: " + failing.stderr().strip() + ", exit code " + failing.exitCode());

            // What the server refuses is an exception, typed by its HTTP status.
            try {
                client.run(List.of());
            } catch (AgentKernelException e) {
                System.out.println("refused: " + e); // ValidationException (HTTP 400): command must not be empty...
            }
        }
    }
}
