package dev.agentkernel.image;

import java.util.List;
import java.util.Objects;

/**
 * What an image's configuration says about the process it runs: the parts a sandbox applies
 * under the request's own settings.
 *
 * @param env        {@code KEY=VALUE} entries, in the image's order
 * @param workingDir the working directory, or empty for {@code /}
 * @param entrypoint the entrypoint (may be empty)
 * @param cmd        the default command or entrypoint arguments (may be empty)
 * @param user       the user ({@code name}, {@code uid}, {@code uid:gid}), or empty for root
 */
public record ImageConfig(List<String> env, String workingDir, List<String> entrypoint, List<String> cmd,
                          String user) {

    /** Copies the lists and replaces nulls by empty values. */
    public ImageConfig {
        env = List.copyOf(Objects.requireNonNullElse(env, List.of()));
        workingDir = Objects.requireNonNullElse(workingDir, "");
        entrypoint = List.copyOf(Objects.requireNonNullElse(entrypoint, List.of()));
        cmd = List.copyOf(Objects.requireNonNullElse(cmd, List.of()));
        user = Objects.requireNonNullElse(user, "");
    }

    /** The command the image runs when none is given: entrypoint followed by cmd. */
    public List<String> defaultCommand() {
        return java.util.stream.Stream.concat(entrypoint.stream(), cmd.stream()).toList();
    }
}
