package dev.agentkernel.core.run;

import dev.agentkernel.model.OutputStreamKind;

/** Receives a run's progress as it happens. Called from the service's threads; keep it quick. */
public interface RunListener {

    /** The sandbox got its name (first, before anything is created). */
    default void started(String sandboxName) {
    }

    /** A stage was reached: {@code creating}, {@code starting}, {@code executing}. */
    default void stage(String stage) {
    }

    /** Output bytes as produced; the array is only valid during the call. */
    default void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
    }

    /** A listener that ignores everything. */
    static RunListener none() {
        return new RunListener() {
        };
    }
}
