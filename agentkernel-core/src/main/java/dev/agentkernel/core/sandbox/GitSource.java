package dev.agentkernel.core.sandbox;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Git repository that a new persistent sandbox's {@code /workspace} is cloned from (the
 * published clients' {@code source_url} and {@code source_ref}). The clone runs inside the
 * sandbox, as its user, with the sandbox's own network and policy and the image's {@code git}:
 * the host fetches nothing and no credential of the host is used. Only an empty
 * {@code /workspace} is cloned into; a ref is checked out after the clone (a branch gets a
 * local branch tracking it, a tag or commit a detached head).
 *
 * @param url the repository ({@code https://}, {@code http://} or {@code git://}; checked at the edge)
 * @param ref the branch, tag or commit to check out, if not the default branch
 */
public record GitSource(String url, Optional<String> ref) {

    /** How long a clone may take. */
    public static final Duration TIMEOUT = Duration.ofMinutes(10);
    /** Exit status of the clone script when {@code /workspace} is not empty. */
    static final int NOT_EMPTY = 90;
    /** Exit status of the clone script when the image has no {@code git}. */
    static final int NO_GIT = 91;
    private static final String SCRIPT = """
            if [ -n "$(ls -A /workspace 2>/dev/null)" ]; then exit 90; fi
            command -v git >/dev/null 2>&1 || exit 91
            if [ -z "$2" ]; then exec git clone --quiet -- "$1" /workspace; fi
            git clone --quiet --no-checkout -- "$1" /workspace && cd /workspace && exec git checkout --quiet "$2"
            """;

    private static final java.util.regex.Pattern URL =
            java.util.regex.Pattern.compile("(https?|git)://[^\\s'\"\\\\\\p{Cntrl}]+");
    private static final java.util.regex.Pattern REF = java.util.regex.Pattern.compile("[A-Za-z0-9._/+-]{1,255}");

    /** Validates (as the wire's {@code CreateSandboxRequest} does, for the callers that do not come through it). */
    public GitSource {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(ref, "ref");
        if (url.length() > 2048 || !URL.matcher(url).matches()) {
            throw new InvalidRequestException("source_url must be a Git repository's https://, http:// or git:// URL of "
                    + "at most 2048 characters, without spaces or quotes, e.g. \"https://github.com/owner/repo.git\"");
        }
        if (ref.isPresent() && (!REF.matcher(ref.get()).matches() || ref.get().startsWith("-") || ref.get().contains(".."))) {
            throw new InvalidRequestException("source_ref must be a branch, tag or commit (letters, digits, '.', '_', '/', "
                    + "'+', '-'; not starting with '-', no '..'), e.g. \"main\" or \"v1.2.0\"");
        }
    }

    /** The command that clones it into {@code /workspace}, as the sandbox's user. */
    CommandSpec command() {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "sh", url, ref.orElse("")));
        return new CommandSpec(argv, Map.of("GIT_TERMINAL_PROMPT", "0", "HOME", "/workspace"),
                Optional.of("/"), Optional.of(TIMEOUT), false);
    }

    /** What failed, for an error answer: from the clone's exit status and the end of its error output. */
    String failure(int exitCode, String stderrTail, String image) {
        return switch (exitCode) {
            case NOT_EMPTY -> "cannot clone " + url + ": the sandbox's /workspace is not empty (its image or snapshot "
                    + "has files there); clone it yourself into a directory of /workspace";
            case NO_GIT, 127 -> "cannot clone " + url + ": the image " + image + " has no git; use an image with git "
                    + "(e.g. one of the language images) or install it and clone yourself";
            default -> "cannot clone " + url + ref.map(r -> " at " + r).orElse("") + ": "
                    + (stderrTail.isBlank() ? "git exited with status " + exitCode : stderrTail.strip());
        };
    }
}
