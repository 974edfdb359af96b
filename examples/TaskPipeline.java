import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.TaskInfo;
import dev.agentkernel.client.TaskManager;
import dev.agentkernel.client.TaskOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A data-processing pipeline of background tasks that hand their files on through the daemon's
 * shared /workspace: one task writes a CSV of ROWS rows (default 1,000,000), five tasks sum a
 * fifth of it each by category, in parallel, and a last task adds up their results. Python's
 * standard library only (csv, json).
 *
 *   examples/run.sh TaskPipeline.java [ROWS]
 */
public class TaskPipeline {
    static final int CHUNKS = 5;

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int chunk = (rows + CHUNKS - 1) / CHUNKS;
        // A directory of its own in the shared workspace, so that runs at the same time do not collide.
        String dir = "/workspace/pipeline-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

        try (AgentKernel client = AgentKernel.create();
             TaskManager manager = client.taskManager(TaskOptions.defaults().withTimeout(Duration.ofMinutes(5)))) {
            // Stage 1: the data (here generated: category and amount of each row).
            String load = manager.dispatchTask("""
                    import csv, os
                    os.makedirs('%s', exist_ok=True)
                    categories = ['books', 'games', 'music', 'tools']
                    with open('%s/data.csv', 'w', newline='') as f:
                        w = csv.writer(f)
                        w.writerow(['id', 'category', 'amount'])
                        for i in range(%d):
                            w.writerow([i, categories[i %% 4], (i * 37) %% 101])
                    print(f'Loaded {%d} rows')
                    """.formatted(dir, dir, rows, rows));
            System.out.print("stage 1: " + check(manager.waitForTask(load)).output());

            // Stage 2: five chunks at once, each in its own sandbox.
            List<String> tasks = new ArrayList<>();
            for (int i = 0; i < CHUNKS; i++) {
                tasks.add(manager.dispatchTask("""
                        import csv, itertools, json
                        totals, n = {}, 0
                        with open('%s/data.csv', newline='') as f:
                            for row in itertools.islice(csv.DictReader(f), %d, %d):
                                totals[row['category']] = totals.get(row['category'], 0) + int(row['amount'])
                                n += 1
                        with open('%s/chunk_%d.json', 'w') as out:
                            json.dump(totals, out)
                        print(f'Processed chunk %d: {n} rows')
                        """.formatted(dir, i * chunk, Math.min(rows, (i + 1) * chunk), dir, i, i)));
            }
            for (String task : tasks) {
                System.out.print("stage 2: " + check(manager.waitForTask(task)).output());
            }

            // Stage 3: the totals of the chunks; then the directory goes.
            String aggregate = manager.dispatchTask("""
                    import json, shutil
                    final = {}
                    for i in range(%d):
                        with open(f'%s/chunk_{i}.json') as f:
                            for category, total in json.load(f).items():
                                final[category] = final.get(category, 0) + total
                    shutil.rmtree('%s')
                    for category in sorted(final):
                        print(f'{category:<8} {final[category]:>12}')
                    """.formatted(CHUNKS, dir, dir));
            System.out.println("stage 3: totals by category");
            System.out.print(check(manager.waitForTask(aggregate)).output());
        }
    }

    /** The task if it completed; otherwise its error, and exit 1. */
    static TaskInfo check(TaskInfo task) {
        if (!task.completed()) {
            System.err.println(task.taskId() + " " + task.status().id() + ": " + task.error().orElse(""));
            System.exit(1);
        }
        return task;
    }
}
