package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.api.ApiRoutes;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTemplatesTest {

    final RouteTemplates templates = new RouteTemplates(ApiRoutes.all());

    private Optional<String> route(String method, String path) {
        return templates.match(method, path).map(ApiRoutes.Route::id);
    }

    @Test
    void requestsAreLabelledByTheTemplateOfTheirRoute() {
        assertThat(route("GET", "/metrics")).hasValue("GET /metrics");
        assertThat(route("POST", "/run")).hasValue("POST /run");
        assertThat(route("GET", "/sandboxes/box-1")).hasValue("GET /sandboxes/{name}");
        assertThat(route("GET", "/sandboxes/by-uuid/0000")).as("the table's order, as the server routes")
                .hasValue("GET /sandboxes/by-uuid/{uuid}");
        assertThat(route("PUT", "/sandboxes/b/files/workspace/a/b.txt")).hasValue("PUT /sandboxes/{name}/files/{+path}");
        assertThat(route("DELETE", "/images/registry:5000/a/b:1")).hasValue("DELETE /images/{+ref}");
        assertThat(route("GET", "/sandboxes/b/exec/detached/7/logs"))
                .hasValue("GET /sandboxes/{name}/exec/detached/{id}/logs");
    }

    @Test
    void whatNoRouteServesIsUnmatched() {
        assertThat(route("GET", "/nothing")).isEmpty();
        assertThat(route("PUT", "/sandboxes")).isEmpty();
        assertThat(route("GET", "/sandboxes/a/b/c")).isEmpty();
        assertThat(route("GET", "/sandboxes/")).isEmpty();
        assertThat(route("PUT", "/sandboxes/b/files/")).isEmpty();
        assertThat(RouteTemplates.methodLabel("GET")).isEqualTo("GET");
        assertThat(RouteTemplates.methodLabel("BREW")).isEqualTo("other");
    }
}
