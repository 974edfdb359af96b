package dev.agentkernel.core.task;

import dev.agentkernel.agent.OutputSink;
import java.util.function.BooleanSupplier;

/** Runs one attempt of a task, to its end. */
@FunctionalInterface
public interface TaskRunner {

    /**
     * Runs {@code spec}'s code with its timeout, its output to {@code output} as it is produced.
     *
     * @param cancelled polled while the task runs; true: kill it and answer {@link TaskOutcome.Cancelled}
     * @throws InterruptedException if the calling thread is interrupted (the task is then killed)
     */
    TaskOutcome run(TaskSpec spec, OutputSink output, BooleanSupplier cancelled) throws InterruptedException;
}
