import dev.agentkernel.client.AsyncAgentKernel;
import dev.agentkernel.client.BatchCommand;
import dev.agentkernel.client.BatchResult;
import dev.agentkernel.client.RunResult;
import dev.agentkernel.client.SandboxOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/** The async client: many runs at once, a batch, and a sandbox that removes itself. */
public class AsyncBatch {
    public static void main(String[] args) {
        try (AsyncAgentKernel client = AsyncAgentKernel.create()) {
            // Independent runs, in parallel.
            List<CompletableFuture<RunResult>> runs = IntStream.rangeClosed(1, 5)
                    .mapToObj(i -> client.run("python3", "-c", "print(" + i + " ** 2)"))
                    .toList();
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
            runs.forEach(r -> System.out.print("square: " + r.join().output()));

            // One request, each command in its own sandbox, results in order.
            List<BatchResult> batch = client.batchRun(List.of(
                    BatchCommand.of("echo", "first"),
                    BatchCommand.of("sh", "-c", "echo second; exit 2"))).join();
            for (BatchResult result : batch) {
                switch (result) {
                    case BatchResult.Completed(RunResult run) ->
                            System.out.print("batch: exit " + run.exitCode() + ", " + run.output());
                    case BatchResult.Failed(String error) -> System.out.println("batch: not run: " + error);
                }
            }

            // The async form of try-with-resources: the sandbox is removed when the chain completes.
            String name = "async-example-" + ProcessHandle.current().pid();
            String out = client.withSandbox(name, SandboxOptions.defaults(), sandbox ->
                    sandbox.writeFile("/tmp/greeting.txt", "hello from " + name + "\n")
                            .thenCompose(v -> sandbox.run(List.of("cat", "/tmp/greeting.txt")))
                            .thenApply(RunResult::output))
                    .join();
            System.out.print(out);
        }
    }
}
