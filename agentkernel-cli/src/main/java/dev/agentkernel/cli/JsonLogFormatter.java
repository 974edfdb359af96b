package dev.agentkernel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.audit.RequestId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@link LogFormat#JSON}: one JSON object per line with {@code time} (ISO-8601, UTC), {@code level}
 * (ERROR, WARNING, INFO, DEBUG, TRACE), {@code logger}, {@code message}, {@code request_id} (while
 * a request is served on the logging thread), the record's own fields (the access log's
 * {@code method}, {@code path}, {@code route}, {@code status}, {@code duration_ms}) and, for a
 * thrown exception, {@code error} and {@code stack}. Package-private.
 */
final class JsonLogFormatter extends Formatter {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String format(LogRecord record) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", record.getInstant().toString());
        line.put("level", level(record.getLevel()));
        line.put("logger", record.getLoggerName());
        line.put("message", TextLogFormatter.message(this, record));
        RequestId.current().ifPresent(id -> line.put("request_id", id));
        Object[] params = record.getParameters();
        if (params != null && params.length == 1 && params[0] instanceof Map<?, ?> fields) {
            fields.forEach((k, v) -> line.putIfAbsent(String.valueOf(k), v));
        }
        if (record.getThrown() != null) {
            line.put("error", String.valueOf(record.getThrown()));
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("stack", trace.toString());
        }
        try {
            return JSON.writeValueAsString(line) + "\n";
        } catch (JsonProcessingException e) {
            return "{\"level\":\"ERROR\",\"message\":\"unprintable log record\"}\n";
        }
    }

    /** The level's name as AGENTKERNEL_LOG_LEVEL names it. */
    static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARNING";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        return v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }
}
