package dev.agentkernel.cli;

import dev.agentkernel.core.sandbox.PauseSettings;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;

/**
 * How {@code serve} treats paused sandboxes: {@code --idle-pause SECONDS}
 * ({@code AGENTKERNEL_IDLE_PAUSE}; 0, the default, never pauses) and {@code --paused-access
 * resume|refuse} ({@code AGENTKERNEL_PAUSED_ACCESS}; default resume). A flag wins over the
 * variable. Package-private.
 */
final class PauseOptions {
    static final String IDLE_PAUSE = "idle-pause";
    static final String PAUSED_ACCESS = "paused-access";
    /** Longest idle time accepted: a week. */
    private static final long MAX_IDLE_SECONDS = 7L * 86_400;

    private PauseOptions() {
    }

    static PauseSettings pausing(CommandLine args, Map<String, String> env) {
        return new PauseSettings(resumeOnAccess(pick(args.getOptionValue(PAUSED_ACCESS), "--" + PAUSED_ACCESS,
                env.get("AGENTKERNEL_PAUSED_ACCESS"), "AGENTKERNEL_PAUSED_ACCESS")),
                idle(pick(args.getOptionValue(IDLE_PAUSE), "--" + IDLE_PAUSE,
                        env.get("AGENTKERNEL_IDLE_PAUSE"), "AGENTKERNEL_IDLE_PAUSE")));
    }

    /** The value given and where it came from, or empty. */
    private static Optional<String[]> pick(String flag, String flagName, String env, String envName) {
        if (flag != null) {
            return Optional.of(new String[] {flag.trim(), flagName});
        }
        if (env != null && !env.isBlank()) {
            return Optional.of(new String[] {env.trim(), envName});
        }
        return Optional.empty();
    }

    private static boolean resumeOnAccess(Optional<String[]> given) {
        if (given.isEmpty()) {
            return true;
        }
        return switch (given.get()[0].toLowerCase(Locale.ROOT)) {
            case "resume" -> true;
            case "refuse" -> false;
            default -> throw new InvalidRequestException(given.get()[1] + " must be 'resume' or 'refuse', got '"
                    + given.get()[0] + "'");
        };
    }

    private static Optional<Duration> idle(Optional<String[]> given) {
        if (given.isEmpty()) {
            return Optional.empty();
        }
        long seconds;
        try {
            seconds = Long.parseLong(given.get()[0]);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0 || seconds > MAX_IDLE_SECONDS) {
            throw new InvalidRequestException(given.get()[1] + " must be a whole number of seconds from 0 (never) to "
                    + MAX_IDLE_SECONDS + ", got '" + given.get()[0] + "'");
        }
        return seconds == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }
}
