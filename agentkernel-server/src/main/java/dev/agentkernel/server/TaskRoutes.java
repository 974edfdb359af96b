package dev.agentkernel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.model.InvalidRequestException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Background tasks: {@code POST /tasks} (dispatch), {@code GET /tasks}, {@code GET /tasks/{id}},
 * {@code POST /tasks/{id}/wait}, {@code POST /tasks/{id}/cancel} (also {@code DELETE
 * /tasks/{id}}). Package-private.
 */
final class TaskRoutes {

    /** The longest a wait request may block. */
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    private final TaskManager tasks;
    private final Bodies bodies;

    TaskRoutes(TaskManager tasks, Bodies bodies) {
        this.tasks = tasks;
        this.bodies = bodies;
    }

    void dispatch(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.parseObject(bodies.read(req));
        JsonNode code = body.has("code") ? body.get("code") : body.get("task_description");
        if (code == null || code.isNull()) {
            throw new InvalidRequestException("code is required (or task_description), e.g. {\"code\": \"print(6 * 7)\"}");
        }
        if (!code.isTextual()) {
            throw new InvalidRequestException("code must be a string");
        }
        InterpreterTemplate template = RequestFields.optionalString(body, "template", "").map(t -> {
            try {
                return InterpreterTemplate.fromName(t);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        }).orElse(InterpreterTemplate.PYTHON);
        JsonNode verbose = body.get("verbose");
        if (verbose != null && !verbose.isNull() && !verbose.isBoolean()) {
            throw new InvalidRequestException("verbose must be true or false");
        }
        TaskInfo task = tasks.dispatch(code.asText(), template, RequestFields.timeout(body, ""),
                verbose != null && verbose.asBoolean(false), requiredTools(body.get("required_tools")));
        SandboxRoutes.send(res, 202, toJson(task));
    }

    /** {@code required_tools}: a list of library names, or an object of library name to function names. */
    static List<String> requiredTools(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw new InvalidRequestException("required_tools must hold library names (strings)");
                }
                names.add(item.asText());
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                names.add(it.next().getKey());
            }
        } else {
            throw new InvalidRequestException("required_tools must be a list of library names or an object of library "
                    + "name to functions, e.g. {\"finance\": [\"get_stock_data\"]}");
        }
        return names;
    }

    void list(ServerRequest req, ServerResponse res) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        ArrayNode all = data.putArray("tasks");
        tasks.list().forEach(t -> all.add(toJson(t)));
        SandboxRoutes.send(res, 200, data);
    }

    void get(ServerRequest req, ServerResponse res) {
        SandboxRoutes.send(res, 200, toJson(tasks.status(id(req))));
    }

    void await(ServerRequest req, ServerResponse res) throws InterruptedException {
        String id = id(req);
        byte[] raw = bodies.read(req);
        Duration wait = DEFAULT_WAIT;
        Optional<String> query = req.query().first("timeout").asOptional();
        if (raw.length > 0) {
            JsonNode t = Json.parseObject(raw).get("timeout");
            if (t != null && !t.isNull()) {
                if (!t.isNumber()) {
                    throw new InvalidRequestException("timeout must be a number of seconds (0 or more)");
                }
                wait = seconds(t.asDouble(), t.asText());
            }
        } else if (query.isPresent()) {
            try {
                wait = seconds(Double.parseDouble(query.get()), query.get());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("timeout must be a number of seconds, not '" + query.get() + "'");
            }
        }
        if (wait.compareTo(MAX_WAIT) > 0) {
            throw new InvalidRequestException("timeout must be at most " + MAX_WAIT.toSeconds() + " seconds");
        }
        SandboxRoutes.send(res, 200, toJson(tasks.await(id, wait)));
    }

    /** A wait of {@code seconds} (0: just look). */
    private static Duration seconds(double seconds, String shown) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new InvalidRequestException("timeout must be a number of seconds (0 or more), not " + shown);
        }
        return Duration.ofMillis((long) Math.min(seconds * 1000, MAX_WAIT.toMillis() + 1));
    }

    void cancel(ServerRequest req, ServerResponse res) throws InterruptedException {
        TaskManager.Cancellation c = tasks.cancel(id(req));
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("success", c.cancelled());
        data.put("message", c.message());
        data.set("task", toJson(c.task()));
        SandboxRoutes.send(res, 200, data);
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    static ObjectNode toJson(TaskInfo t) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("task_id", t.id());
        o.put("status", t.status().id());
        o.put("queued", t.queued());
        o.put("output", t.output());
        if (t.error().isPresent()) {
            o.put("error", t.error().get());
        } else {
            o.putNull("error");
        }
        if (t.exitCode().isPresent()) {
            o.put("exit_code", t.exitCode().get());
        } else {
            o.putNull("exit_code");
        }
        o.put("attempts", t.attempts());
        o.put("code", t.spec().code());
        o.put("template", t.spec().template().id());
        o.put("timeout", t.spec().timeout().toMillis() / 1000.0);
        o.put("verbose", t.spec().verbose());
        ArrayNode tools = o.putArray("required_tools");
        t.spec().requiredTools().forEach(tools::add);
        o.put("created_at", t.createdAt().toString());
        o.put("started_at", t.startedAt().map(Object::toString).orElse(null));
        o.put("finished_at", t.finishedAt().map(Object::toString).orElse(null));
        return o;
    }
}
