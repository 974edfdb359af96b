package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.testing.SandboxHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client generated from the server's {@code /openapi.json} by standard generators from the npm
 * registry ({@code openapi-typescript} for the types, {@code openapi-fetch} for the calls), its
 * calls type-checked by {@code tsc} against the generated types, then run against the real server:
 * {@code src/test/node/generated-client.mts} (run, a sandbox's create/exec/remove, a code session,
 * errors as the described envelope).
 */
class GeneratedClientIT extends ServerTestBase {

    static final List<String> PACKAGES = List.of("openapi-typescript@7.13.0", "openapi-fetch@0.17.0", "typescript@5.9.3",
            "@types/node@20.19.43");

    @Test
    void aClientGeneratedFromTheDocumentWorksAgainstTheServer() throws Exception {
        SandboxHost.require(SandboxHost.onPath("node").isPresent() && SandboxHost.onPath("npm").isPresent(),
                "GeneratedClientIT needs Node.js and npm on PATH");
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path dir = module.resolve("target/generated-client");
        install(dir);
        ServerFixture.Response doc = fx.get("/openapi.json");
        assertThat(doc.status()).isEqualTo(200);
        Files.write(dir.resolve("openapi.json"), doc.raw().body());
        Files.copy(module.resolve("src/test/node/generated-client.mts"), dir.resolve("client.mts"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("tsconfig.json"), """
                {"compilerOptions": {"target": "es2022", "module": "nodenext", "moduleResolution": "nodenext",
                  "strict": true, "skipLibCheck": true, "outDir": "out"}, "files": ["client.mts"]}
                """);
        String generated = exec(List.of("node", "node_modules/openapi-typescript/bin/cli.js", "openapi.json", "-o",
                "schema.d.ts"), dir, Map.of(), Duration.ofMinutes(2));
        assertThat(generated).as(generated).startsWith("exit 0");
        String compiled = exec(List.of("node", "node_modules/typescript/bin/tsc", "-p", "."), dir, Map.of(),
                Duration.ofMinutes(3));
        assertThat(compiled).as("tsc: the calls type-check against the generated types%n%s", compiled).startsWith("exit 0");
        String ran = exec(List.of("node", "out/client.mjs"), dir, Map.of("AK_URL", fx.baseUrl(), "AK_KEY", KEY),
                Duration.ofMinutes(3));
        System.out.println(ran);
        List<String> lines = ran.strip().lines().toList();
        assertThat(lines).as(ran).noneMatch(l -> l.startsWith("not ok"));
        assertThat(lines.getFirst()).as(ran).isEqualTo("exit 0");
        assertThat(lines.getLast()).as(ran).matches("1[0-9] passed, 0 failed");
    }

    private static void install(Path dir) throws Exception {
        Path marker = dir.resolve("node_modules/openapi-fetch/package.json");
        if (Files.isRegularFile(marker) && Files.isRegularFile(dir.resolve("node_modules/typescript/bin/tsc"))
                && Files.isRegularFile(dir.resolve("node_modules/@types/node/package.json"))) {
            return; // kept from an earlier run
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("package.json"), "{\"name\": \"ak-generated-client\", \"private\": true, "
                + "\"type\": \"module\"}\n");
        List<String> argv = new java.util.ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save"));
        argv.addAll(PACKAGES);
        String out = exec(argv, dir, Map.of(), Duration.ofMinutes(4));
        SandboxHost.require(Files.isRegularFile(marker), "cannot install " + PACKAGES + " from the npm registry: "
                + out);
    }

    private static String exec(List<String> argv, Path dir, Map<String, String> env, Duration limit) throws Exception {
        return NodeExec.exec(argv, dir, env, limit).transcript();
    }
}
