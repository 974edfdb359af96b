package dev.agentkernel.client;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/** How long the client waits for a response. Package-private. */
final class Timeouts {

    /**
     * Added to a command's own limit when the client waits for its result: sandbox start-up,
     * clean-up and the response itself.
     */
    static final Duration MARGIN = Duration.ofSeconds(30);

    private Timeouts() {
    }

    static Duration requirePositive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }

    /** The wait for a command's result: the client's timeout, or the command's limit plus {@link #MARGIN} if longer. */
    static Duration forCommand(Duration client, Optional<Duration> command) {
        return command.map(c -> max(client, c.plus(MARGIN))).orElse(client);
    }

    /** The wait for a batch: as for its longest command. */
    static Duration forCommands(Duration client, Collection<Optional<Duration>> commands) {
        Duration wait = client;
        for (Optional<Duration> c : commands) {
            wait = max(wait, forCommand(client, c));
        }
        return wait;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
