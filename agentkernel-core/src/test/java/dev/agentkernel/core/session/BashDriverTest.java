package dev.agentkernel.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BashDriverTest extends DriverTestSupport {

    @Override
    InterpreterTemplate template() {
        return InterpreterTemplate.BASH;
    }

    @Test
    void keepsVariablesFunctionsAndAliases() {
        DriverConnection c = connect();
        assertThat(ok(c, "X=42").stdout()).isEmpty();
        assertThat(ok(c, "echo $X").stdout()).isEqualTo("42\n");
        ok(c, "greet() {\n  echo \"hello $1\"\n}\nexport E=env");
        assertThat(ok(c, "greet world\nsh -c 'echo $E'").stdout()).isEqualTo("hello world\nenv\n");
    }

    @Test
    void keepsWorkingDirectoryAndFiles() {
        DriverConnection c = connect();
        ok(c, "mkdir sub && cd sub && printf hi > f.txt");
        assertThat(ok(c, "echo \"$(basename \"$PWD\") $(< f.txt)\"").stdout()).isEqualTo("sub hi\n");
    }

    @Test
    void driversDoNotShareState() {
        DriverConnection a = connect();
        DriverConnection b = connect();
        ok(a, "X=1");
        assertThat(ok(b, "echo \"[${X:-unset}]\"").stdout()).isEqualTo("[unset]\n");
    }

    @Test
    void reportsNonzeroStatusAsExitStatusError() {
        DriverConnection c = connect();
        DriverResult r = failed(c, "echo out; echo oops >&2; false");
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
        assertThat(r.error().type()).isEqualTo(CodeError.EXIT_STATUS);
        assertThat(r.error().message()).isEqualTo("exit status 1");
        assertThat(failed(c, "(exit 7)").error().message()).isEqualTo("exit status 7");
        assertThat(ok(c, "echo alive").stdout()).isEqualTo("alive\n");
    }

    @Test
    void handlesUnicodeSpecialCharactersAndMissingNewlines() {
        DriverConnection c = connect();
        assertThat(ok(c, "s='héllo ✓ 😀 日本 \"q\" \\\\ \t tab'\necho \"$s\"").stdout()).isEqualTo("héllo ✓ 😀 日本 \"q\" \\\\ \t tab\n");
        assertThat(ok(c, "printf 'no newline'").stdout()).isEqualTo("no newline");
        assertThat(ok(c, "printf 'a\\001b\\r\\n'").stdout()).isEqualTo("a\u0001b\r\n");
    }

    @Test
    void returnsAMegabyteOfOutput() {
        DriverConnection c = connect();
        String code = "s=xxxxxxxxxxxxxxxx\nfor i in {1..16}; do s=$s$s; done\nprintf '%s\\n' \"$s\"";
        assertThat(ok(c, code).stdout()).isEqualTo(megabyteOf('x') + "\n");
    }

    @Test
    void timeoutAbortsBuiltinLoopsAndExternalCommandsAndKeepsState() {
        DriverConnection c = connect();
        ok(c, "X=42\nf() { while true; do :; done; }");
        DriverResult loop = c.execute("f\necho not reached", Duration.ofMillis(500));
        assertThat(loop.timedOut()).as("%s", loop).isTrue();
        assertThat(loop.stdout()).isEmpty();
        DriverResult sleep = c.execute("sleep 30", Duration.ofMillis(500));
        assertThat(sleep.timedOut()).as("%s", sleep).isTrue();
        assertThat(sleep.executionTimeMs()).isLessThan(10_000);
        assertThat(ok(c, "echo $X").stdout()).isEqualTo("42\n");
    }

    @Test
    void sigintInterruptsTheRequestAndKeepsState() throws Exception {
        DriverConnection c = connect();
        ok(c, "X=42");
        DriverResult r = interruptAfterStart(c, "echo started\nwhile true; do :; done\necho not reached");
        assertThat(r.interrupted()).as("%s", r).isTrue();
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(ok(c, "echo $X").stdout()).isEqualTo("42\n");
        c.interrupt();
        Thread.sleep(200);
        assertThat(ok(c, "echo $((X + 1))").stdout()).isEqualTo("43\n");
    }

    @Test
    void exitEndsTheShellAndIsReportedAsDied() {
        DriverConnection c = connect();
        assertThatThrownBy(() -> c.execute("exit 3", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(InterpreterDiedException.class, e -> assertThat(e.exitStatus()).hasValue(3));
        assertThatThrownBy(() -> c.execute("echo")).isInstanceOf(InterpreterDiedException.class);
    }

    @Test
    void handlesManySequentialRequests() {
        DriverConnection c = connect();
        ok(c, "n=0");
        for (int i = 0; i < 200; i++) {
            ok(c, "n=$((n + 1))");
        }
        assertThat(ok(c, "echo $n").stdout()).isEqualTo("200\n");
    }

    @Test
    void exitsOnEndOfInput() throws Exception {
        LocalDriver d = startDriver();
        ok(d.connection, "X=1");
        d.connection.close();
        assertThat(d.process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(d.process.exitValue()).isZero();
    }
}
