package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading canned {@code GET /status} data and rendering it for people. */
class DaemonStatusFormatterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final DaemonRegistry.Running DAEMON = new DaemonRegistry.Running(4242, Optional.of(
            new DaemonInfo(4242, new DaemonAddress("127.0.0.1", 18888), Instant.parse("2025-01-01T00:00:00Z"), "/state/daemon.log")));

    private static DaemonStatusReport report(String json) throws Exception {
        return DaemonStatusReport.from(MAPPER.readTree(json));
    }

    @Test
    void aFullStatus() throws Exception {
        DaemonStatusReport r = report("""
                {"version": "0.1.0", "uptime_ms": 125000, "backend": "bwrap",
                 "runs": {"running": 2, "max": 32},
                 "pool": {"enabled": true, "target_per_key": 3,
                          "keys": [{"image": "python:3.12-alpine", "profile": "moderate", "ready": 3},
                                   {"image": "node:22-alpine", "profile": "restrictive", "ready": 1}]},
                 "sandboxes": {"total": 5, "running": 1, "stopped": 4},
                 "images": {"images": 2, "layers": 5, "bytes": 6100000}}
                """);

        assertThat(DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(DAEMON, Optional.of(Duration.ofSeconds(3723)),
                Optional.of(r), Optional.empty(), Optional.empty()))).containsExactly(
                "agentkernel: daemon is running",
                "  pid        4242",
                "  address    http://127.0.0.1:18888",
                "  uptime     1h 02m 03s",
                "  version    0.1.0",
                "  backend    bwrap",
                "  runs       2 running (max 32)",
                "  sandboxes  5 total, 1 running, 4 stopped",
                "  images     2 stored, 6.1 MB on disk (5 layers)",
                "  warm pool  enabled, 3 ready per image and profile",
                "             python:3.12-alpine (moderate): 3 ready",
                "             node:22-alpine (restrictive): 1 ready",
                "  log        /state/daemon.log");
    }

    @Test
    void missingFieldsAreLeftOut() throws Exception {
        DaemonStatusReport r = report("""
                {"version": "0.0.9", "runs": {"max": 8}, "pool": {"enabled": false}, "sandboxes": {"total": 2}, "future": [1]}
                """);

        assertThat(r.uptimeMs()).isNull();
        assertThat(r.backend()).isNull();
        assertThat(DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(DAEMON, Optional.empty(), Optional.of(r),
                Optional.empty(), Optional.empty()))).containsExactly(
                "agentkernel: daemon is running",
                "  pid        4242",
                "  address    http://127.0.0.1:18888",
                "  version    0.0.9",
                "  sandboxes  2 total",
                "  warm pool  disabled",
                "  log        /state/daemon.log");
    }

    @Test
    void fieldsOfTheWrongTypeAreIgnored() throws Exception {
        DaemonStatusReport r = report("""
                {"version": 3, "uptime_ms": "long", "runs": [], "pool": {"keys": [{"image": "x"}, 5]}, "sandboxes": null}
                """);

        assertThat(r.version()).isEqualTo("3");
        assertThat(r.uptimeMs()).isNull();
        assertThat(r.runs()).isNull();
        assertThat(r.sandboxes()).isNull();
        assertThat(r.pool().keys()).containsExactly(new DaemonStatusReport.PoolKey("x", null, null));
        assertThat(DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(DAEMON, Optional.empty(), Optional.of(r),
                Optional.empty(), Optional.empty()))).contains("  warm pool  ready:", "             x: ? ready");
    }

    @Test
    void anEmptyObjectGivesTheHealthPartOnly() throws Exception {
        assertThat(DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(DAEMON, Optional.of(Duration.ofSeconds(5)),
                Optional.of(report("{}")), Optional.empty(), Optional.empty()))).containsExactly(
                "agentkernel: daemon is running",
                "  pid        4242",
                "  address    http://127.0.0.1:18888",
                "  uptime     5s",
                "  log        /state/daemon.log");
    }

    @Test
    void problemsAreShown() {
        assertThat(DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(DAEMON, Optional.empty(), Optional.empty(),
                Optional.of("cannot reach http://127.0.0.1:18888: ConnectException"), Optional.empty()))).containsExactly(
                "agentkernel: daemon is running but not answering",
                "  pid        4242",
                "  address    http://127.0.0.1:18888",
                "  health     cannot reach http://127.0.0.1:18888: ConnectException",
                "  log        /state/daemon.log");
        assertThat(DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(DAEMON, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("GET /status answered HTTP 401: missing key"))))
                .contains("  status     GET /status answered HTTP 401: missing key");
        assertThat(DaemonStatusFormatter.lines(new DaemonStatusFormatter.View(new DaemonRegistry.Running(9, Optional.empty()),
                Optional.empty(), Optional.empty(), Optional.of("not answering yet (starting)"), Optional.empty())))
                .containsExactly("agentkernel: daemon is starting", "  pid        9", "  health     not answering yet (starting)");
    }

    @Test
    void uptimes() {
        assertThat(DaemonStatusFormatter.uptime(Duration.ZERO)).isEqualTo("0s");
        assertThat(DaemonStatusFormatter.uptime(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(DaemonStatusFormatter.uptime(Duration.ofSeconds(306))).isEqualTo("5m 06s");
        assertThat(DaemonStatusFormatter.uptime(Duration.ofSeconds(7384))).isEqualTo("2h 03m 04s");
        assertThat(DaemonStatusFormatter.uptime(Duration.ofSeconds(3 * 86_400 + 4 * 3600 + 5 * 60 + 6))).isEqualTo("3d 04h 05m");
        assertThat(DaemonStatusFormatter.uptime(Duration.ofSeconds(-4))).isEqualTo("0s");
    }
}
