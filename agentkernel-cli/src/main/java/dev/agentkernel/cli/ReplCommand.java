package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.AgentKernelException;
import dev.agentkernel.client.CodeResult;
import dev.agentkernel.client.CodeSession;
import dev.agentkernel.client.ConnectionException;
import dev.agentkernel.client.ResourceLimitException;
import dev.agentkernel.client.SessionInfo;
import dev.agentkernel.client.SessionNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * {@code agentkernel repl [OPTIONS]}: an interactive interpreter against one code session, read
 * with JLine's line editor (history, editing). A block is sent when it is complete
 * ({@link ReplInput}) or on a blank line; Ctrl-C drops the line being typed (or stops waiting
 * for a snippet, which runs on in the session); Ctrl-D, {@code exit} or {@code :quit} leaves and
 * deletes a session the REPL created, unless {@code --keep}. Without a terminal (stdin piped)
 * it reads lines all the same.
 */
final class ReplCommand extends DaemonClientCommand {

    /**
     * What leaves the REPL when typed alone on a line at the first prompt (not sent: Python's
     * {@code exit()} would end the interpreter, and the session's state with it).
     */
    static final Set<String> QUIT = Set.of("exit", "exit()", "quit", "quit()", ".exit", ":quit", ":q");

    @Override
    public String name() {
        return "repl";
    }

    @Override
    public String usage() {
        return "[OPTIONS]";
    }

    @Override
    public String summary() {
        return "Open an interactive interpreter in a code session";
    }

    @Override
    public List<String> description() {
        return List.of("An interactive Python (default), Node.js or bash interpreter in a code session, one snippet at a time,",
                "with line editing and history. The prompt is 'py> ', 'js> ' or 'sh> '; '... ' asks for more of a block:",
                "in Python after a line ending with ':' (a blank line ends such a block), and in every language while a",
                "bracket or a multi-line string is open or a line ends with '\\' (Python, bash). A blank line always sends",
                "what was typed. Ctrl-C drops the line being typed; while a snippet runs it stops waiting for it (the",
                "snippet runs on in the session until it ends or its timeout). Ctrl-D, 'exit' or ':quit' leaves (so do",
                "'exit()', 'quit', 'quit()' and '.exit': they are not sent to the interpreter).",
                "Without -s a new session is created by the first snippet and deleted on leaving, unless --keep (then",
                "'session: ID' is printed to stderr). A session given with -s is kept.",
                FINDING);
    }

    @Override
    Options commandOptions() {
        return CodeSessionArgs.addTo(new Options());
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel repl",
                "agentkernel repl -t node",
                "agentkernel repl -t bash --flavor medium -v .:/work",
                "agentkernel repl --keep            # leaves the session for 'agentkernel code -s ID'",
                "agentkernel repl -s ses-3f9c2a61d0b84e7f");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws IOException {
        noArguments(args, name());
        CodeSessionArgs session = CodeSessionArgs.parse(args);
        String template = session.options().template().orElse("python");
        String banner;
        if (session.sessionId().isPresent()) {
            SessionInfo info = client.getSession(session.sessionId().get()); // 4 before anything is typed
            template = session.options().template().orElse(info.template());
            banner = "session " + info.sessionId() + " (" + info.template() + ", " + info.flavor() + "), kept on leaving";
        } else {
            client.listSessions(); // that the daemon answers, takes the key and has code sessions, before anything is typed
            banner = "a new " + template + " session, created by the first snippet and "
                    + (session.keep() ? "kept" : "deleted") + " on leaving";
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).providers("ffm,exec").dumb(true)
                .nativeSignals(true).build()) {
            out.flush();
            err.flush();
            return interact(client, session, ReplInput.Language.of(template), banner, terminal, err);
        }
    }

    /**
     * Reads, runs and prints until Ctrl-D or {@code exit}, then deletes the session unless it is
     * kept; returns the exit code. The terminal's Ctrl-C handler is restored before returning.
     */
    static int interact(AgentKernel client, CodeSessionArgs args, ReplInput.Language language, String banner,
                        Terminal terminal, PrintWriter err) {
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("agentkernel")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // keep '!' and '\' as typed
                .option(LineReader.Option.INSERT_TAB, true) // Tab indents
                .build();
        PrintWriter screen = terminal.writer();
        screen.println("agentkernel repl: " + banner + "; a blank line ends a block, Ctrl-D or exit leaves");
        screen.flush();
        CodeSession session = client.codeSession(args.options());
        Thread main = Thread.currentThread();
        AtomicBoolean running = new AtomicBoolean();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> {
            if (running.get()) {
                main.interrupt(); // stop waiting for the snippet
            }
        });
        boolean sessionGone = false;
        try {
            List<String> block = new ArrayList<>();
            while (true) {
                String typed;
                try {
                    typed = reader.readLine(block.isEmpty() ? language.prompt : ReplInput.CONTINUATION);
                } catch (UserInterruptException e) {
                    block.clear(); // Ctrl-C: drop what was typed
                    continue;
                } catch (EndOfFileException e) {
                    break; // Ctrl-D, or the end of piped input
                }
                if (block.isEmpty() && QUIT.contains(typed.strip())) {
                    break;
                }
                if (typed.isBlank()) {
                    if (block.isEmpty()) {
                        continue;
                    }
                } else {
                    block.addAll(typed.lines().toList()); // a pasted block arrives as one string
                    if (ReplInput.needsMore(language, block)) {
                        continue;
                    }
                }
                String code = String.join("\n", block);
                block.clear();
                running.set(true);
                try {
                    print(session.execute(code), screen);
                } catch (ConnectionException e) {
                    if (!Thread.interrupted()) {
                        throw e;
                    }
                    screen.println("interrupted: the snippet runs on in the session until it ends or reaches its "
                            + "timeout; the next one waits for it");
                } catch (SessionNotFoundException e) {
                    sessionGone = true;
                    screen.flush();
                    err.println("agentkernel: error: the session no longer exists (deleted, or idle longer than the "
                            + "daemon's session timeout); its state is gone: " + e.getMessage());
                    return ExitCodes.NOT_FOUND;
                } catch (ResourceLimitException e) {
                    screen.println("error: " + e.getMessage() + " (delete a session with 'agentkernel sessions rm ID', "
                            + "or try again later)");
                } catch (AgentKernelException e) {
                    if (session.id().isEmpty()) {
                        throw e; // the session's options are wrong (template, flavor, volume): nothing to retry
                    }
                    screen.println("error: " + e.getMessage());
                } finally {
                    running.set(false);
                    Thread.interrupted(); // a Ctrl-C that came as the snippet ended
                }
                screen.flush();
            }
            return 0;
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            screen.flush();
            if (args.createsSession() && args.keep()) {
                session.id().ifPresent(id -> err.println("session: " + id));
            } else if (args.createsSession() && !sessionGone) {
                session.close();
            }
            err.flush();
        }
    }

    /** A result as an interpreter shows it: its output, a note when the state was lost, its error. */
    static void print(CodeResult result, PrintWriter screen) {
        String output = result.stdout() + result.stderr();
        screen.print(output);
        if (!output.isEmpty() && !output.endsWith("\n")) {
            screen.println(); // the next prompt on a line of its own
        }
        if (result.stateLost()) {
            screen.println("(the interpreter ended and was replaced: variables are lost, files are kept)");
        }
        result.error().ifPresent(e -> screen.println(e.describe()));
        screen.flush();
    }
}
