package dev.agentkernel.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenApiTest {

    @Test
    void everyRouteIsAnOperationWithAUniqueId() {
        JsonNode doc = WireJson.tree(OpenApi.document("test"));
        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        Set<String> ids = new HashSet<>();
        int operations = 0;
        for (ApiRoutes.Route route : ApiRoutes.all()) {
            JsonNode op = doc.path("paths").path(route.openApiPath()).path(route.method().toLowerCase());
            assertThat(op.isObject()).as(route.id()).isTrue();
            assertThat(ids.add(op.path("operationId").asText())).as("unique id of %s", route.id()).isTrue();
            operations++;
        }
        assertThat(operations).isEqualTo(ApiRoutes.all().size());
        assertThat(ApiRoutes.all().stream().map(ApiRoutes.Route::id).distinct().count()).isEqualTo(operations);
    }

    @Test
    void schemasMatchWhatTheMappingWrites() {
        JsonSchemas.Components components = new JsonSchemas.Components();
        Map<String, Object> schema = components.schema(SandboxView.class);
        SchemaCheck check = new SchemaCheck(components.named());
        SandboxView view = new SandboxView("a", "running", "bwrap", null, 1, 512, null, 3L, 9L, "moderate", true, null,
                "2025-01-01T00:00:00Z", "0b0e7f4e-0000-4000-8000-000000000001", "2025-01-02T00:00:00Z");
        assertThat(check.problems(WireJson.tree(view), schema)).isEmpty();
        JsonNode bad = WireJson.tree(Map.of("name", "a", "vcpus", 0.5));
        assertThat(check.problems(bad, schema)).isNotEmpty();
        Map<String, Object> inline = JsonSchemas.inline(TaskState.class);
        assertThat(WireJson.tree(inline).path("required").toString()).isEqualTo("[\"task_id\",\"status\",\"output\",\"error\"]");
        assertThat(new SchemaCheck(Map.of()).problems(WireJson.tree(new TaskState("t", "running", "", null, null)), inline))
                .isEmpty();
        Map<String, Object> run = JsonSchemas.inline(RunRequest.class);
        assertThat(WireJson.tree(run).path("required").toString()).isEqualTo("[\"command\"]");
        assertThat(WireJson.tree(JsonSchemas.inline(CreateSandboxRequest.class)).at("/properties/vcpus/type").asText())
                .isEqualTo("integer");
        assertThat(List.of(1)).hasSize(1);
    }
}
