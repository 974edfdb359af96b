package dev.agentkernel.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PythonDriverTest extends DriverTestSupport {

    @Override
    InterpreterTemplate template() {
        return InterpreterTemplate.PYTHON;
    }

    @Test
    void keepsVariablesFunctionsAndImports() {
        DriverConnection c = connect();
        assertThat(ok(c, "x = 42").stdout()).isEmpty();
        assertThat(ok(c, "print(x)").stdout()).isEqualTo("42\n");
        ok(c, "import math\ndef square(v):\n    return v * v\n");
        assertThat(ok(c, "print(square(3), math.sqrt(16))").stdout()).isEqualTo("9 4.0\n");
    }

    @Test
    void keepsWorkingDirectoryAndFiles() {
        DriverConnection c = connect();
        ok(c, "import os\nos.makedirs('sub', exist_ok=True)\nos.chdir('sub')\nwith open('f.txt', 'w') as f:\n    f.write('hi')");
        assertThat(ok(c, "print(os.path.basename(os.getcwd()), open('f.txt').read())").stdout()).isEqualTo("sub hi\n");
    }

    @Test
    void driversDoNotShareState() {
        DriverConnection a = connect();
        DriverConnection b = connect();
        ok(a, "x = 1");
        assertThat(ok(b, "print('x' in globals())").stdout()).isEqualTo("False\n");
    }

    @Test
    void reportsExceptionsWithTracebackWithoutDriverFrames() {
        DriverConnection c = connect();
        DriverResult r = failed(c, "print('before')\ndef f():\n    raise ValueError('bad value')\nf()");
        assertThat(r.stdout()).isEqualTo("before\n");
        assertThat(r.error().type()).isEqualTo("ValueError");
        assertThat(r.error().message()).isEqualTo("bad value");
        assertThat(r.error().traceback()).contains("line 3, in f", "raise ValueError('bad value')", "ValueError: bad value")
                .doesNotContain("python_driver");
        DriverResult syntax = failed(c, "1 +");
        assertThat(syntax.error().type()).isEqualTo("SyntaxError");
        assertThat(syntax.error().traceback()).contains("SyntaxError").doesNotContain("python_driver");
        DriverResult exit = failed(c, "import sys\nsys.exit(2)");
        assertThat(exit.error().type()).isEqualTo("SystemExit");
        assertThat(ok(c, "print('alive')").stdout()).isEqualTo("alive\n");
    }

    @Test
    void printsTheValueOfAFinalExpression() {
        DriverConnection c = connect();
        assertThat(ok(c, "1+1").stdout()).isEqualTo("2\n");
        assertThat(ok(c, "y = 'a'\ny").stdout()).isEqualTo("'a'\n");
        assertThat(ok(c, "None").stdout()).isEmpty();
        assertThat(ok(c, "print('p')").stdout()).isEqualTo("p\n");
    }

    @Test
    void handlesUnicodeMissingNewlinesAndStderr() {
        DriverConnection c = connect();
        assertThat(ok(c, "s = 'héllo ✓ 😀 日本'\nprint(s)").stdout()).isEqualTo("héllo ✓ 😀 日本\n");
        assertThat(ok(c, "print('no newline', end='')").stdout()).isEqualTo("no newline");
        DriverResult r = ok(c, "import sys\nprint('err', file=sys.stderr)");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void capturesOutputOfChildProcesses() {
        DriverConnection c = connect();
        DriverResult r = ok(c, "import subprocess\n_ = subprocess.run(['sh', '-c', 'echo child; echo cerr >&2'])");
        assertThat(r.stdout()).isEqualTo("child\n");
        assertThat(r.stderr()).isEqualTo("cerr\n");
        assertThat(ok(c, "input_is_empty = __import__('sys').stdin.read() == ''\nprint(input_is_empty)").stdout()).isEqualTo("True\n");
    }

    @Test
    void returnsAMegabyteOfOutput() {
        DriverConnection c = connect();
        assertThat(ok(c, "print('x' * (1024 * 1024))").stdout()).isEqualTo(megabyteOf('x') + "\n");
    }

    @Test
    void timeoutAbortsTheRequestAndKeepsState() {
        DriverConnection c = connect();
        ok(c, "x = 42");
        DriverResult r = c.execute("while True:\n    pass", Duration.ofMillis(500));
        assertThat(r.success()).isFalse();
        assertThat(r.timedOut()).isTrue();
        assertThat(r.executionTimeMs()).isBetween(400L, 5000L);
        assertThat(ok(c, "print(x)").stdout()).isEqualTo("42\n");
    }

    @Test
    void sigintInterruptsTheRequestAndKeepsState() throws Exception {
        DriverConnection c = connect();
        ok(c, "x = 42");
        DriverResult r = interruptAfterStart(c, "import time\nprint('started', flush=True)\ntime.sleep(30)");
        assertThat(r.interrupted()).as("%s", r).isTrue();
        assertThat(r.stdout()).isEqualTo("started\n");
        assertThat(ok(c, "print(x)").stdout()).isEqualTo("42\n");
        c.interrupt(); // SIGINT while idle is ignored
        Thread.sleep(200);
        assertThat(ok(c, "print(x + 1)").stdout()).isEqualTo("43\n");
    }

    @Test
    void exitingInterpreterIsReportedAsDied() {
        DriverConnection c = connect();
        ok(c, "x = 1");
        assertThatThrownBy(() -> c.execute("import os\nos._exit(3)", Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(InterpreterDiedException.class,
                        e -> assertThat(e.exitStatus()).hasValue(3))
                .hasMessageContaining("python").hasMessageContaining("exit status 3");
        assertThat(c.isAlive()).isFalse();
        assertThatThrownBy(() -> c.execute("print(x)")).isInstanceOf(InterpreterDiedException.class);
    }

    @Test
    void handlesManySequentialAndConcurrentRequests() throws Exception {
        DriverConnection c = connect();
        ok(c, "n = 0");
        for (int i = 0; i < 200; i++) {
            ok(c, "n += 1");
        }
        CompletableFuture<?>[] futures = IntStream.range(0, 4)
                .mapToObj(t -> CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 25; i++) {
                        ok(c, "n += 1");
                    }
                }))
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(futures).get(30, TimeUnit.SECONDS);
        assertThat(ok(c, "n").stdout()).isEqualTo("300\n");
    }

    @Test
    void exitsOnEndOfInput() throws Exception {
        LocalDriver d = startDriver();
        ok(d.connection, "x = 1");
        d.connection.close();
        assertThat(d.process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(d.process.exitValue()).isZero();
    }
}
