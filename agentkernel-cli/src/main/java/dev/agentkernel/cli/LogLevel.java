package dev.agentkernel.cli;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code AGENTKERNEL_LOG_LEVEL} ({@code DEBUG}, {@code INFO}, {@code WARNING} or {@code ERROR}):
 * how much the daemon logs (through {@code java.util.logging}, where {@code System.Logger}
 * goes). Package-private.
 */
final class LogLevel {
    private LogLevel() {
    }

    /**
     * Applies the level named by {@code value} to the root logger and its handlers; nothing for
     * an unset or blank value.
     *
     * @throws InvalidRequestException for an unknown level name
     */
    static void apply(String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        Level level = switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "DEBUG", "FINE" -> Level.FINE;
            case "TRACE", "FINEST" -> Level.FINEST;
            case "INFO" -> Level.INFO;
            case "WARNING", "WARN" -> Level.WARNING;
            case "ERROR", "SEVERE" -> Level.SEVERE;
            default -> throw new InvalidRequestException("AGENTKERNEL_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not '"
                    + value + "'");
        };
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler h : root.getHandlers()) {
            h.setLevel(level);
        }
    }
}
