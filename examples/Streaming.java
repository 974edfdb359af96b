import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.EventStream;
import dev.agentkernel.client.StreamEvent;
import java.util.List;

/**
 * Streams a command's output as it is produced. Leaving the loop early (closing the stream)
 * makes the daemon kill the command.
 */
public class Streaming {
    public static void main(String[] args) {
        List<String> command = List.of("sh", "-c", "for i in 1 2 3 4 5; do echo step $i; sleep 0.5; done; echo done >&2");
        try (AgentKernel client = AgentKernel.create();
             EventStream events = client.runStream(command)) {
            for (StreamEvent event : events) {
                switch (event) {
                    case StreamEvent.Started s -> System.out.println("[started in " + s.sandbox() + "]");
                    case StreamEvent.Progress p -> System.out.println("[" + p.stage() + "]");
                    case StreamEvent.Output o -> System.out.print((o.stderr() ? "err: " : "out: ") + o.text());
                    case StreamEvent.Done d -> System.out.println("[exit code " + d.exitCode() + "]");
                    case StreamEvent.Error e -> System.out.println("[failed: " + e.message() + "]");
                }
            }
        }

        // Stop after the first two lines: the rest of the command never runs.
        try (AgentKernel client = AgentKernel.create();
             var events = client.runStream(List.of("sh", "-c", "while :; do echo tick; sleep 0.2; done")).stream()) {
            events.filter(StreamEvent.Output.class::isInstance)
                    .limit(2)
                    .forEach(e -> System.out.print("endless: " + ((StreamEvent.Output) e).text()));
        }
        System.out.println("closed early; the daemon killed the endless command");
    }
}
