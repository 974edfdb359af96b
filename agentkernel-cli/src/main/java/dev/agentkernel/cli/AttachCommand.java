package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.AttachOptions;
import dev.agentkernel.client.ConnectionException;
import dev.agentkernel.client.TerminalSession;
import dev.agentkernel.model.EnvVar;
import dev.agentkernel.model.InvalidRequestException;
import java.io.Console;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingInputStream;

/**
 * {@code agentkernel attach NAME}: an interactive shell (or a given program) in a running
 * sandbox, on this terminal: raw mode (every key, Ctrl-C included, goes to the sandbox), the
 * window's size followed (SIGWINCH), the program's exit code as agentkernel's. Needs a
 * terminal on stdin and stdout; the terminal is restored on every way out (the program ends,
 * the daemon goes away, an error, a signal).
 */
final class AttachCommand extends DaemonClientCommand {

    /** How often the input loop looks whether the program ended. */
    private static final long POLL_MILLIS = 50;

    @Override
    public String name() {
        return "attach";
    }

    @Override
    public String usage() {
        return "NAME [OPTIONS] [-- CMD [ARGS...]]";
    }

    @Override
    public String summary() {
        return "Open an interactive shell in a running sandbox";
    }

    @Override
    public List<String> description() {
        return List.of("Open an interactive shell (bash -l, else sh -l) in a running sandbox on this terminal, or run CMD",
                "instead. The terminal is in raw mode: every key goes to the sandbox (Ctrl-C interrupts the program",
                "there); resizing the window resizes the sandbox's terminal. Ctrl-D or 'exit' ends it, and its exit",
                "code becomes agentkernel's. TERM is passed on. stdin and stdout must be a terminal (exit 2",
                "otherwise: use 'agentkernel exec' in scripts).",
                FINDING);
    }

    @Override
    public boolean nameThenCommand() {
        return true;
    }

    @Override
    public Arguments arguments() {
        return Arguments.SANDBOX_THEN_COMMAND;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder("e").longOpt("env").hasArg().argName("K=V").desc("Set an environment variable (repeatable)").get());
        o.addOption(Option.builder("w").longOpt("workdir").hasArg().argName("DIR")
                .desc("Working directory inside the sandbox (absolute)").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel attach my-project",
                "agentkernel attach my-project -w /workspace/app",
                "agentkernel attach my-project -- python3");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws IOException {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no sandbox name given: try 'agentkernel attach NAME'");
        }
        String name = words.getFirst();
        AttachOptions options = options(args, words.subList(1, words.size()), System.getenv("TERM"));
        Console console = System.console();
        if (console == null || !console.isTerminal()) {
            throw new InvalidRequestException("attach needs a terminal, and stdin or stdout is not one; to run a command "
                    + "without one use 'agentkernel exec " + name + " -- CMD'");
        }
        requireRunning(client, name);
        try (Terminal terminal = TerminalBuilder.builder().system(true).providers("ffm,exec").dumb(false)
                .nativeSignals(true).build()) {
            Size size = terminal.getSize();
            if (size.getRows() > 0 && size.getColumns() > 0) {
                options = options.withSize(clamp(size.getRows()), clamp(size.getColumns()));
            }
            try (TerminalSession session = client.attach(name, options)) {
                out.flush();
                err.flush();
                return interact(terminal, session, daemon);
            }
        }
    }

    /** The session's options: the command (empty: the login shell), -e, -w, and TERM unless -e set it. */
    static AttachOptions options(CommandLine args, List<String> command, String term) {
        AttachOptions options = AttachOptions.defaults().withCommand(command);
        if (term != null && !term.isBlank()) {
            options = options.withEnv("TERM", term);
        }
        String[] assignments = args.getOptionValues("env");
        if (assignments != null) {
            for (String assignment : assignments) {
                String[] kv = EnvVar.parse(assignment);
                options = options.withEnv(kv[0], kv[1]);
            }
        }
        if (args.hasOption("workdir")) {
            String workdir = args.getOptionValue("workdir");
            if (!workdir.startsWith("/")) {
                throw new InvalidRequestException("--workdir must be an absolute path inside the sandbox, e.g. "
                        + "/workspace; got '" + workdir + "'");
            }
            options = options.withWorkdir(workdir);
        }
        return options;
    }

    private static int clamp(int value) {
        return Math.max(1, Math.min(AttachOptions.MAX_SIZE, value));
    }

    /**
     * Raw mode, output to the terminal on one thread, keys to the session on this one, resizes
     * from SIGWINCH; the terminal's attributes are restored before returning or throwing.
     */
    private static int interact(Terminal terminal, TerminalSession session, DaemonEndpoint daemon) throws IOException {
        Attributes saved = terminal.getAttributes();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.WINCH, signal -> {
            try {
                Size size = terminal.getSize();
                if (size.getRows() > 0 && size.getColumns() > 0) {
                    session.resize(clamp(size.getRows()), clamp(size.getColumns()));
                }
            } catch (RuntimeException e) {
                // the session ended meanwhile: nothing to resize
            }
        });
        OutputStream screen = terminal.output();
        Thread output = Thread.ofPlatform().name("ak-attach-output").daemon().start(() -> {
            try {
                for (byte[] chunk; (chunk = session.read()) != null; ) {
                    screen.write(chunk);
                    screen.flush();
                }
            } catch (IOException e) {
                failure.compareAndSet(null, new InvalidRequestException("cannot write to the terminal: " + e.getMessage()));
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        });
        try {
            terminal.setAttributes(raw(saved));
            pumpInput(terminal, session, output);
            output.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new InvalidRequestException("interrupted"));
        } finally {
            terminal.setAttributes(saved);
            terminal.handle(Terminal.Signal.WINCH, previous);
            screen.flush();
        }
        RuntimeException failed = failure.get();
        if (failed != null) {
            screen.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // the message on a line of its own
            screen.flush();
        }
        if (failed instanceof ConnectionException e) {
            throw DaemonUnavailableException.of(daemon.url(), e);
        }
        if (failed != null) {
            throw failed;
        }
        return session.exitCode().join();
    }

    /** Sends what is typed until the output ends (the program exited); the end of stdin ends the program's input. */
    private static void pumpInput(Terminal terminal, TerminalSession session, Thread output) throws IOException {
        NonBlockingInputStream in = (NonBlockingInputStream) terminal.input();
        byte[] buffer = new byte[8192];
        boolean inputOpen = true;
        while (output.isAlive()) {
            if (!inputOpen) {
                sleep();
                continue;
            }
            int n = in.readBuffered(buffer, 0, buffer.length, POLL_MILLIS);
            if (n == NonBlockingInputStream.EOF) {
                inputOpen = false;
                sendQuietly(session::endInput);
            } else if (n > 0) {
                byte[] typed = Arrays.copyOf(buffer, n);
                sendQuietly(() -> session.input(typed));
            }
        }
    }

    /** Input to a session that just ended fails: the output thread reports how it ended. */
    private static void sendQuietly(Runnable send) {
        try {
            send.run();
        } catch (dev.agentkernel.client.AgentKernelException e) {
            // the program exited (404) or the daemon left: the output side sees it too
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As cfmakeraw(3): no echo, no line editing, no signals from keys, no output processing, 8-bit. */
    static Attributes raw(Attributes saved) {
        Attributes raw = new Attributes(saved);
        raw.setInputFlags(EnumSet.of(Attributes.InputFlag.IGNBRK, Attributes.InputFlag.BRKINT, Attributes.InputFlag.PARMRK,
                Attributes.InputFlag.ISTRIP, Attributes.InputFlag.INLCR, Attributes.InputFlag.IGNCR,
                Attributes.InputFlag.ICRNL, Attributes.InputFlag.IXON), false);
        raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
        raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ECHO, Attributes.LocalFlag.ECHONL, Attributes.LocalFlag.ICANON,
                Attributes.LocalFlag.ISIG, Attributes.LocalFlag.IEXTEN), false);
        raw.setControlFlag(Attributes.ControlFlag.PARENB, false);
        raw.setControlFlag(Attributes.ControlFlag.CS8, true);
        raw.setControlChar(Attributes.ControlChar.VMIN, 1);
        raw.setControlChar(Attributes.ControlChar.VTIME, 0);
        return raw;
    }
}
