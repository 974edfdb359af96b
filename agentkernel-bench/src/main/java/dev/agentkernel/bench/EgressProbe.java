package dev.agentkernel.bench;

import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.SandboxSpec;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One sandbox of {@link EgressBench}, kept running for the whole benchmark: a Python loop that
 * reads one command a line on its standard input, does it, and answers {@code ok NANOS} (the time
 * it took, measured inside the sandbox) or {@code err WHAT}. Commands:
 * <ul>
 *   <li>{@code fresh}: an HTTPS request on a new connection (TCP, TLS handshake verified for the
 *       name, {@code GET}, the whole answer read, closed), as a command-line tool makes it;</li>
 *   <li>{@code keep}: the same request on one connection kept open (opened on the first call, untimed,
 *       and again after a failure);</li>
 *   <li>{@code dns}: {@code getaddrinfo} of the name (IPv4), as any program resolves it;</li>
 *   <li>{@code udpdns}: one A query over UDP to the resolver of {@code /etc/resolv.conf}, by hand.</li>
 * </ul>
 * The address is given, so {@code fresh} and {@code keep} do no DNS lookup: the connection goes to
 * {@code BENCH_ADDR} with the server name {@code BENCH_HOST}.
 */
final class EgressProbe implements AutoCloseable {

    private static final String SCRIPT = """
            import os, socket, ssl, struct, sys, time
            HOST = os.environ["BENCH_HOST"]
            ADDR = os.environ["BENCH_ADDR"]
            open("/tmp/bench-cas.pem", "w").write(os.environ["BENCH_CAS"])
            ctx = ssl.create_default_context(cafile="/tmp/bench-cas.pem")
            REQUEST = ("GET /bench HTTP/1.1\\r\\nHost: %s\\r\\nAuthorization: Bearer %s\\r\\nUser-Agent: bench\\r\\n\\r\\n"
                       % (HOST, os.environ["BENCH_TOKEN"])).encode()
            def exchange(tls, f):
                tls.sendall(REQUEST)
                status = f.readline()
                if not status.startswith(b"HTTP/1.1 200"):
                    raise Exception("answer " + status.decode(errors="replace").strip())
                length = 0
                while True:
                    line = f.readline()
                    if line in (b"\\r\\n", b""):
                        break
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-length":
                        length = int(value)
                if len(f.read(length)) != length:
                    raise Exception("short body")
            def connect():
                s = socket.create_connection((ADDR, 443), timeout=10)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                tls = ctx.wrap_socket(s, server_hostname=HOST)
                return tls, tls.makefile("rb")
            def fresh():
                t = time.perf_counter_ns()
                tls, f = connect()
                try:
                    exchange(tls, f)
                finally:
                    f.close()
                    tls.close()
                return time.perf_counter_ns() - t
            kept = None
            def keep():
                global kept
                if kept is None:
                    kept = connect()
                t = time.perf_counter_ns()
                try:
                    exchange(*kept)
                except Exception:
                    kept[1].close()
                    kept[0].close()
                    kept = None  # a new connection next time
                    raise
                return time.perf_counter_ns() - t
            def dns():
                t = time.perf_counter_ns()
                found = socket.getaddrinfo(HOST, 443, socket.AF_INET, socket.SOCK_STREAM)
                elapsed = time.perf_counter_ns() - t
                if ADDR not in {a[4][0] for a in found}:
                    raise Exception("resolved to %s" % found)
                return elapsed
            SERVER = [l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver")][0]
            QUERY = b"".join(bytes([len(p)]) + p.encode() for p in HOST.split(".")) + b"\\0" + struct.pack(">HH", 1, 1)
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.settimeout(5)
            serial = 0
            def udpdns():
                global serial
                serial = (serial + 1) & 0xffff
                q = struct.pack(">HHHHHH", serial, 0x0100, 1, 0, 0, 0) + QUERY
                t = time.perf_counter_ns()
                udp.sendto(q, (SERVER, 53))
                while True:
                    r = udp.recv(4096)
                    if r[:2] == q[:2]:
                        break
                elapsed = time.perf_counter_ns() - t
                if r[3] & 15 != 0 or struct.unpack(">H", r[6:8])[0] == 0:
                    raise Exception("rcode %d" % (r[3] & 15))
                return elapsed
            print("ready", flush=True)
            while True:
                line = sys.stdin.readline()
                if not line:
                    break
                try:
                    print("ok", globals()[line.strip()](), flush=True)
                except Exception as e:
                    print("err", type(e).__name__, str(e).replace("\\n", " "), flush=True)
            """;

    private final String name;
    private final Execution execution;
    private final OutputStream commands;
    private final BufferedReader answers;
    private final ByteArrayOutputStream stderr;

    private EgressProbe(String name, Execution execution, ByteArrayOutputStream stderr) {
        this.name = name;
        this.execution = execution;
        this.commands = execution.stdinPipe().orElseThrow();
        this.answers = new BufferedReader(new InputStreamReader(execution.stdoutPipe().orElseThrow(),
                StandardCharsets.UTF_8));
        this.stderr = stderr;
    }

    /**
     * Starts the loop in a sandbox of {@code spec} and waits until it is ready.
     *
     * @param env {@code BENCH_HOST}, {@code BENCH_ADDR}, {@code BENCH_CAS} (PEM), {@code BENCH_TOKEN}
     */
    static EgressProbe start(String name, IsolationBackend backend, SandboxSpec spec, Map<String, String> env)
            throws IOException {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        CommandSpec command = new CommandSpec(List.of("python3", "-u", "-c", SCRIPT), env, Optional.empty(),
                Optional.of(Duration.ofHours(2)));
        Execution execution = backend.start(spec, command, Stdio.pipes((kind, bytes, offset, length) -> {
            synchronized (stderr) {
                stderr.write(bytes, offset, length);
            }
        }));
        EgressProbe probe = new EgressProbe(name, execution, stderr);
        String first = probe.answers.readLine();
        if (!"ready".equals(first)) {
            probe.close();
            throw new IOException(name + ": the probe did not start (" + first + "): " + probe.stderr());
        }
        return probe;
    }

    /** Runs {@code command} once; the time it took inside the sandbox, in nanoseconds. */
    long run(String command) throws IOException {
        commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
        String answer = answers.readLine();
        if (answer == null) {
            throw new IOException(name + ": the probe ended: " + stderr());
        }
        if (!answer.startsWith("ok ")) {
            throw new IOException(name + " " + command + ": " + answer);
        }
        return Long.parseLong(answer.substring(3).strip());
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8).strip();
        }
    }

    /** Ends the loop (end of its input) and the sandbox. */
    @Override
    public void close() {
        try {
            commands.close();
        } catch (IOException ignored) {
            // the sandbox is killed below anyway
        }
        try {
            if (execution.await(Duration.ofSeconds(5)).isEmpty()) {
                execution.kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            execution.kill();
        } finally {
            execution.close();
        }
    }
}
