package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Code sessions (docs/code-sessions.md) against the real daemon: state kept between calls,
 * errors as results, timeouts, a dead interpreter, isolation, the routes around them, and the
 * session gone after close. Needs the daemon's code-session routes ({@code POST /execute},
 * {@code /sessions}, {@code /stats}, {@code /maintenance/*}).
 */
class CodeSessionsIT extends DaemonTestBase {

    @AfterEach
    void noSessionLeftBehind() {
        try (AgentKernel check = fx.client()) {
            assertThat(check.listSessions()).as("code sessions left behind by the test").isEmpty();
        }
    }

    @Test
    void aPythonSessionKeepsItsStateAndIsDeletedOnClose() {
        String id;
        try (CodeSession python = client.codeSession("python")) {
            CodeResult first = python.execute("import math\nx = 41");
            assertThat(first.success()).isTrue();
            assertThat(first.sessionCreated()).isTrue();
            assertThat(first.template()).isEqualTo("python");
            assertThat(first.flavor()).isEqualTo("small");
            id = first.sessionId();
            CodeResult second = python.execute("x + 1");
            assertThat(second.sessionCreated()).isFalse();
            assertThat(second.sessionId()).isEqualTo(id);
            assertThat(second.stdout()).isEqualTo("42\n");
            assertThat(python.execute("def f(n):\n    return n * 2\n\nprint(f(x))").stdout()).isEqualTo("82\n");

            SessionInfo info = python.info();
            assertThat(info.sessionId()).isEqualTo(id);
            assertThat(info.template()).isEqualTo("python");
            assertThat(info.executions()).isEqualTo(3);
            assertThat(info.memoryMb()).isEqualTo(1024);
            assertThat(client.listSessions()).extracting(SessionInfo::sessionId).contains(id);
        }
        assertThatThrownBy(() -> client.getSession(id)).isInstanceOfSatisfying(SessionNotFoundException.class,
                e -> assertThat(e.code()).contains("session_not_found"));
    }

    @Test
    void codeThatRaisesIsAResultAndTheSessionGoesOn() {
        try (CodeSession python = client.codeSession(CodeOptions.defaults())) {
            python.execute("y = 'kept'");
            CodeResult r = python.execute("print('before')\n1 / 0");
            assertThat(r.success()).isFalse();
            assertThat(r.stdout()).isEqualTo("before\n");
            CodeError e = r.error().orElseThrow();
            assertThat(e.type()).isEqualTo("ZeroDivisionError");
            assertThat(e.message()).isEqualTo("division by zero");
            assertThat(e.traceback()).contains("ZeroDivisionError");
            assertThat(python.execute("print(y)").stdout()).isEqualTo("kept\n");
        }
    }

    @Test
    void aTimeoutInterruptsTheCodeAndKeepsTheState() {
        try (CodeSession python = client.codeSession("python")) {
            python.execute("z = 7");
            CodeResult r = python.execute("import time\ntime.sleep(30)", Duration.ofSeconds(1));
            assertThat(r.success()).isFalse();
            assertThat(r.error()).hasValueSatisfying(e -> assertThat(e.timedOut()).isTrue());
            assertThat(r.stateLost()).isFalse();
            assertThat(python.execute("print(z)").stdout()).isEqualTo("7\n");
        }
    }

    @Test
    void aDeadInterpreterIsReplacedAndItsFilesAreKept() {
        try (CodeSession python = client.codeSession("python")) {
            python.execute("open('/tmp/kept.txt', 'w').write('file')\nv = 1");
            CodeResult died = python.execute("import os\nos._exit(3)");
            assertThat(died.success()).isFalse();
            assertThat(died.stateLost()).isTrue();
            assertThat(died.error()).hasValueSatisfying(e -> assertThat(e.interpreterDied()).isTrue());
            assertThat(python.execute("print(open('/tmp/kept.txt').read())").stdout()).isEqualTo("file\n");
            CodeResult gone = python.execute("v");
            assertThat(gone.error()).hasValueSatisfying(e -> assertThat(e.type()).isEqualTo("NameError"));
        }
    }

    @Test
    void twoSessionsDoNotSeeEachOthersState() {
        try (CodeSession a = client.codeSession("python"); CodeSession b = client.codeSession("python")) {
            a.execute("secret = 'a'");
            b.execute("import os");
            assertThat(a.id()).isNotEqualTo(b.id());
            CodeResult r = b.execute("secret");
            assertThat(r.error()).hasValueSatisfying(e -> assertThat(e.type()).isEqualTo("NameError"));
        }
    }

    @Test
    void aBashSessionKeepsItsWorkingDirectoryAndVariables() {
        try (CodeSession sh = client.codeSession("bash")) {
            sh.execute("cd /tmp && GREETING=hello");
            assertThat(sh.execute("pwd; echo $GREETING").stdout()).isEqualTo("/tmp\nhello\n");
            CodeResult failed = sh.execute("ls /no/such/dir");
            assertThat(failed.success()).isFalse();
            assertThat(failed.stderr()).contains("/no/such/dir");
        }
    }

    @Test
    void theContractsErrorsHaveTheirTypes() {
        assertThatThrownBy(() -> client.executeCode("1", CodeOptions.defaults().withTemplate("cobol")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.code()).contains("invalid_request"));
        assertThatThrownBy(() -> client.executeCode("1", CodeOptions.defaults().withFlavor("huge")))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> client.executeCode("1", CodeOptions.defaults().withSessionId("ses-0000000000000000")))
                .isInstanceOf(SessionNotFoundException.class);
        assertThatThrownBy(() -> client.deleteSession("ses-0000000000000000")).isInstanceOf(SessionNotFoundException.class);
        try (CodeSession python = client.codeSession("python")) {
            String id = python.execute("1").sessionId();
            assertThatThrownBy(() -> client.executeCode("1", CodeOptions.defaults().withSessionId(id).withTemplate("bash")))
                    .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).contains("conflict"));
        }
    }

    @Test
    void statsAndMaintenance() {
        try (CodeSession python = client.codeSession("python")) {
            String id = python.execute("1").sessionId();
            SessionStats stats = client.sessionStats();
            assertThat(stats.activeSessions()).isGreaterThanOrEqualTo(1);
            assertThat(stats.maxSessions()).isPositive();
            assertThat(stats.maxTotalMemoryMb()).isPositive();
            assertThat(stats.sessionTimeout()).isPositive();
            assertThat(stats.byTemplate()).containsKey("python");
            assertThat(stats.sessions()).extracting(SessionInfo::sessionId).contains(id);
            try {
                assertThat(client.pauseMaintenance().paused()).isTrue();
                assertThat(client.sessionStats().maintenance().paused()).isTrue();
            } finally {
                assertThat(client.resumeMaintenance().paused()).isFalse();
            }
            assertThat(client.sessionStats().maintenance().interval()).isPositive();
        }
    }

    @Test
    void asyncExecutionsRunInOrderAndWithCodeSessionDeletes() {
        CompletableFuture<String> out = async.withCodeSession(CodeOptions.defaults().withTemplate("python"), python -> {
            python.execute("n = 1");
            python.execute("n += 1");
            return python.execute("print(n)").thenApply(CodeResult::stdout);
        });
        assertThat(out.join()).isEqualTo("2\n");
    }
}
