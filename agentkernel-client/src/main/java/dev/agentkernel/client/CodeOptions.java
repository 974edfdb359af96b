package dev.agentkernel.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How code runs in a code session ({@link AgentKernel#executeCode}, {@link AgentKernel#codeSession}).
 * Immutable; start from {@link #defaults()} and change with the {@code with...} methods:
 *
 * {@snippet :
 * CodeOptions options = CodeOptions.defaults()
 *         .withTemplate("python")
 *         .withFlavor("medium")
 *         .withTimeout(Duration.ofMinutes(2))
 *         .withVolume("/srv/data:/data:ro");
 * }
 *
 * @param sessionId the existing session to run in; empty creates a new session (its id is in
 *                  {@link CodeResult#sessionId()})
 * @param template  the interpreter: {@code python}, {@code node} or {@code bash} (or an alias
 *                  such as {@code py}, {@code js}, {@code sh}); empty means the server's default
 *                  ({@code python}) for a new session, and the session's own for an existing one.
 *                  Given with an existing session it must be the session's (else 409)
 * @param flavor    the new session's size: {@code small}, {@code medium} or {@code large}; empty
 *                  means the server's default. Given with an existing session it must be the
 *                  session's (else 409)
 * @param timeout   this execution's limit (the server's default is 30 s, at most 1 hour); after
 *                  it the code is interrupted, the result's error is {@code Timeout} and the
 *                  session keeps its state. It also extends the client's wait for the response
 *                  beyond {@link ClientBuilder#timeout}
 * @param volumes   host directories for a new session, each {@code host:sandbox} or
 *                  {@code host:sandbox:ro}; the host path must be under a directory the daemon
 *                  allows. Not with a session id
 * @param backend   the isolation backend of a new session ({@code bwrap}, {@code runc}, {@code gvisor}); empty
 *                  means the server's default
 */
public record CodeOptions(Optional<String> sessionId, Optional<String> template, Optional<String> flavor,
                          Optional<Duration> timeout, List<String> volumes, Optional<String> backend) {

    /**
     * Options whose new session runs on the server's default backend.
     *
     * @param sessionId an existing session
     * @param template  the interpreter of a new session
     * @param flavor    the size of a new session
     * @param timeout   the execution's time limit
     * @param volumes   host directories of a new session
     */
    public CodeOptions(Optional<String> sessionId, Optional<String> template, Optional<String> flavor,
                       Optional<Duration> timeout, List<String> volumes) {
        this(sessionId, template, flavor, timeout, volumes, Optional.empty());
    }

    /** The server's default limit of one execution, used for the client's wait when no timeout is given. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if a value is blank, the timeout is not positive, a volume
     *                                  is not written {@code host:sandbox[:ro]}, or volumes are given
     *                                  with a session id (the server refuses that too)
     */
    public CodeOptions {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(timeout, "timeout");
        sessionId.ifPresent(s -> requireText(s, "sessionId"));
        template.ifPresent(t -> requireText(t, "template"));
        flavor.ifPresent(f -> requireText(f, "flavor"));
        timeout.ifPresent(t -> Timeouts.requirePositive(t, "timeout"));
        Objects.requireNonNull(volumes, "volumes");
        Objects.requireNonNull(backend, "backend");
        for (String v : volumes) {
            requireVolume(v);
        }
        volumes = List.copyOf(volumes);
        if (sessionId.isPresent() && !volumes.isEmpty()) {
            throw new IllegalArgumentException("volumes are mounted in a new session only; drop them, or the session "
                    + "id to start a new session");
        }
    }

    /**
     * A new session of the server's default template and flavor, the server's timeout, no volumes.
     *
     * @return the default options
     */
    public static CodeOptions defaults() {
        return new CodeOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * A copy that runs in an existing session.
     *
     * @param value the session's id, e.g. {@code ses-3f9c2a61d0b84e7f}
     * @return the changed copy
     */
    public CodeOptions withSessionId(String value) {
        return new CodeOptions(Optional.of(value), template, flavor, timeout, volumes, backend);
    }

    /**
     * A copy with another interpreter.
     *
     * @param value {@code python}, {@code node} or {@code bash}, or an alias
     * @return the changed copy
     */
    public CodeOptions withTemplate(String value) {
        return new CodeOptions(sessionId, Optional.of(value), flavor, timeout, volumes, backend);
    }

    /**
     * A copy with another size of the new session.
     *
     * @param value {@code small}, {@code medium} or {@code large}
     * @return the changed copy
     */
    public CodeOptions withFlavor(String value) {
        return new CodeOptions(sessionId, template, Optional.of(value), timeout, volumes, backend);
    }

    /**
     * A copy with another limit of each execution.
     *
     * @param value a positive duration, at most an hour (the server checks), sent with millisecond precision
     * @return the changed copy
     */
    public CodeOptions withTimeout(Duration value) {
        return new CodeOptions(sessionId, template, flavor, Optional.of(value), volumes, backend);
    }

    /**
     * A copy with one more host directory in the new session.
     *
     * @param value {@code host:sandbox} or {@code host:sandbox:ro}, e.g. {@code /srv/data:/data:ro}
     * @return the changed copy
     * @throws IllegalArgumentException if it is not written so
     */
    public CodeOptions withVolume(String value) {
        List<String> more = new ArrayList<>(volumes);
        more.add(value);
        return new CodeOptions(sessionId, template, flavor, timeout, more, backend);
    }

    /**
     * A copy with these host directories instead of the current ones.
     *
     * @param value each {@code host:sandbox} or {@code host:sandbox:ro}
     * @return the changed copy
     */
    public CodeOptions withVolumes(List<String> value) {
        return new CodeOptions(sessionId, template, flavor, timeout, value, backend);
    }

    private static void requireText(String value, String what) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static void requireVolume(String volume) {
        Objects.requireNonNull(volume, "volumes must not contain null");
        String[] parts = volume.split(":", -1);
        boolean valid = (parts.length == 2 || parts.length == 3 && parts[2].equals("ro"))
                && !parts[0].isEmpty() && !parts[1].isEmpty();
        if (!valid) {
            throw new IllegalArgumentException("a volume must be written host:sandbox or host:sandbox:ro, e.g. "
                    + "/srv/data:/data:ro; got '" + volume + "'");
        }
    }

    /**
     * A copy whose new session runs on another isolation backend.
     *
     * @param value the backend's name, e.g. {@code runc} or {@code gvisor}
     * @return the changed copy
     */
    public CodeOptions withBackend(String value) {
        return new CodeOptions(sessionId, template, flavor, timeout, volumes, Optional.of(value));
    }
}
