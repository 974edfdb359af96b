package dev.agentkernel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteAuditLogTest {

    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00.123456789Z");

    private final Database db = Database.inMemory();
    private final SqliteAuditLog log = new SqliteAuditLog(db);

    @AfterEach
    void close() {
        db.close();
    }

    private static AuditEvent event(int i, String sandbox) {
        return new AuditEvent(T0.plusSeconds(i), AuditEventType.COMMAND_EXECUTED, Optional.ofNullable(sandbox),
                Map.of("seq", (long) i));
    }

    @Test
    void roundTripsEveryField() {
        AuditEvent withAll = new AuditEvent(T0, AuditEventType.COMMAND_EXECUTED, Optional.of("web"),
                orderedMap("command", "ls -la", "exit_code", 0L, "ok", true));
        AuditEvent bare = new AuditEvent(T0.plusNanos(1), AuditEventType.POLICY_VIOLATION, Optional.empty(), Map.of());
        log.append(withAll);
        log.append(bare);

        assertThat(log.recent(10)).containsExactly(withAll, bare);
        assertThat(log.forSandbox("web", 10)).containsExactly(withAll);
        assertThat(List.copyOf(log.recent(1).getFirst().details().keySet())).isEmpty();
        assertThat(List.copyOf(log.recent(2).getFirst().details().keySet()))
                .containsExactly("command", "exit_code", "ok");
    }

    @Test
    void roundTripsEveryType() {
        for (AuditEventType type : AuditEventType.values()) {
            log.append(new AuditEvent(T0, type, Optional.of("s"), Map.of()));
        }
        assertThat(log.recent(100)).extracting(AuditEvent::type).containsExactly(AuditEventType.values());
    }

    @Test
    void detailsRoundTripAsCompactJsonWithUnicodeAndNumbers() {
        Map<String, Object> details = orderedMap(
                "text", "héllo ✓ 日本語 🚀 \"quoted\" back\\slash\nnew line\ttab",
                "int", 42,
                "long", Long.MAX_VALUE,
                "negative", -7L,
                "double", 3.25,
                "tiny", 1e-7,
                "float", 0.1f,
                "huge", new BigInteger("123456789012345678901234567890"),
                "yes", true,
                "no", false,
                "ключ 🔑", "значение");
        log.append(new AuditEvent(T0, AuditEventType.FILE_WRITTEN, Optional.of("s"), details));

        Map<String, Object> back = log.recent(1).getFirst().details();
        assertThat(back).containsExactly(
                Map.entry("text", "héllo ✓ 日本語 🚀 \"quoted\" back\\slash\nnew line\ttab"),
                Map.entry("int", 42L),
                Map.entry("long", Long.MAX_VALUE),
                Map.entry("negative", -7L),
                Map.entry("double", 3.25),
                Map.entry("tiny", 1e-7),
                Map.entry("float", 0.1),
                Map.entry("huge", new BigInteger("123456789012345678901234567890")),
                Map.entry("yes", true),
                Map.entry("no", false),
                Map.entry("ключ 🔑", "значение"));
        assertThat(back.get("int")).isInstanceOf(Long.class);
        assertThat(back.get("double")).isInstanceOf(Double.class);
        assertThat(rawDetails()).isEqualTo("{\"text\":\"héllo ✓ 日本語 🚀 \\\"quoted\\\" back\\\\slash\\nnew line\\ttab\","
                + "\"int\":42,\"long\":9223372036854775807,\"negative\":-7,\"double\":3.25,\"tiny\":1.0E-7,"
                + "\"float\":0.1,\"huge\":123456789012345678901234567890,\"yes\":true,\"no\":false,"
                + "\"ключ 🔑\":\"значение\"}");
    }

    @Test
    void eventsOfTheSameInstantKeepTheOrderTheyWereAppended() {
        List<AuditEvent> appended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            AuditEvent e = new AuditEvent(T0, AuditEventType.FILE_READ, Optional.of("s"), Map.of("seq", (long) i));
            appended.add(e);
            log.append(e);
        }
        assertThat(log.recent(100)).containsExactlyElementsOf(appended);
        assertThat(log.recent(5)).containsExactlyElementsOf(appended.subList(15, 20));
        assertThat(log.forSandbox("s", 5)).containsExactlyElementsOf(appended.subList(15, 20));
    }

    @Test
    void ordersByTimeNotByAppendOrder() {
        log.append(event(3, "s"));
        log.append(event(1, "s"));
        log.append(event(2, "s"));
        assertThat(log.recent(10)).containsExactly(event(1, "s"), event(2, "s"), event(3, "s"));
        assertThat(log.recent(2)).containsExactly(event(2, "s"), event(3, "s"));
    }

    @Test
    void aLimitKeepsTheNewestEventsOldestFirst() {
        for (int i = 0; i < 10; i++) {
            log.append(event(i, i % 2 == 0 ? "even" : "odd"));
        }
        log.append(event(10, null));

        assertThat(log.recent(3)).containsExactly(event(8, "even"), event(9, "odd"), event(10, null));
        assertThat(log.recent(11)).hasSize(11).first().isEqualTo(event(0, "even"));
        assertThat(log.recent(Integer.MAX_VALUE)).hasSize(11);
        assertThat(log.recent(0)).isEmpty();
        assertThat(log.forSandbox("even", 2)).containsExactly(event(6, "even"), event(8, "even"));
        assertThat(log.forSandbox("odd", 100)).containsExactly(
                event(1, "odd"), event(3, "odd"), event(5, "odd"), event(7, "odd"), event(9, "odd"));
        assertThat(log.forSandbox("odd", 0)).isEmpty();
        assertThat(log.forSandbox("none", 10)).isEmpty();
        assertThatThrownBy(() -> log.recent(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.forSandbox("odd", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepNewestDeletesAllButTheNewestEvents() {
        for (int i = 0; i < 6; i++) {
            log.append(event(5 - i, "s")); // appended out of time order: the newest by time are kept
        }
        assertThat(log.keepNewest(10)).isZero();
        assertThat(log.keepNewest(2)).isEqualTo(4);
        assertThat(log.recent(10)).containsExactly(event(4, "s"), event(5, "s"));
        assertThat(log.keepNewest(0)).isEqualTo(2);
        assertThatThrownBy(() -> log.keepNewest(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pruneDeletesOnlyOlderEvents() {
        for (int i = 0; i < 5; i++) {
            log.append(event(i, "s"));
        }
        assertThat(log.prune(T0.plusSeconds(2))).isEqualTo(2);
        assertThat(log.recent(10)).containsExactly(event(2, "s"), event(3, "s"), event(4, "s"));
        assertThat(log.prune(T0.plusSeconds(2))).isZero();
        assertThat(log.prune(Instant.MAX)).isEqualTo(3);
        assertThat(log.recent(10)).isEmpty();
    }

    @Test
    void concurrentAppendsAreAllKept() {
        int threads = 8;
        int each = 500;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                String sandbox = "t" + t;
                executor.submit(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            log.append(AuditEvent.now(AuditEventType.COMMAND_EXECUTED, sandbox, Map.of("seq", i)));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
            }
        }
        assertThat(failures).isEmpty();
        List<AuditEvent> all = log.recent(10_000);
        assertThat(all).hasSize(threads * each);
        Set<String> distinct = new HashSet<>();
        all.forEach(e -> distinct.add(e.sandbox().orElseThrow() + "/" + e.details().get("seq")));
        assertThat(distinct).hasSize(threads * each);
        assertThat(log.forSandbox("t3", 10_000)).hasSize(each);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).timestamp()).isAfterOrEqualTo(all.get(i - 1).timestamp());
        }
    }

    @Test
    void appendNeverThrowsOnAFailingStoreButWarns() {
        List<LogRecord> records = new ArrayList<>();
        Logger jul = Logger.getLogger(SqliteAuditLog.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        jul.setUseParentHandlers(false);
        try {
            db.close();
            log.append(event(1, "web"));
            assertThat(records).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).contains("command_executed", "web", "closed");
            });
        } finally {
            jul.removeHandler(handler);
            jul.setUseParentHandlers(true);
        }
    }

    @Test
    void persistsAcrossReopening(@TempDir Path dir) {
        Path file = dir.resolve("state.db");
        try (Database first = Database.open(file)) {
            SqliteAuditLog l = new SqliteAuditLog(first);
            l.append(event(1, "web"));
            l.append(event(2, null));
        }
        try (Database second = Database.open(file)) {
            SqliteAuditLog l = new SqliteAuditLog(second);
            assertThat(l.recent(10)).containsExactly(event(1, "web"), event(2, null));
            l.append(event(3, "web"));
            assertThat(l.forSandbox("web", 10)).containsExactly(event(1, "web"), event(3, "web"));
        }
    }

    @Test
    void eventsOfAnUnknownTypeAreSkipped() {
        Logger.getLogger(SqliteAuditLog.class.getName()).setUseParentHandlers(false);
        log.append(event(1, "s"));
        db.withConnection(c -> c.createStatement().executeUpdate(
                "INSERT INTO audit_events (ts, type, sandbox) VALUES (" + Timestamps.toEpochNanos(T0.plusSeconds(2))
                        + ", 'from_the_future', 's')"));
        log.append(event(3, "s"));
        try {
            assertThat(log.recent(10)).containsExactly(event(1, "s"), event(3, "s"));
        } finally {
            Logger.getLogger(SqliteAuditLog.class.getName()).setUseParentHandlers(true);
        }
    }

    @Test
    void timestampsKeepNanosecondsAndSurviveExtremes() {
        assertThat(Timestamps.fromEpochNanos(Timestamps.toEpochNanos(T0))).isEqualTo(T0);
        Instant before = Instant.parse("1969-12-31T23:59:59.999999999Z");
        assertThat(Timestamps.fromEpochNanos(Timestamps.toEpochNanos(before))).isEqualTo(before);
        assertThat(Timestamps.toEpochNanos(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(Timestamps.toEpochNanos(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    }

    private String rawDetails() {
        return db.withConnection(c -> {
            try (ResultSet r = c.createStatement().executeQuery("SELECT details FROM audit_events")) {
                r.next();
                return r.getString(1);
            }
        });
    }

    private static Map<String, Object> orderedMap(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
