package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.api.ApiRoutes;
import dev.agentkernel.api.SchemaCheck;
import dev.agentkernel.api.WireJson;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /openapi.json} against the real server: every route the server has is described (the
 * server registers its handlers from the same table, and what is not described answers
 * {@code no_route}), every described route exists, and a real session of work through every route
 * answers with the shapes the document gives (each success body checked against its schema, each
 * error against the error envelope, each SSE event against its event's schema).
 */
class OpenApiIT extends ServerTestBase {

    static JsonNode doc;
    static SchemaCheck check;

    @BeforeAll
    static void readDocument() {
        HttpRequest plain = HttpRequest.newBuilder(java.net.URI.create(fx.baseUrl() + "/openapi.json")).GET().build();
        ServerFixture.Response r = fx.send(plain); // no key: the description is public, like /health
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        doc = r.json();
        Map<String, Object> components = WireJson.mapper().convertValue(doc.path("components").path("schemas"),
                WireJson.mapper().getTypeFactory().constructMapType(Map.class, String.class, Object.class));
        check = new SchemaCheck(components);
    }

    @Test
    void theDocumentDescribesExactlyTheRoutesOfTheTable() {
        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        Set<String> described = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(m -> described.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey()));
        }
        Set<String> table = new HashSet<>();
        ApiRoutes.all().forEach(r -> table.add(r.method() + " " + r.openApiPath()));
        assertThat(described).isEqualTo(table);
    }

    @Test
    void everyDescribedRouteExistsAndAnswersAsDescribed() {
        for (ApiRoutes.Route route : ApiRoutes.all()) {
            String path = route.path().replace("{name}", "openapi-probe").replace("{id}", "00000000-0000-0000-0000-000000000000")
                    .replace("{+path}", "workspace/x").replace("{+ref}", "openapi-probe:1")
                    .replaceAll("\\{[a-z_]+\\}", "openapi-probe"); // any other parameter: a name that exists nowhere
            if (route.path().equals("/maintenance/pause")) {
                continue; // answered below with resume, so that maintenance is not left paused
            }
            // a body that is not an object: refused before anything is created (POST /sessions without one would create)
            String body = switch (route.request().kind()) {
                case JSON, JSON_OR_BYTES, OPTIONAL_JSON -> "[]";
                default -> "";
            };
            HttpRequest.Builder b = fx.request(path).timeout(java.time.Duration.ofSeconds(60));
            if (route.path().equals("/mcp")) {
                b.setHeader("Accept", "application/json, text/event-stream");
            }
            b.method(route.method(), body.isEmpty() && !route.method().equals("POST") && !route.method().equals("PUT")
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body.isEmpty() && !route.method().equals("PUT")) {
                b.setHeader("Content-Type", "application/json");
            }
            ServerFixture.Response r = fx.send(b.build());
            String where = route.id() + " → " + r;
            if (r.contentType().startsWith("application/json") && r.body().startsWith("{")) {
                assertThat(r.json().path("code").asText()).as(where).isNotEqualTo("no_route");
            }
            if (route.path().equals("/mcp")) {
                continue; // JSON-RPC: the MCP specification's shapes, tested by McpApiIT
            }
            assertDescribed(route, r, where);
        }
        assertDescribed(ApiRoutes.route("POST", "/maintenance/pause"), fx.post("/maintenance/pause", ""), "pause");
        assertDescribed(ApiRoutes.route("POST", "/maintenance/resume"), fx.post("/maintenance/resume", ""), "resume");
    }

    @Test
    void whatIsNotDescribedIsNoRoute() {
        for (String[] request : List.of(new String[] {"GET", "/nothing"}, new String[] {"POST", "/health"},
                new String[] {"PUT", "/sandboxes"}, new String[] {"GET", "/sandboxes/a/b/c"})) {
            ServerFixture.Response r = fx.send(fx.request(request[1])
                    .method(request[0], HttpRequest.BodyPublishers.ofString(request[0].equals("GET") ? "" : "{}")).build());
            assertThat(r.status()).as("%s %s → %s", request[0], request[1], r).isEqualTo(404);
            assertThat(r.json().path("code").asText()).isEqualTo("no_route");
        }
    }

    @Test
    void aSessionOfWorkThroughEveryKindOfRouteAnswersWithTheDescribedShapes() {
        ok("GET", "/health", "/health", null);
        ok("GET", "/status", "/status", null);
        ok("POST", "/run", "/run", "{\"command\": [\"sh\", \"-c\", \"echo out; echo err >&2; exit 3\"]}");
        ok("POST", "/batch/run", "/batch/run", "{\"commands\": [{\"command\": [\"echo\", \"1\"]}, "
                + "{\"command\": [\"no-such-program-x\"]}]}");
        events("POST", "/run/stream", "/run/stream", "{\"command\": [\"echo\", \"streamed\"]}");
        JsonNode box = ok("POST", "/sandboxes", "/sandboxes",
                "{\"name\": \"openapi-box\", \"vcpus\": 1, \"memory_mb\": 256, \"ttl\": \"1h\"}");
        try {
            ok("GET", "/sandboxes", "/sandboxes", null);
            ok("GET", "/sandboxes/{name}", "/sandboxes/openapi-box", null);
            ok("GET", "/sandboxes/by-uuid/{uuid}", "/sandboxes/by-uuid/" + box.path("uuid").asText(), null);
            ok("POST", "/sandboxes/{name}/extend", "/sandboxes/openapi-box/extend", "{\"by\": \"30m\"}");
            ok("POST", "/sandboxes/{name}/files", "/sandboxes/openapi-box/files", "{\"files\": {\"x/y.txt\": \"y\"}}");
            ok("POST", "/sandboxes/{name}/exec", "/sandboxes/openapi-box/exec", "{\"command\": [\"ls\", \"/\"]}");
            events("POST", "/sandboxes/{name}/exec/stream", "/sandboxes/openapi-box/exec/stream",
                    "{\"command\": [\"echo\", \"hi\"]}");
            ok("PUT", "/sandboxes/{name}/files/{+path}", "/sandboxes/openapi-box/files/workspace/a.txt",
                    "{\"content\": \"hello\"}");
            ok("GET", "/sandboxes/{name}/files/{+path}", "/sandboxes/openapi-box/files/workspace/a.txt", null);
            ok("DELETE", "/sandboxes/{name}/files/{+path}", "/sandboxes/openapi-box/files/workspace/a.txt", null);
            JsonNode attached = ok("POST", "/sandboxes/{name}/attach", "/sandboxes/openapi-box/attach",
                    "{\"command\": [\"cat\"]}");
            String session = attached.path("session").asText();
            ok("DELETE", "/attach/{id}", "/attach/" + session, null);
            // background processes (issue 15, point 3)
            JsonNode detached = ok("POST", "/sandboxes/{name}/exec/detach", "/sandboxes/openapi-box/exec/detach",
                    "{\"command\": [\"sh\", \"-c\", \"echo bg; sleep 0.2\"]}");
            String bg = "/sandboxes/openapi-box/exec/detached/" + detached.path("id").asText();
            events("GET", "/sandboxes/{name}/exec/detached/{id}/logs", bg + "/logs?follow=true", null);
            ok("GET", "/sandboxes/{name}/exec/detached", "/sandboxes/openapi-box/exec/detached", null);
            ok("GET", "/sandboxes/{name}/exec/detached/{id}", bg, null);
            ok("GET", "/sandboxes/{name}/exec/detached/{id}/logs", bg + "/logs", null);
            ok("DELETE", "/sandboxes/{name}/exec/detached/{id}", bg, null);
            ok("GET", "/sandboxes/{name}/logs", "/sandboxes/openapi-box/logs", null);
            ok("GET", "/audit", "/audit?limit=5", null);
            // ---- pause and resume (issue 15) ----
            ok("POST", "/sandboxes/{name}/pause", "/sandboxes/openapi-box/pause", null);
            ok("POST", "/sandboxes/{name}/resume", "/sandboxes/openapi-box/resume", null);
            ok("POST", "/sandboxes/{name}/stop", "/sandboxes/openapi-box/stop", null);
            ok("POST", "/sandboxes/{name}/start", "/sandboxes/openapi-box/start", null);
        } finally {
            ok("DELETE", "/sandboxes/{name}", "/sandboxes/openapi-box", null);
        }
        JsonNode executed = ok("POST", "/execute", "/execute", "{\"code\": \"x = 6\\nprint(x * 7)\"}");
        String sessionId = executed.path("session_id").asText();
        ok("POST", "/execute", "/execute", "{\"code\": \"1/0\", \"session_id\": \"" + sessionId + "\"}");
        ok("GET", "/sessions", "/sessions", null);
        ok("GET", "/sessions/{id}", "/sessions/" + sessionId, null);
        ok("GET", "/stats", "/stats", null);
        ok("DELETE", "/sessions/{id}", "/sessions/" + sessionId, null);
        JsonNode created = ok("POST", "/sessions", "/sessions", null);
        ok("DELETE", "/sessions/{id}", "/sessions/" + created.path("session_id").asText(), null);
        JsonNode task = ok("POST", "/tasks", "/tasks", "{\"code\": \"print(6 * 7)\"}");
        String taskId = task.path("task_id").asText();
        ok("GET", "/tasks/{id}", "/tasks/" + taskId, null);
        ok("POST", "/tasks/{id}/wait", "/tasks/" + taskId + "/wait", "{\"timeout\": 120}");
        ok("GET", "/tasks/{id}/wait", "/tasks/" + taskId + "/wait?timeout=0", null);
        ok("GET", "/tasks", "/tasks", null);
        ok("POST", "/tasks/{id}/cancel", "/tasks/" + taskId + "/cancel", null);
        ok("GET", "/images", "/images", null);
        ok("GET", "/tools", "/tools?query=x", null);
        ok("DELETE", "/tools/cache", "/tools/cache", null);
        // ---- named volumes (issue 15, point 6) ----
        ok("POST", "/volumes", "/volumes", "{\"name\": \"openapi-vol\", \"size_mb\": 16}");
        JsonNode mounted = ok("POST", "/sandboxes", "/sandboxes",
                "{\"name\": \"openapi-vbox\", \"volumes\": [\"openapi-vol:/v:ro\"]}");
        try {
            assertThat(mounted.path("volumes").toString()).isEqualTo("[\"openapi-vol:/v:ro\"]");
            ok("GET", "/volumes", "/volumes", null);
            JsonNode volume = ok("GET", "/volumes/{name}", "/volumes/openapi-vol", null);
            assertThat(volume.path("mounts").size()).isEqualTo(1);
        } finally {
            ok("DELETE", "/sandboxes/{name}", "/sandboxes/openapi-vbox", null);
        }
        ok("DELETE", "/volumes/{name}", "/volumes/openapi-vol?force=false", null);
        // ---- secrets (issue 16) ----
        ok("PUT", "/secrets/{name}", "/secrets/OPENAPI_SECRET", "{\"value\": \"openapi-secret-value\"}");
        assertThat(ok("GET", "/secrets", "/secrets", null).toString()).contains("OPENAPI_SECRET")
                .doesNotContain("openapi-secret-value");
        assertThat(ok("GET", "/secrets/{name}", "/secrets/OPENAPI_SECRET", null).toString())
                .doesNotContain("openapi-secret-value");
        ok("DELETE", "/secrets/{name}", "/secrets/OPENAPI_SECRET", null);
    }

    /** Sends the request, expects the route's success status and a body of the described shape; returns its data. */
    private JsonNode ok(String method, String template, String path, String body) {
        ApiRoutes.Route route = ApiRoutes.route(method, template);
        HttpRequest.Builder b = fx.request(path).timeout(java.time.Duration.ofSeconds(180));
        b.method(method, body == null ? (method.equals("POST") || method.equals("PUT")
                ? HttpRequest.BodyPublishers.ofString("") : HttpRequest.BodyPublishers.noBody())
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        ServerFixture.Response r = fx.send(b.build());
        assertThat(r.status()).as("%s %s → %s", method, path, r).isEqualTo(route.status());
        assertDescribed(route, r, method + " " + path);
        JsonNode json = r.json();
        return json.has("data") ? json.get("data") : json;
    }

    /** A streamed route: every event is one the document names, with data of its schema, ending in done. */
    private void events(String method, String template, String path, String body) {
        ApiRoutes.Route route = ApiRoutes.route(method, template);
        HttpRequest.Builder b = fx.request(path).timeout(java.time.Duration.ofSeconds(120));
        ServerFixture.Response r = fx.send((body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body)))
                .build());
        assertThat(r.status()).as("%s → %s", path, r).isEqualTo(200);
        assertThat(r.contentType()).as("%s", path).startsWith("text/event-stream");
        JsonNode schema = operation(route).at("/responses/200/content/text~1event-stream/schema/x-events");
        assertThat(schema.isObject()).as("events of %s", route.id()).isTrue();
        List<String> names = new ArrayList<>();
        for (String frame : r.body().split("\n\n")) {
            if (frame.startsWith(":") || frame.isBlank()) {
                continue;
            }
            String[] lines = frame.split("\n");
            String event = lines[0].replace("event: ", "");
            JsonNode data = json(lines[1].replace("data: ", ""));
            names.add(event);
            assertThat(schema.has(event)).as("event %s of %s is described", event, route.id()).isTrue();
            assertThat(check.problems(data, schema.get(event))).as("%s event %s: %s", route.id(), event, data).isEmpty();
        }
        assertThat(names).contains("started", "output").last().isEqualTo("done");
    }

    private static JsonNode operation(ApiRoutes.Route route) {
        return doc.path("paths").path(route.openApiPath()).path(route.method().toLowerCase(Locale.ROOT));
    }

    private static JsonNode json(String text) {
        try {
            return WireJson.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** The answer is the described success (its status, its content) or the described error envelope. */
    private static void assertDescribed(ApiRoutes.Route route, ServerFixture.Response r, String where) {
        JsonNode op = operation(route);
        assertThat(op.isObject()).as("%s is described", route.id()).isTrue();
        if (r.status() == route.status()) {
            JsonNode content = op.path("responses").path(String.valueOf(route.status())).path("content");
            if (r.status() == 204) {
                assertThat(content.isMissingNode()).as(where).isTrue();
                return;
            }
            String type = r.contentType().replaceAll(";.*", "");
            assertThat(content.has(type)).as("%s: content type %s is described", where, type).isTrue();
            if (type.equals("application/json")) {
                JsonNode schema = content.path(type).path("schema");
                assertThat(check.problems(r.json(), schema)).as(where).isEmpty();
            }
        } else {
            assertThat(r.status()).as(where).isGreaterThanOrEqualTo(400);
            assertThat(r.contentType()).as(where).startsWith("application/json");
            JsonNode schema = op.path("responses").path("default").path("content").path("application/json").path("schema");
            assertThat(check.problems(r.json(), schema)).as(where).isEmpty();
            assertThat(((ObjectNode) r.json()).path("success").asBoolean(true)).as(where).isFalse();
        }
    }
}
