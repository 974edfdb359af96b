package dev.agentkernel.core.backend;

import dev.agentkernel.model.OutputStreamKind;
import java.io.InputStream;
import java.util.Objects;

/**
 * Where a command's standard streams go.
 *
 * @param stdin  source of standard input
 * @param stdout destination of standard output
 * @param stderr destination of standard error
 */
public record Stdio(Input stdin, Output stdout, Output stderr) {

    /** Validates. */
    public Stdio {
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        requireNoStderrPipe(stderr);
    }

    /** The calling process's own streams (the CLI's case: zero copies, binary-safe). */
    public static Stdio inherit() {
        return new Stdio(new Input.Inherit(), new Output.Inherit(), new Output.Inherit());
    }

    /**
     * Standard input and output as pipes the caller drives (see {@link Execution#stdinPipe()}),
     * standard error to {@code stderr}.
     */
    public static Stdio pipes(OutputSink stderr) {
        return new Stdio(new Input.Pipe(), new Output.Pipe(), new Output.To(stderr));
    }

    /** Validates that only standard output is a {@link Output.Pipe}. */
    private static void requireNoStderrPipe(Output stderr) {
        if (stderr instanceof Output.Pipe) {
            throw new IllegalArgumentException("standard error cannot be a pipe the caller reads");
        }
    }

    /** No input; both outputs delivered to {@code sink} as they are produced. */
    public static Stdio capture(OutputSink sink) {
        return new Stdio(new Input.Empty(), new Output.To(sink), new Output.To(sink));
    }

    /** Where standard input comes from. */
    public sealed interface Input {
        /** The caller's standard input. */
        record Inherit() implements Input {
        }

        /** End of file at once. */
        record Empty() implements Input {
        }

        /**
         * A pipe the caller writes itself, through {@link Execution#stdinPipe()} (for a
         * long-lived process that speaks a protocol, such as the in-sandbox agent).
         */
        record Pipe() implements Input {
        }

        /** Copied from a stream, closed at its end. */
        record From(InputStream source) implements Input {
            /** Validates. */
            public From {
                Objects.requireNonNull(source, "source");
            }
        }
    }

    /** Where an output stream goes. */
    public sealed interface Output {
        /** The caller's own stream. */
        record Inherit() implements Output {
        }

        /** Thrown away. */
        record Discard() implements Output {
        }

        /** A pipe the caller reads itself, through {@link Execution#stdoutPipe()} (stdout only). */
        record Pipe() implements Output {
        }

        /** Delivered chunk by chunk, as produced, to a sink. */
        record To(OutputSink sink) implements Output {
            /** Validates. */
            public To {
                Objects.requireNonNull(sink, "sink");
            }
        }
    }

    /**
     * Receives output as it is produced. Called from one thread per stream; the array is
     * only valid during the call. Both streams may call concurrently.
     */
    @FunctionalInterface
    public interface OutputSink {
        /** Receives {@code length} bytes of {@code stream} starting at {@code offset}. */
        void accept(OutputStreamKind stream, byte[] bytes, int offset, int length);
    }
}
