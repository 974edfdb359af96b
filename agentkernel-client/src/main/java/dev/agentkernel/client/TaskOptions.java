package dev.agentkernel.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a background task runs ({@link AgentKernel#dispatchTask}, {@link TaskManager}). Immutable;
 * start from {@link #defaults()} and change with the {@code with...} methods:
 *
 * {@snippet :
 * TaskOptions options = TaskOptions.defaults()
 *         .withTemplate("python")
 *         .withTimeout(Duration.ofMinutes(10))
 *         .withRequiredTool("finance");
 * }
 *
 * @param template      the interpreter: {@code python}, {@code node} or {@code bash} (or an alias such
 *                      as {@code py}, {@code js}, {@code sh}); empty means the daemon's default, Python
 * @param timeout       how long the task may run before it is killed (status {@code timeout}); empty
 *                      means the daemon's default (5 minutes unless configured); at most the daemon's
 *                      maximum (an hour unless configured)
 * @param verbose       whether the task's output also carries its standard error and timings
 * @param requiredTools tool libraries the task needs: names of entries of the daemon's tools directory
 *                      (mounted read-only at {@code /tools}, importable); a task that names a
 *                      library the directory lacks fails with a message saying so
 * @param image         the image the task runs on; empty means its template's (e.g. {@code python:3.12-alpine})
 * @param pull          when the daemon asks the image's registry; empty means {@link PullPolicy#MISSING}
 * @param backend       the isolation backend it runs on ({@code bwrap}, {@code runc}, {@code gvisor}); empty means the
 *                      daemon's default
 */
public record TaskOptions(Optional<String> template, Optional<Duration> timeout, boolean verbose,
                          List<String> requiredTools, Optional<String> image, Optional<PullPolicy> pull,
                          Optional<String> backend) {

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if the template or a tool name is blank, or the timeout is not positive
     */
    public TaskOptions {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(timeout, "timeout");
        template.ifPresent(t -> {
            if (t.isBlank()) {
                throw new IllegalArgumentException("template must not be blank: python, node or bash");
            }
        });
        timeout.ifPresent(t -> Timeouts.requirePositive(t, "timeout"));
        Objects.requireNonNull(requiredTools, "requiredTools");
        for (String tool : requiredTools) {
            Objects.requireNonNull(tool, "requiredTools must not contain null");
            if (tool.isBlank()) {
                throw new IllegalArgumentException("a required tool must be a library's name, e.g. finance");
            }
        }
        requiredTools = List.copyOf(requiredTools);
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(backend, "backend");
    }

    /**
     * Options on the daemon's default backend.
     *
     * @param template      the interpreter
     * @param timeout       the time limit
     * @param verbose       verbose output
     * @param requiredTools tool libraries it uses
     * @param image         the image it runs on
     * @param pull          when the daemon asks the image's registry
     */
    public TaskOptions(Optional<String> template, Optional<Duration> timeout, boolean verbose,
                       List<String> requiredTools, Optional<String> image, Optional<PullPolicy> pull) {
        this(template, timeout, verbose, requiredTools, image, pull, Optional.empty());
    }

    /**
     * Options on the template's image.
     *
     * @param template      the interpreter
     * @param timeout       how long the task may run
     * @param verbose       whether the output also carries standard error and timings
     * @param requiredTools tool libraries the task needs
     */
    public TaskOptions(Optional<String> template, Optional<Duration> timeout, boolean verbose,
                       List<String> requiredTools) {
        this(template, timeout, verbose, requiredTools, Optional.empty(), Optional.empty());
    }

    /**
     * A copy that runs on another image.
     *
     * @param value the image, e.g. {@code python:3.12-slim}
     * @return the changed copy
     */
    public TaskOptions withImage(String value) {
        return new TaskOptions(template, timeout, verbose, requiredTools, Optional.of(value), pull, backend);
    }

    /**
     * A copy with a pull policy for the image.
     *
     * @param value when the daemon asks the image's registry
     * @return the changed copy
     */
    public TaskOptions withPull(PullPolicy value) {
        return new TaskOptions(template, timeout, verbose, requiredTools, image, Optional.of(value), backend);
    }

    /**
     * The daemon's default template (Python) and timeout, not verbose, no tools.
     *
     * @return the default options
     */
    public static TaskOptions defaults() {
        return new TaskOptions(Optional.empty(), Optional.empty(), false, List.of());
    }

    /**
     * A copy with another interpreter.
     *
     * @param value {@code python}, {@code node} or {@code bash}, or an alias
     * @return the changed copy
     */
    public TaskOptions withTemplate(String value) {
        return new TaskOptions(Optional.of(value), timeout, verbose, requiredTools, image, pull, backend);
    }

    /**
     * A copy with another time limit.
     *
     * @param value a positive duration, at most the daemon's maximum (an hour unless its default timeout is
     *              configured longer; the daemon checks), sent with millisecond precision
     * @return the changed copy
     */
    public TaskOptions withTimeout(Duration value) {
        return new TaskOptions(template, Optional.of(value), verbose, requiredTools, image, pull, backend);
    }

    /**
     * A copy whose output carries the task's standard error and timings too, or not.
     *
     * @param value whether it is verbose
     * @return the changed copy
     */
    public TaskOptions withVerbose(boolean value) {
        return new TaskOptions(template, timeout, value, requiredTools, image, pull, backend);
    }

    /**
     * A copy with one more required tool library.
     *
     * @param library the library's name in the daemon's tools directory, e.g. {@code finance}
     * @return the changed copy
     */
    public TaskOptions withRequiredTool(String library) {
        List<String> more = new ArrayList<>(requiredTools);
        more.add(library);
        return new TaskOptions(template, timeout, verbose, more, image, pull, backend);
    }

    /**
     * A copy with these required tool libraries instead of the current ones.
     *
     * @param libraries the libraries' names
     * @return the changed copy
     */
    public TaskOptions withRequiredTools(List<String> libraries) {
        return new TaskOptions(template, timeout, verbose, libraries, image, pull, backend);
    }

    /**
     * A copy that runs on another isolation backend.
     *
     * @param value the backend's name, e.g. {@code runc} or {@code gvisor}
     * @return the changed copy
     */
    public TaskOptions withBackend(String value) {
        return new TaskOptions(template, timeout, verbose, requiredTools, image, pull, Optional.of(value));
    }
}
