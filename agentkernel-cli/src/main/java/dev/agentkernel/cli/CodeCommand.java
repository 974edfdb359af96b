package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.CodeResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel code [OPTIONS] (CODE | -f FILE | -)}: one snippet in a code session (a new
 * one, deleted afterwards unless {@code --keep}, or {@code -s ID}); its stdout and stderr as
 * returned; a code error's traceback on stderr and exit 1.
 */
final class CodeCommand extends DaemonClientCommand {

    /** The exit code when the code raised (or timed out, or ended its interpreter). */
    static final int CODE_FAILED = 1;

    private final Supplier<InputStream> stdin;

    CodeCommand() {
        this(() -> System.in);
    }

    CodeCommand(Supplier<InputStream> stdin) {
        this.stdin = stdin;
    }

    @Override
    public String name() {
        return "code";
    }

    @Override
    public String usage() {
        return "[OPTIONS] (CODE | -f FILE | -)";
    }

    @Override
    public String summary() {
        return "Run code in a stateful code session (Python, Node.js, bash)";
    }

    @Override
    public List<String> description() {
        return List.of("Run a snippet of Python (default), Node.js or bash in a code session: an interpreter in its own sandbox",
                "that keeps variables, imports and files between calls. The code is CODE, the file of -f, or stdin (- or -f -);",
                "a final expression's value is printed, as in a REPL. Its stdout and stderr are printed as returned. When the",
                "code raises (or times out, or ends its interpreter) the traceback (or TYPE: MESSAGE) goes to stderr and the",
                "exit code is 1.",
                "Without -s a new session is created and deleted afterwards; --keep keeps it and prints 'session: ID' to",
                "stderr, for later calls with -s ID. A session given with -s is kept. --json prints the daemon's result",
                "(docs/code-sessions.md) instead. Exit codes: 4 no such session, 5 template or flavor differs from the",
                "session's, 6 too many sessions or no memory left for one, 125 the interpreter cannot start.",
                FINDING);
    }

    @Override
    Options commandOptions() {
        Options o = CodeSessionArgs.addTo(new Options());
        o.addOption(Option.builder("f").longOpt("file").hasArg().argName("FILE")
                .desc("Read the code from FILE (- for stdin)").get());
        o.addOption(Option.builder().longOpt("json").desc("Print the result as JSON").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel code 'print(6 * 7)'",
                "agentkernel code -t node 'const xs = [1, 2, 3]; xs.map(x => x * 2)'",
                "agentkernel code -t bash -f setup.sh --timeout 120",
                "echo 'import sys; print(sys.version)' | agentkernel code -",
                "id=$(agentkernel code --keep 'x = 42' 2>&1 >/dev/null | sed -n 's/^session: //p'); agentkernel code -s \"$id\" 'x'",
                "agentkernel code -v ./data:/data:ro 'import os; os.listdir(\"/data\")'",
                "agentkernel code --json '1 / 0' | jq .error.type");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws IOException {
        CodeSessionArgs session = CodeSessionArgs.parse(args);
        String code = code(args);
        CodeResult result;
        try (Progress progress = Progress.show(err, "running the code")) {
            result = client.executeCode(code, session.options());
        }
        try {
            return report(result, args.hasOption("json"), out, err);
        } finally {
            if (session.createsSession()) {
                if (session.keep()) {
                    err.println("session: " + result.sessionId());
                    err.flush();
                } else {
                    client.deleteSession(result.sessionId());
                }
            }
        }
    }

    /** Prints a result (as JSON, or its output, a note on lost state and its error) and returns the exit code. */
    static int report(CodeResult result, boolean json, PrintWriter out, PrintWriter err) throws IOException {
        if (json) {
            out.println(CodeSessionJson.print(CodeSessionJson.result(result)));
            out.flush();
            return result.success() ? 0 : CODE_FAILED;
        }
        out.print(result.stdout());
        out.flush();
        err.print(result.stderr());
        if (result.stateLost()) {
            err.println("agentkernel: the interpreter ended and was replaced: the session's variables are lost, its "
                    + "files are kept");
        }
        result.error().ifPresent(e -> err.println(e.describe()));
        err.flush();
        return result.success() ? 0 : CODE_FAILED;
    }

    /** The code: CODE, the file of -f, or stdin for - (either way); not empty. */
    private String code(CommandLine args) throws IOException {
        return CodeSource.read(args.getArgList(), args.getOptionValue("file"), stdin, "agentkernel code");
    }
}
