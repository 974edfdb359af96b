package dev.agentkernel.client;

import java.util.Objects;

/**
 * The outcome of one command of {@link AgentKernel#batchRun}, in the order of the request:
 * either it ran (whatever its exit code) or the server could not run it.
 *
 * {@snippet :
 * for (BatchResult r : results) {
 *     switch (r) {
 *         case BatchResult.Completed(RunResult run) -> System.out.print(run.output());
 *         case BatchResult.Failed(String error) -> System.err.println("not run: " + error);
 *     }
 * }
 * }
 */
public sealed interface BatchResult {

    /**
     * The command ran; {@link RunResult#exitCode()} tells how it ended.
     *
     * @param result what it produced
     */
    record Completed(RunResult result) implements BatchResult {
        /** Checks for null. */
        public Completed {
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * The server could not run the command (e.g. an unknown image, no sandbox available).
     *
     * @param error the server's message
     */
    record Failed(String error) implements BatchResult {
        /** Checks for null. */
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
