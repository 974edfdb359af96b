package dev.agentkernel.cli;

import dev.agentkernel.model.InvalidRequestException;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * How the daemon's log lines look ({@code --log-format} of {@code serve} and {@code daemon start},
 * or {@code AGENTKERNEL_LOG_FORMAT}): {@code text}, one line per record, or {@code json}, one JSON
 * object per line for log collectors. Either way each line of a request carries its id. Package-private.
 */
enum LogFormat {
    /** {@code TIME LEVEL LOGGER MESSAGE [request_id=ID]}, one line (a stack trace follows on its own lines). */
    TEXT,
    /** A JSON object per line: {@code time}, {@code level}, {@code logger}, {@code message}, {@code request_id}, ... */
    JSON;

    /** The option's name. */
    static final String OPTION = "log-format";

    /** {@code text} or {@code json}. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The format named by {@code value}; {@link #TEXT} for an unset or blank value.
     *
     * @throws InvalidRequestException for another name
     */
    static LogFormat parse(String value) {
        if (value == null || value.isBlank()) {
            return TEXT;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new InvalidRequestException("--log-format must be text or json, not '" + value + "'");
        };
    }

    /** A formatter of this format. */
    Formatter formatter() {
        return switch (this) {
            case TEXT -> new TextLogFormatter();
            case JSON -> new JsonLogFormatter();
        };
    }

    /** Puts this format on the root logger's handlers (where every logger's records go). */
    void apply() {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(formatter());
        }
    }
}
