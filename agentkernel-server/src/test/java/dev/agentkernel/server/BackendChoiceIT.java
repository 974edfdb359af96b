package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.image.TestImages;
import dev.agentkernel.testing.DockerEngine;
import dev.agentkernel.testing.SandboxHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The isolation backend chosen per request, through a real daemon whose default is bwrap: {@code /run}
 * and {@code /batch/run} on runc, crun and gVisor (whose kernel is its own), a persistent sandbox on runc that
 * keeps its backend and its files across stop/start and a daemon restart, and clear refusals: an unknown
 * backend is a 400 naming the known ones, gVisor with network here a 503 with the reason. On docker (a private
 * engine, {@link DockerEngine}): the host bridge, and persistent sandboxes whose layer is AgentKernel's. On podman, every
 * path of the daemon once: a persistent sandbox across stop/start and a restart, a terminal, a task, a code session.
 */
class BackendChoiceIT extends SandboxTestBase {

    static String base;

    @BeforeAll
    static void images() throws Exception {
        TestImages images = TestImages.get();
        base = images.ref(images.plain, "test/base:1");
    }

    /** The daemon of this class also reaches a private Docker engine (the docker backend's). */
    @BeforeAll
    static void reachADockerEngine() throws Exception {
        SandboxHost.require(DockerEngine.missing().isEmpty(), "the docker backend's tests need "
                + DockerEngine.missing().orElse(""));
        daemonEnv = Map.of("DOCKER_HOST", DockerEngine.shared().host());
        restartDaemon();
    }

    @Test
    void runOnEachBackendPrintsTheSameAndGvisorHasItsOwnKernel() {
        String hostKernel = runOk(List.of("uname", "-r"), Map.of("image", base)).path("stdout").asText();
        for (String backend : List.of("bwrap", "runc", "crun", "gvisor", "podman", "docker")) {
            JsonNode data = runOk(List.of("sh", "-c", "cat /etc/os-release; id -u; echo $IMAGE_NAME"),
                    Map.of("image", base, "backend", backend, "profile", "restrictive"));
            assertThat(data.path("exit_code").asInt()).as("%s: %s", backend, data).isZero();
            assertThat(data.path("stdout").asText()).as(backend).isEqualTo(
                    "NAME=\"AgentKernel test busybox\"\nID=akbusybox\n1000\nbase\n");
        }
        String gvisorKernel = runOk(List.of("uname", "-r"), Map.of("image", base, "backend", "gvisor",
                "profile", "restrictive")).path("stdout").asText();
        assertThat(gvisorKernel).isNotBlank().isNotEqualTo(hostKernel);
        String runcKernel = runOk(List.of("uname", "-r"), Map.of("image", base, "backend", "runc"))
                .path("stdout").asText();
        assertThat(runcKernel).isEqualTo(hostKernel);
    }

    @Test
    void aBatchMayMixBackends() {
        JsonNode results = fx.postJson("/batch/run", Map.of("commands", List.of(
                Map.of("command", List.of("uname", "-r"), "image", base, "backend", "runc"),
                Map.of("command", List.of("uname", "-r"), "image", base, "backend", "gvisor", "profile", "restrictive"))))
                .data().path("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).path("stdout").asText()).isNotEqualTo(results.get(1).path("stdout").asText());
    }

    @Test
    void aPersistentSandboxKeepsItsBackend() throws Exception {
        JsonNode created = api.createOk("on-runc", Map.of("image", base, "backend", "runc"));
        assertThat(created.path("backend").asText()).isEqualTo("runc");
        assertThat(api.sh("on-runc", "echo kept > /workspace/f; id -u")).isEqualTo("1000\n");
        assertThat(api.stop("on-runc").status()).isEqualTo(200);
        assertThat(api.start("on-runc").status()).isEqualTo(200);
        assertThat(api.sh("on-runc", "cat /workspace/f")).isEqualTo("kept\n");
        restartDaemon();
        assertThat(api.get("on-runc").data().path("backend").asText()).isEqualTo("runc");
        assertThat(api.get("on-runc").data().path("status").asText()).isEqualTo("running");
        assertThat(api.sh("on-runc", "cat /workspace/f")).isEqualTo("kept\n");
        assertThat(api.delete("on-runc").status()).isIn(200, 204);
    }

    @Test
    void theEndOfASandboxOnOneBackendNeverEndsOneOnAnother() {
        // each backend used to count its sandboxes from 1: a crun sandbox and a bwrap one had the same cgroup,
        // and removing the first killed the second
        api.createOk("keeps-running", Map.of("image", base));
        for (String backend : List.of("crun", "runc", "gvisor")) {
            api.createOk("ends-" + backend, Map.of("image", base, "backend", backend, "network", false));
            assertThat(api.sh("ends-" + backend, "echo on " + backend)).isEqualTo("on " + backend + "\n");
            assertThat(api.delete("ends-" + backend).status()).isEqualTo(200);
            assertThat(api.get("keeps-running").data().path("status").asText()).as("after a %s sandbox ended", backend)
                    .isEqualTo("running");
            assertThat(api.sh("keeps-running", "echo alive")).isEqualTo("alive\n");
        }
        runOk(List.of("true"), Map.of("image", base, "backend", "crun"));
        assertThat(api.sh("keeps-running", "echo still")).as("after a one-shot crun run").isEqualTo("still\n");
    }

    @Test
    void aPersistentSandboxOnGvisor() {
        JsonNode created = api.createOk("on-gvisor", Map.of("image", base, "backend", "gvisor", "network", false));
        assertThat(created.path("backend").asText()).isEqualTo("gvisor");
        assertThat(api.sh("on-gvisor", "echo hi > /workspace/g; cat /workspace/g; id -u")).isEqualTo("hi\n1000\n");
        assertThat(api.delete("on-gvisor").status()).isIn(200, 204);
    }

    @Test
    void aTaskRunsOnTheBackendItNames() throws Exception {
        TestImages images = TestImages.get();
        ServerFixture.Response dispatched = fx.postJson("/tasks", Map.of("code",
                ". /etc/os-release; echo $VERSION_CODENAME; cat /proc/1/comm", "template", "bash", "image",
                images.debian(), "backend", "runc"));
        assertThat(dispatched.status()).as("%s", dispatched).isEqualTo(202);
        String id = dispatched.data().path("task_id").asText();
        JsonNode done = fx.postJson("/tasks/" + id + "/wait", Map.of("timeout", 120)).data();
        assertThat(done.path("status").asText()).as("%s", done).isEqualTo("completed");
        // under bubblewrap the sandbox's first process is bwrap; under runc it is the agent's exec shim's command
        assertThat(done.path("output").asText()).as("%s", done).startsWith("trixie\n").doesNotContain("bwrap");
        ServerFixture.Response onBwrap = fx.postJson("/tasks", Map.of("code", "cat /proc/1/comm", "template", "bash",
                "image", images.debian()));
        JsonNode control = fx.postJson("/tasks/" + onBwrap.data().path("task_id").asText() + "/wait",
                Map.of("timeout", 120)).data();
        assertThat(control.path("output").asText()).as("%s", control).contains("bwrap");
        ServerFixture.Response bad = fx.postJson("/tasks", Map.of("code", "echo", "backend", "No Such"));
        assertThat(bad.status()).as("%s", bad).isEqualTo(400);
    }

    @Test
    void aCodeSessionRunsOnTheBackendItNames() {
        String probe = "print(open('/proc/1/comm').read().strip())";
        JsonNode onRunc = fx.postJson("/execute", Map.of("code", probe, "template", "python", "backend", "runc")).data();
        assertThat(onRunc.path("success").asBoolean()).as("%s", onRunc).isTrue();
        assertThat(onRunc.path("stdout").asText()).as("%s", onRunc).isNotBlank().doesNotContain("bwrap");
        JsonNode again = fx.postJson("/execute", Map.of("code", "x = 6 * 7; print(x)", "session_id",
                onRunc.path("session_id").asText())).data();
        assertThat(again.path("stdout").asText()).as("%s", again).isEqualTo("42\n");
        JsonNode onBwrap = fx.postJson("/execute", Map.of("code", probe, "template", "python")).data();
        assertThat(onBwrap.path("stdout").asText()).as("%s", onBwrap).contains("bwrap");
        ServerFixture.Response switched = fx.postJson("/execute", Map.of("code", "1", "session_id",
                onRunc.path("session_id").asText(), "backend", "gvisor"));
        assertThat(switched.status()).as("%s", switched).isEqualTo(400);
        assertThat(switched.body()).contains("backend can only be given when a session is created");
        for (JsonNode session : List.of(onRunc, onBwrap)) {
            ServerFixture.Response deleted = fx.send(fx.request("/sessions/" + session.path("session_id").asText())
                    .DELETE().build());
            assertThat(deleted.status()).as("%s", deleted).isEqualTo(200);
        }
    }

    @Test
    void dockerGivesNetworkThroughTheBridge() {
        // the moderate profile's network: the container's namespace wired to the host bridge before the command runs
        // (the default route's gateway, 100.64.0.1, is 01004064 in /proc/net/route)
        JsonNode networked = runOk(List.of("sh", "-c", "grep -c eth0 /proc/net/dev; cat /etc/resolv.conf; "
                        + "grep -c '^eth0\t00000000\t01004064' /proc/net/route"),
                Map.of("image", base, "backend", "docker"));
        assertThat(networked.path("exit_code").asInt()).as("%s", networked).isZero();
        assertThat(networked.path("stdout").asText()).as("%s", networked)
                .startsWith("1\n").contains("nameserver 10.0.2.3").endsWith("1\n");
        JsonNode offline = runOk(List.of("sh", "-c", "id -u; cat /proc/net/dev | grep -c eth0"),
                Map.of("image", base, "backend", "docker", "profile", "restrictive"));
        assertThat(offline.path("stdout").asText()).as("%s", offline).isEqualTo("1000\n0\n");
    }

    /**
     * A persistent sandbox on docker keeps its whole root (a file made as root, a file of the image removed) and its
     * workspace across stop/start and a daemon restart, in its own writable layer: a snapshot of it and a fork have them.
     */
    @Test
    void dockerRunsPersistentSandboxesWhoseLayerIsAgentKernels() throws Exception {
        JsonNode created = api.createOk("on-docker", Map.of("image", base, "backend", "docker"));
        assertThat(created.path("backend").asText()).isEqualTo("docker");
        JsonNode changed = api.execOk("on-docker", List.of("sh", "-c", "echo root-kept > /opt/f; rm /bin/uname"),
                Map.of("sudo", true));
        assertThat(changed.path("exit_code").asInt()).as("%s", changed).isZero();
        assertThat(api.sh("on-docker", "echo ws > /workspace/w; id -u; grep -c eth0 /proc/net/dev")).isEqualTo("1000\n1\n");
        String check = "cat /opt/f /workspace/w; ls /bin/uname 2>&1 | grep -c 'No such'";
        String kept = "root-kept\nws\n1\n";
        assertThat(api.stop("on-docker").status()).isEqualTo(200);
        assertThat(api.start("on-docker").status()).isEqualTo(200);
        assertThat(api.sh("on-docker", check)).isEqualTo(kept);
        restartDaemon();
        assertThat(api.get("on-docker").data().path("status").asText()).isEqualTo("running");
        assertThat(api.sh("on-docker", check)).isEqualTo(kept);
        ServerFixture.Response forked = fx.post("/sandboxes/on-docker/fork", "{\"names\": [\"docker-fork\"]}");
        assertThat(forked.status()).as("%s", forked).isEqualTo(201);
        api.remember("docker-fork");
        assertThat(api.get("docker-fork").data().path("backend").asText()).isEqualTo("docker");
        assertThat(api.sh("docker-fork", check)).isEqualTo(kept);
        assertThat(api.delete("docker-fork").status()).isEqualTo(200);
        assertThat(api.delete("on-docker").status()).isEqualTo(200);
        for (JsonNode s : fx.get("/snapshots").data()) {
            fx.send(fx.request("/snapshots/" + s.path("name").asText()).DELETE().build());
        }

        // a task (on an image with bash; its moderate profile has network)
        ServerFixture.Response dispatched = fx.postJson("/tasks", Map.of("code",
                ". /etc/os-release; echo $VERSION_CODENAME; grep -c eth0 /proc/net/dev", "template", "bash", "image",
                TestImages.get().debian(), "backend", "docker"));
        assertThat(dispatched.status()).as("%s", dispatched).isEqualTo(202);
        JsonNode done = fx.postJson("/tasks/" + dispatched.data().path("task_id").asText() + "/wait",
                Map.of("timeout", 120)).data();
        assertThat(done.path("status").asText()).as("%s", done).isEqualTo("completed");
        assertThat(done.path("output").asText()).as("%s", done).startsWith("trixie\n1");
        // this daemon's code sessions run on the host's /usr (AGENTKERNEL_DEFAULT_IMAGE=host), which docker cannot
        ServerFixture.Response session = fx.postJson("/execute", Map.of("code", "1", "template", "python",
                "backend", "docker"));
        assertThat(session.status()).as("%s", session).isEqualTo(503);
        assertThat(session.body()).contains("runs sandboxes on an image only");
    }

    @Test
    void anUnknownBackendIsA400AndAnImpossibleOneA503() {
        ServerFixture.Response unknown = fx.run(List.of("true"), Map.of("image", base, "backend", "qemu"));
        assertThat(unknown.status()).as("%s", unknown).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown backend 'qemu'").contains("bwrap").contains("runc")
                .contains("gvisor");
        ServerFixture.Response bad = fx.run(List.of("true"), Map.of("image", base, "backend", "Bad Name"));
        assertThat(bad.status()).as("%s", bad).isEqualTo(400);
        ServerFixture.Response networked = fx.run(List.of("true"), Map.of("image", base, "backend", "gvisor"));
        assertThat(networked.status()).as("%s", networked).isEqualTo(503);
        assertThat(networked.body()).contains("network");
        ServerFixture.Response box = api.create("bad-backend", Map.of("image", base, "backend", "qemu"));
        assertThat(box.status()).as("%s", box).isEqualTo(400);
        assertThat(api.get("bad-backend").status()).isEqualTo(404);
    }

    @Test
    void podmanRunsPersistentSandboxesTerminalsTasksAndSessions() throws Exception {
        JsonNode created = api.createOk("on-podman", Map.of("image", base, "backend", "podman"));
        assertThat(created.path("backend").asText()).isEqualTo("podman");
        assertThat(api.sh("on-podman", "echo kept > /workspace/f; id -u")).isEqualTo("1000\n");
        assertThat(api.stop("on-podman").status()).isEqualTo(200);
        assertThat(api.start("on-podman").status()).isEqualTo(200);
        assertThat(api.sh("on-podman", "cat /workspace/f")).isEqualTo("kept\n");
        restartDaemon();
        assertThat(api.get("on-podman").data().path("backend").asText()).isEqualTo("podman");
        assertThat(api.get("on-podman").data().path("status").asText()).isEqualTo("running");
        assertThat(api.sh("on-podman", "cat /workspace/f")).isEqualTo("kept\n");

        // a shell on a pseudo-terminal, its size and exit code
        ServerFixture.Response opened = fx.post("/sandboxes/on-podman/attach", "{\"rows\": 30, \"cols\": 100}");
        assertThat(opened.status()).as("%s", opened).isEqualTo(201);
        String session = opened.data().path("session").asText();
        java.net.http.HttpResponse<java.io.InputStream> stream = fx.http.sendAsync(
                fx.request("/attach/" + session + "/events").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream()).get(10, java.util.concurrent.TimeUnit.SECONDS);
        StringBuilder screen = new StringBuilder();
        int exitCode = -1;
        ServerFixture.Response typed = fx.send(fx.request("/attach/" + session + "/input")
                .setHeader("Content-Type", "application/octet-stream")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("stty size; exit 5\n")).build());
        assertThat(typed.status()).as("%s", typed).isEqualTo(204);
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String type = "";
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    JsonNode data = ServerFixture.JSON.readTree(line.substring(6));
                    if (type.equals("output")) {
                        screen.append(new String(java.util.Base64.getDecoder().decode(data.path("b64").asText()),
                                java.nio.charset.StandardCharsets.UTF_8));
                    } else if (type.equals("exit")) {
                        exitCode = data.path("exit_code").asInt();
                        break;
                    }
                }
            }
        }
        assertThat(screen.toString()).contains("30 100");
        assertThat(exitCode).as("%s", screen).isEqualTo(5);
        assertThat(api.delete("on-podman").status()).isIn(200, 204);

        TestImages images = TestImages.get();
        ServerFixture.Response dispatched = fx.postJson("/tasks", Map.of("code",
                ". /etc/os-release; echo $VERSION_CODENAME; cat /proc/1/comm", "template", "bash", "image",
                images.debian(), "backend", "podman"));
        assertThat(dispatched.status()).as("%s", dispatched).isEqualTo(202);
        JsonNode done = fx.postJson("/tasks/" + dispatched.data().path("task_id").asText() + "/wait",
                Map.of("timeout", 120)).data();
        assertThat(done.path("status").asText()).as("%s", done).isEqualTo("completed");
        assertThat(done.path("output").asText()).as("%s", done).startsWith("trixie\n").doesNotContain("bwrap");

        JsonNode first = fx.postJson("/execute", Map.of("code", "x = 6 * 7", "template", "python",
                "backend", "podman")).data();
        assertThat(first.path("success").asBoolean()).as("%s", first).isTrue();
        JsonNode again = fx.postJson("/execute", Map.of("code", "print(x)", "session_id",
                first.path("session_id").asText())).data();
        assertThat(again.path("stdout").asText()).as("%s", again).isEqualTo("42\n");
        ServerFixture.Response deleted = fx.send(fx.request("/sessions/" + first.path("session_id").asText())
                .DELETE().build());
        assertThat(deleted.status()).as("%s", deleted).isEqualTo(200);
    }
}
