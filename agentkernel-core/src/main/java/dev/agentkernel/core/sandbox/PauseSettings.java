package dev.agentkernel.core.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a daemon treats paused sandboxes.
 *
 * @param resumeOnAccess true: an exec, file operation or attach on a paused sandbox resumes it
 *                       first (transparently); false: it is refused with a conflict (409) until the
 *                       sandbox is resumed. A sandbox paused automatically (idle) is always resumed
 *                       by its next access, whatever this says.
 * @param idleAfter      pause a running sandbox automatically after this long without API activity
 *                       (no exec, file operation or attach, none running, no interactive session
 *                       open); empty: never
 */
public record PauseSettings(boolean resumeOnAccess, Optional<Duration> idleAfter) {

    /** Shortest idle time accepted: one second. */
    public static final Duration MIN_IDLE = Duration.ofSeconds(1);

    /**
     * Resume on access, no automatic pause: a sandbox running a server started by an exec keeps
     * answering unless its owner asks for idle pausing.
     */
    public static final PauseSettings DEFAULT = new PauseSettings(true, Optional.empty());

    /** Validates. */
    public PauseSettings {
        Objects.requireNonNull(idleAfter, "idleAfter");
        if (idleAfter.isPresent() && idleAfter.get().compareTo(MIN_IDLE) < 0) {
            throw new dev.agentkernel.model.InvalidRequestException("the idle time before a sandbox pauses must be at"
                    + " least " + MIN_IDLE.toSeconds() + " s (0 turns automatic pausing off), not " + idleAfter.get());
        }
    }
}
