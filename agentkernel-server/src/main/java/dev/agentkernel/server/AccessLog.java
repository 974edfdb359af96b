package dev.agentkernel.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The access log: one line per request on the logger {@code dev.agentkernel.access} at INFO
 * ({@code METHOD PATH STATUS DURATIONms route=TEMPLATE}, the query left out), written when the
 * answer is complete (for streamed answers: when the stream ended). The line's fields are also
 * its record's first parameter (a map), so that the JSON log format writes them as fields; its
 * request id is added by the formatter like on every line of the request.
 */
final class AccessLog {

    /** The access log's logger name. */
    static final String LOGGER = "dev.agentkernel.access";
    private static final Logger LOG = Logger.getLogger(LOGGER);

    private AccessLog() {
    }

    /** Logs one request. */
    static void log(String method, String path, String route, int status, Duration duration) {
        if (!LOG.isLoggable(Level.INFO)) {
            return;
        }
        long millis = duration.toMillis();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", method);
        fields.put("path", path);
        fields.put("route", route);
        fields.put("status", status);
        fields.put("duration_ms", millis);
        LogRecord record = new LogRecord(Level.INFO, method + " " + path + " " + status + " " + millis + "ms route=" + route);
        record.setLoggerName(LOGGER);
        record.setParameters(new Object[] {fields});
        LOG.log(record);
    }
}
