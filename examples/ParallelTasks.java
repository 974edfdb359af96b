import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.TaskInfo;
import dev.agentkernel.client.TaskManager;
import dev.agentkernel.client.TaskStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Concurrent tasks, fire and collect: five tasks dispatched at once, one per ticker, each
 * simulating a year of a price in its own sandbox (a seeded random walk of 1,000,000 steps,
 * in whole cents), then collected with a timeout. The daemon runs up to five tasks at once by
 * default; more would wait in its queue.
 *
 *   examples/run.sh ParallelTasks.java
 */
public class ParallelTasks {
    public static void main(String[] args) {
        List<String> tickers = List.of("AAPL", "GOOGL", "MSFT", "AMZN", "TSLA");
        try (AgentKernel client = AgentKernel.create(); TaskManager manager = client.taskManager()) {
            long start = System.nanoTime();
            Map<String, String> tasks = new LinkedHashMap<>();
            for (String ticker : tickers) {
                tasks.put(ticker, manager.dispatchTask("""
                        import json
                        ticker = '%s'
                        x = int.from_bytes(ticker.encode(), 'big') %% 2**31
                        price = high = low = 10000
                        for step in range(1000000):
                            x = (1103515245 * x + 12345) %% 2**31
                            price = max(100, price + x %% 401 - 200)
                            high, low = max(high, price), min(low, price)
                        print(json.dumps({'ticker': ticker, 'last': price, 'high': high, 'low': low}))
                        """.formatted(ticker)));
            }
            System.out.println("dispatched " + tasks.size() + " tasks: " + String.join(" ", tasks.values()));

            Map<String, String> results = new LinkedHashMap<>();
            for (Map.Entry<String, String> task : tasks.entrySet()) {
                TaskInfo result = manager.waitForTask(task.getValue(), Duration.ofSeconds(30));
                if (result.status() == TaskStatus.COMPLETED) {
                    results.put(task.getKey(), result.output().strip());
                } else {
                    System.err.println(task.getKey() + ": " + result.status().id() + " " + result.error().orElse(""));
                }
            }
            results.forEach((ticker, json) -> System.out.println(ticker + " " + json));
            System.out.printf("%d of %d completed in %.1f s%n", results.size(), tickers.size(),
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
