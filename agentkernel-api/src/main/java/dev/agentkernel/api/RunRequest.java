package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /run} and {@code /run/stream}, and each entry of {@code /batch/run}: one command in a
 * fresh sandbox.
 *
 * @param command the argv, e.g. {@code ["python3", "-c", "print(1)"]}
 * @param image   the runtime image (default: detected from the command)
 * @param profile the security profile: permissive, moderate (default) or restrictive
 * @param timeout the time limit in seconds (default: the server's)
 * @param env     environment variables as {@code KEY=VALUE}
 * @param fast    whether a warm sandbox of the pool may serve it (default true)
 * @param sudo    run as root of the sandbox (its own user namespace's root, never the host's) instead
 *                of its unprivileged user, uid 1000 (default false; omitted when false)
 * @param pull    when to ask the image's registry: {@code missing} (only when the image is not stored;
 *                the default), {@code always} (for the tag's current image) or {@code never} (the stored
 *                image, else an error)
 * @param outputEncoding how the answer carries the output: {@code utf8} (the default: {@code output},
 *                {@code stdout} and {@code stderr} are the output decoded as UTF-8, invalid bytes replaced)
 *                or {@code base64} (they are the exact bytes, base64, and the answer says
 *                {@code "encoding": "base64"}); {@code /run} and {@code /batch/run} only:
 *                {@code /run/stream} refuses {@code base64} (its output events are text)
 * @param backend the isolation backend: {@code bwrap}, {@code runc}, {@code gvisor}, ... (default: the server's);
 *                an unknown one is refused (400), one that cannot run on the server's host too (503)
 * @param networkPolicy what the sandbox's network may reach ({@link NetworkRules}); such a run never uses the pool
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RunRequest(@JsonProperty(required = true) List<String> command, String image, String profile,
                         @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = Seconds.class) Double timeout, List<String> env, Boolean fast, Boolean sudo, String pull,
                         String outputEncoding, String backend, NetworkRules networkPolicy) {

    /** A request without a network policy. */
    public RunRequest(List<String> command, String image, String profile, Double timeout, List<String> env,
                      Boolean fast, Boolean sudo, String pull, String outputEncoding, String backend) {
        this(command, image, profile, timeout, env, fast, sudo, pull, outputEncoding, backend, null);
    }

    /** A request on the server's default backend. */
    public RunRequest(List<String> command, String image, String profile, Double timeout, List<String> env,
                      Boolean fast, Boolean sudo, String pull, String outputEncoding) {
        this(command, image, profile, timeout, env, fast, sudo, pull, outputEncoding, null);
    }

    /** A request with the default pull policy. */
    public RunRequest(List<String> command, String image, String profile, Double timeout, List<String> env,
                      Boolean fast, Boolean sudo) {
        this(command, image, profile, timeout, env, fast, sudo, null, null);
    }

    /** A request whose answer carries the output as UTF-8 text. */
    public RunRequest(List<String> command, String image, String profile, Double timeout, List<String> env,
                      Boolean fast, Boolean sudo, String pull) {
        this(command, image, profile, timeout, env, fast, sudo, pull, null);
    }

    public RunRequest {
        command = Check.command(command, "[\"echo\", \"hi\"]");
        image = Check.optionalText(image, "image");
        profile = Check.optionalText(profile, "profile");
        timeout = Check.timeout(timeout);
        env = Check.strings(env, "env");
        fast = fast == null ? Boolean.TRUE : fast;
        sudo = Boolean.TRUE.equals(sudo) ? Boolean.TRUE : null;
        pull = Check.pullPolicy(pull);
        outputEncoding = Check.outputEncoding(outputEncoding);
        backend = Check.backend(backend);
    }

    /** Whether the answer carries the output's exact bytes as base64. */
    public boolean base64Output() {
        return outputEncoding != null;
    }

    /** Whether the command runs as root of the sandbox. */
    public boolean asRoot() {
        return Boolean.TRUE.equals(sudo);
    }

    /** {@code command} with everything else left to the server. */
    public static RunRequest of(List<String> command) {
        return new RunRequest(command, null, null, null, null, null, null);
    }
}
