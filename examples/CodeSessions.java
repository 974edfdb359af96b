import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.CodeOptions;
import dev.agentkernel.client.CodeResult;
import dev.agentkernel.client.CodeSession;
import dev.agentkernel.client.ResourceLimitException;
import dev.agentkernel.client.SessionStats;
import java.time.Duration;

/**
 * Stateful code sessions: a Python interpreter whose variables survive between calls, an error
 * as a result (not an exception), a timeout that keeps the state, and a bash session. Each
 * session is created by its first execute and deleted when its try block ends.
 */
public class CodeSessions {
    public static void main(String[] args) {
        try (AgentKernel client = AgentKernel.create()) {
            try (CodeSession python = client.codeSession(CodeOptions.defaults().withTemplate("python"))) {
                CodeResult first = python.execute("""
                        import statistics
                        data = [3, 1, 4, 1, 5, 9, 2, 6]
                        """);
                System.out.println("session " + first.sessionId() + " created: " + first.sessionCreated());
                System.out.print("mean: " + python.execute("statistics.mean(data)").stdout()); // the value of the last expression

                CodeResult failed = python.execute("data[100]");
                failed.error().ifPresent(e -> System.out.println("raised " + e.type() + ": " + e.message()));

                CodeResult slow = python.execute("import time; time.sleep(10)", Duration.ofSeconds(1));
                slow.error().ifPresent(e -> System.out.println("timed out: " + e.timedOut()));
                System.out.print("still there: " + python.execute("len(data)").stdout());
            }

            try (CodeSession sh = client.codeSession("bash")) {
                sh.execute("cd /tmp && echo 'hello from bash' > greeting.txt");
                System.out.print(sh.execute("pwd; cat greeting.txt").stdout());
            }

            SessionStats stats = client.sessionStats();
            System.out.println("sessions now: " + stats.activeSessions() + " of " + stats.maxSessions()
                    + ", memory " + stats.memoryAllocatedMb() + " of " + stats.maxTotalMemoryMb() + " MB");
        } catch (ResourceLimitException e) {
            System.err.println("the daemon has no room for another session: " + e.getMessage());
        }
    }
}
