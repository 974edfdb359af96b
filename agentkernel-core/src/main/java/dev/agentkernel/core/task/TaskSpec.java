package dev.agentkernel.core.task;

import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.model.ImagePull;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a task runs.
 *
 * @param code          the program (Python by default)
 * @param template      its interpreter
 * @param timeout       how long it may run
 * @param verbose       whether its result also carries its stderr and timings in the output
 * @param requiredTools tool libraries (names of entries of the tools directory) it needs
 * @param image         the image it runs on; empty: the template's ({@link InterpreterTemplate#image()}),
 *                      or {@code AGENTKERNEL_DEFAULT_IMAGE}
 * @param pull          when the image's registry is asked
 * @param backend       the isolation backend it runs on; empty: the default
 * @param egress        what its sandbox's network may reach ({@link dev.agentkernel.model.NetworkPolicy#NONE}: the
 *                      daemon's default)
 */
public record TaskSpec(String code, InterpreterTemplate template, Duration timeout, boolean verbose,
                       List<String> requiredTools, Optional<String> image, ImagePull pull, Optional<String> backend,
                       dev.agentkernel.model.NetworkPolicy egress) {

    /** Validates and copies. */
    public TaskSpec {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(timeout, "timeout");
        requiredTools = List.copyOf(requiredTools);
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(backend, "backend");
        backend.ifPresent(dev.agentkernel.model.SandboxRequest::requireBackendName);
        Objects.requireNonNull(egress, "egress");
    }

    /** A task without a network policy of its own. */
    public TaskSpec(String code, InterpreterTemplate template, Duration timeout, boolean verbose,
                    List<String> requiredTools, Optional<String> image, ImagePull pull, Optional<String> backend) {
        this(code, template, timeout, verbose, requiredTools, image, pull, backend, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /** A task on the default backend. */
    public TaskSpec(String code, InterpreterTemplate template, Duration timeout, boolean verbose,
                    List<String> requiredTools, Optional<String> image, ImagePull pull) {
        this(code, template, timeout, verbose, requiredTools, image, pull, Optional.empty());
    }

    /** A task on its template's image. */
    public TaskSpec(String code, InterpreterTemplate template, Duration timeout, boolean verbose,
                    List<String> requiredTools) {
        this(code, template, timeout, verbose, requiredTools, Optional.empty(), ImagePull.MISSING);
    }
}
