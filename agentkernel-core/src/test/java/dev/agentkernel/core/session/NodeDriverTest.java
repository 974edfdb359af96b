package dev.agentkernel.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeDriverTest extends DriverTestSupport {

    @Override
    InterpreterTemplate template() {
        return InterpreterTemplate.NODE;
    }

    @Test
    void keepsLetConstVarFunctionsAndRequires() {
        DriverConnection c = connect();
        assertThat(ok(c, "let x = 42").stdout()).isEmpty();
        assertThat(ok(c, "console.log(x)").stdout()).isEqualTo("42\n");
        ok(c, "const path = require('path');\nvar v = 'var';\nfunction square(n) { return n * n; }\nclass K { hi() { return 'k'; } }");
        assertThat(ok(c, "console.log(square(3), path.join('a', 'b'), v, new K().hi())").stdout()).isEqualTo("9 a/b var k\n");
        ok(c, "x = x + 1");
        assertThat(ok(c, "console.log(x)").stdout()).isEqualTo("43\n");
    }

    @Test
    void keepsWorkingDirectoryAndFiles() {
        DriverConnection c = connect();
        ok(c, "const fs = require('fs');\nfs.mkdirSync('sub');\nprocess.chdir('sub');\nfs.writeFileSync('f.txt', 'hi');");
        assertThat(ok(c, "console.log(require('path').basename(process.cwd()), fs.readFileSync('f.txt', 'utf8'))").stdout())
                .isEqualTo("sub hi\n");
    }

    @Test
    void driversDoNotShareState() {
        DriverConnection a = connect();
        DriverConnection b = connect();
        ok(a, "let x = 1; globalThis.g = 2;");
        assertThat(ok(b, "console.log(typeof x, typeof g)").stdout()).isEqualTo("undefined undefined\n");
    }

    @Test
    void reportsErrorsWithStackWithoutDriverFrames() {
        DriverConnection c = connect();
        DriverResult r = failed(c, "console.log('before');\nfunction f() { throw new TypeError('bad value'); }\nf();");
        assertThat(r.stdout()).isEqualTo("before\n");
        assertThat(r.error().type()).isEqualTo("TypeError");
        assertThat(r.error().message()).isEqualTo("bad value");
        assertThat(r.error().traceback()).contains("TypeError: bad value", "at f (<cell-").doesNotContain("node_driver");
        DriverResult syntax = failed(c, "1 +");
        assertThat(syntax.error().type()).isEqualTo("SyntaxError");
        DriverResult thrown = failed(c, "throw 'plain'");
        assertThat(thrown.error().message()).contains("plain");
        assertThat(ok(c, "console.log('alive')").stdout()).isEqualTo("alive\n");
    }

    @Test
    void printsTheCompletionValueAndAwaitsPromises() {
        DriverConnection c = connect();
        assertThat(ok(c, "1+1").stdout()).isEqualTo("2\n");
        assertThat(ok(c, "'a'").stdout()).isEqualTo("'a'\n");
        assertThat(ok(c, "undefined").stdout()).isEmpty();
        assertThat(ok(c, "new Promise(r => setTimeout(() => r(7), 50))").stdout()).isEqualTo("7\n");
        DriverResult rejected = failed(c, "Promise.reject(new RangeError('nope'))");
        assertThat(rejected.error().type()).isEqualTo("RangeError");
    }

    @Test
    void handlesUnicodeMissingNewlinesAndStderr() {
        DriverConnection c = connect();
        assertThat(ok(c, "const s = 'héllo ✓ 😀 日本';\nconsole.log(s)").stdout()).isEqualTo("héllo ✓ 😀 日本\n");
        assertThat(ok(c, "void process.stdout.write('no newline')").stdout()).isEqualTo("no newline");
        DriverResult r = ok(c, "console.error('err'); void process.stderr.write('e2')");
        assertThat(r.stderr()).isEqualTo("err\ne2");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void returnsAMegabyteOfOutput() {
        DriverConnection c = connect();
        assertThat(ok(c, "console.log('x'.repeat(1024 * 1024))").stdout()).isEqualTo(megabyteOf('x') + "\n");
    }

    @Test
    void timeoutAbortsTheRequestAndKeepsState() {
        DriverConnection c = connect();
        ok(c, "let x = 42");
        DriverResult r = c.execute("while (true) {}", Duration.ofMillis(500));
        assertThat(r.timedOut()).as("%s", r).isTrue();
        assertThat(ok(c, "console.log(x)").stdout()).isEqualTo("42\n");
        DriverResult pending = c.execute("new Promise(() => {})", Duration.ofMillis(300));
        assertThat(pending.timedOut()).as("%s", pending).isTrue();
        assertThat(ok(c, "console.log(x)").stdout()).isEqualTo("42\n");
    }

    @Test
    void sigintInterruptsTheRequestAndKeepsState() throws Exception {
        DriverConnection c = connect();
        ok(c, "let x = 42");
        DriverResult r = interruptAfterStart(c, "while (true) {}");
        assertThat(r.interrupted()).as("%s", r).isTrue();
        assertThat(ok(c, "console.log(x)").stdout()).isEqualTo("42\n");
        c.interrupt();
        Thread.sleep(200);
        assertThat(ok(c, "console.log(x + 1)").stdout()).isEqualTo("43\n");
    }

    @Test
    void exitingInterpreterIsReportedAsDied() {
        DriverConnection c = connect();
        assertThatThrownBy(() -> c.execute("process.exit(3)", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(InterpreterDiedException.class, e -> assertThat(e.exitStatus()).hasValue(3));
        assertThatThrownBy(() -> c.execute("1")).isInstanceOf(InterpreterDiedException.class);
    }

    @Test
    void handlesManySequentialRequests() {
        DriverConnection c = connect();
        ok(c, "let n = 0");
        for (int i = 0; i < 200; i++) {
            ok(c, "n += 1; undefined");
        }
        assertThat(ok(c, "n").stdout()).isEqualTo("200\n");
    }

    @Test
    void exitsOnEndOfInput() throws Exception {
        LocalDriver d = startDriver();
        ok(d.connection, "let x = 1");
        d.connection.close();
        assertThat(d.process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(d.process.exitValue()).isZero();
    }
}
