package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.api.ApiRoutes;
import dev.agentkernel.api.SchemaCheck;
import dev.agentkernel.api.WireJson;
import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageLease;
import dev.agentkernel.image.TestImages;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image routes ({@code GET /images}, {@code POST /images/pull}, {@code DELETE /images/{ref}})
 * of a real daemon against a real registry on loopback (Debian's docker-registry) holding images
 * built by umoci and pushed by skopeo ({@link TestImages}): the pull's events (each of the shape
 * {@code /openapi.json} describes), the list, removal, and the errors a client can cause (400, 404,
 * 409), always as the JSON envelope and never as a 500.
 */
class ImagesApiIT {

    static ServerFixture fx;
    static TestImages images;
    static JsonNode openApi;

    /** Not a {@link ServerTestBase}: the registries are child processes of this JVM that outlive each test. */
    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        images = TestImages.get();
        fx = ServerFixture.start(4, List.of(ServerTestBase.KEY));
        openApi = fx.get("/openapi.json").json();
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    static JsonNode assertErrorEnvelope(ServerFixture.Response r, int status) {
        return ServerTestBase.assertErrorEnvelope(r, status);
    }

    /** One Server-Sent Event: its name and data. */
    record Event(String name, JsonNode data) {
    }

    static List<Event> events(ServerFixture.Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.contentType()).as("%s", r).startsWith("text/event-stream");
        List<Event> out = new ArrayList<>();
        for (String frame : r.body().split("\n\n")) {
            if (frame.isBlank() || frame.startsWith(":")) {
                continue;
            }
            String[] lines = frame.split("\n");
            assertThat(lines).as(frame).hasSize(2);
            assertThat(lines[0]).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            try {
                out.add(new Event(lines[0].substring(7), WireJson.mapper().readTree(lines[1].substring(6))));
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + lines[1], e);
            }
        }
        return out;
    }

    /** Every event is one the document names for the route, with data of its schema. */
    static void assertDescribed(List<Event> events) {
        ApiRoutes.Route route = ApiRoutes.route("POST", "/images/pull");
        JsonNode described = openApi.path("paths").path(route.openApiPath()).path("post")
                .at("/responses/200/content/text~1event-stream/schema/x-events");
        assertThat(described.isObject()).as("events of POST /images/pull are described").isTrue();
        @SuppressWarnings("unchecked")
        SchemaCheck check = new SchemaCheck(WireJson.mapper().convertValue(openApi.at("/components/schemas"), Map.class));
        for (Event e : events) {
            assertThat(described.has(e.name())).as("event %s is described", e.name()).isTrue();
            assertThat(check.problems(e.data(), described.get(e.name()))).as("%s: %s", e.name(), e.data()).isEmpty();
        }
    }

    static ServerFixture.Response pull(String image, String policy) {
        return fx.postJson("/images/pull", policy == null ? Map.of("image", image) : Map.of("image", image,
                "policy", policy));
    }

    static ServerFixture.Response delete(String path) {
        return fx.send(fx.request(path).DELETE().build());
    }

    static List<String> listed() {
        ServerFixture.Response list = fx.get("/images");
        assertThat(list.status()).as("%s", list).isEqualTo(200);
        return StreamSupport.stream(list.data().path("images").spliterator(), false)
                .map(i -> i.path("reference").asText()).toList();
    }

    @Test
    void pullStreamsEachLayerThenTheImageWhichIsListedUntilDeleted() {
        String derived = images.ref(images.plain, "test/derived:1");
        double pullsBefore = pullsCounted();

        List<Event> first = events(pull(derived, null));
        assertDescribed(first);
        assertThat(first.getFirst().name()).isEqualTo("resolved");
        assertThat(first.getFirst().data().path("reference").asText()).isEqualTo(derived);
        assertThat(first.getFirst().data().path("layers").asInt()).isEqualTo(4);
        List<Event> layers = first.stream().filter(e -> e.name().equals("layer")).toList();
        assertThat(layers).hasSize(4);
        assertThat(layers).allSatisfy(l -> {
            assertThat(l.data().path("layer").asText()).matches("sha256:[0-9a-f]{64}");
            // a layer test/base:1 shares may be stored already (another test pulls it); one fetched has bytes
            assertThat(l.data().path("already_stored").asBoolean())
                    .isEqualTo(l.data().path("bytes_fetched").asLong() == 0);
        });
        assertThat(layers).as("derived's own layer, at least, is fetched")
                .anySatisfy(l -> assertThat(l.data().path("already_stored").asBoolean()).isFalse());
        // progress is optional: a layer's end supersedes its progress not yet sent (PullEvents), so a layer fetched
        // in less than the request thread's wake-up sends none (PullEventsTest covers progress itself)
        assertThat(first).extracting(Event::name).isSubsetOf("resolved", "progress", "layer", "done");
        Event done = first.getLast();
        assertThat(done.name()).isEqualTo("done");
        JsonNode image = done.data().path("image");
        assertThat(image.path("reference").asText()).isEqualTo(derived);
        assertThat(image.path("digest").asText()).isEqualTo(first.getFirst().data().path("digest").asText())
                .matches("sha256:[0-9a-f]{64}");
        assertThat(image.path("platform").asText()).startsWith("linux/");
        assertThat(image.path("layers").asInt()).isEqualTo(4);
        assertThat(image.path("size").asLong()).isPositive();
        assertThat(image.path("stored_at").asText()).endsWith("Z");

        // 'always' asks the registry again and finds every layer stored; 'missing' answers done alone.
        List<Event> always = events(pull(derived, "always"));
        assertDescribed(always);
        assertThat(always.stream().filter(e -> e.name().equals("layer")))
                .hasSize(4).allSatisfy(l -> assertThat(l.data().path("already_stored").asBoolean()).isTrue());
        List<Event> missing = events(pull(derived, "MISSING"));
        assertThat(missing).extracting(Event::name).containsExactly("done");
        assertThat(missing.getFirst().data().path("image").path("digest").asText())
                .isEqualTo(image.path("digest").asText());
        // the first pull and 'always' asked the registry; 'missing' was served from the store
        assertThat(pullsCounted() - pullsBefore).as("agentkernel_image_pulls_total{outcome=ok}").isEqualTo(2.0);

        ServerFixture.Response list = fx.get("/images");
        JsonNode entry = StreamSupport.stream(list.data().path("images").spliterator(), false)
                .filter(i -> i.path("reference").asText().equals(derived)).findFirst().orElseThrow();
        // as the last pull that stored it left it ('always' stores it again: a later stored_at)
        assertThat(entry).isEqualTo(always.getLast().data().path("image"));
        assertThat(entry.path("digest")).isEqualTo(image.path("digest"));

        JsonNode store = fx.get("/status").data().path("images");
        assertThat(store.path("images").asInt()).isPositive();
        assertThat(store.path("layers").asInt()).isGreaterThanOrEqualTo(4);
        assertThat(store.path("bytes").asLong()).isGreaterThan(image.path("size").asLong());

        ServerFixture.Response removed = delete("/images/" + derived);
        assertThat(removed.status()).as("%s", removed).isEqualTo(200);
        assertThat(removed.data().path("reference").asText()).isEqualTo(derived);
        assertThat(listed()).doesNotContain(derived);

        JsonNode gone = assertErrorEnvelope(delete("/images/" + derived), 404);
        assertThat(gone.path("code").asText()).isEqualTo("not_found");
        assertThat(gone.path("error").asText()).contains(derived);
    }

    /** {@code agentkernel_image_pulls_total{outcome="ok"}} of {@code GET /metrics} (0 before the first). */
    private static double pullsCounted() {
        return fx.get("/metrics").body().lines().filter(l -> l.startsWith("agentkernel_image_pulls_total{")
                        && l.contains("outcome=\"ok\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void clientMistakesAreFourHundredsWithAMessage() {
        JsonNode bad = assertErrorEnvelope(pull("Bad Name:!", null), 400);
        assertThat(bad.path("code").asText()).isEqualTo("invalid_request");
        assertThat(bad.path("error").asText()).contains("Bad Name:!");

        JsonNode policy = assertErrorEnvelope(pull(images.ref(images.plain, "test/base:1"), "sometimes"), 400);
        assertThat(policy.path("error").asText()).contains("sometimes").contains("missing, always or never");

        assertThat(assertErrorEnvelope(fx.post("/images/pull", "{}"), 400).path("error").asText())
                .contains("image is required");
        assertThat(assertErrorEnvelope(fx.post("/images/pull", "{\"image\": 7}"), 400).path("error").asText())
                .contains("image");

        // Not in the registry: found before any event, so an ordinary 404, not an event stream.
        String unknown = images.ref(images.plain, "test/nosuch:1");
        JsonNode notThere = assertErrorEnvelope(pull(unknown, null), 404);
        assertThat(notThere.path("error").asText()).contains(unknown);
        JsonNode never = assertErrorEnvelope(pull(images.ref(images.plain, "test/zstd:1"), "never"), 404);
        assertThat(never.path("error").asText()).contains("test/zstd:1").contains("never");

        assertThat(assertErrorEnvelope(delete("/images/Bad%20Name:!"), 400).path("code").asText())
                .isEqualTo("invalid_request");
        assertThat(assertErrorEnvelope(delete("/images/tool@sha256:abc"), 400).path("error").asText())
                .contains("digest");
        assertThat(assertErrorEnvelope(delete("/images/" + images.ref(images.plain, "test/never-pulled:1")), 404)
                .path("code").asText()).isEqualTo("not_found");
    }

    @Test
    void anImageInUseIsAConflictUntilReleased() {
        String base = images.ref(images.plain, "test/base:1");
        assertThat(events(pull(base, null)).getLast().name()).isEqualTo("done");
        Image stored = fx.daemon.images().find(base).orElseThrow();
        try (ImageLease lease = fx.daemon.images().lease(stored, "images-api-it")) {
            JsonNode conflict = assertErrorEnvelope(delete("/images/" + base), 409);
            assertThat(conflict.path("code").asText()).isEqualTo("conflict");
            assertThat(conflict.path("error").asText()).contains(base).contains("images-api-it");
            assertThat(listed()).contains(base);
        }
        assertThat(delete("/images/" + base).status()).isEqualTo(200);
        assertThat(listed()).doesNotContain(base);
    }
}
