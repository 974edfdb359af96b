package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.Cancellation;
import dev.agentkernel.client.TaskInfo;
import dev.agentkernel.client.TaskOptions;
import dev.agentkernel.client.TaskManager;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel task dispatch|status|wait|list|cancel}: background tasks of the daemon. A
 * task's end is an exit code ({@link ExitCodes#ofTask}): 0 completed, 1 failed, 124 timeout,
 * 130 cancelled, 75 still running when the wait ended.
 */
final class TaskCommand extends DaemonClientCommand {

    static final List<String> ACTIONS = List.of("dispatch", "status", "wait", "list", "cancel");
    /** The actions whose argument is a task id (for completion). */
    static final List<String> ID_ACTIONS = List.of("status", "wait", "cancel");
    static final List<String> HEADER = List.of("ID", "STATUS", "AGE", "TEMPLATE", "CODE");
    /** Which options each action takes ({@code url} and {@code help} go with all). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "dispatch", Set.of("template", "timeout", "verbose", "tool", "file", "wait", "json", "backend"),
            "status", Set.of("json"),
            "wait", Set.of("timeout", "json"),
            "list", Set.of("json", "ids"),
            "cancel", Set.of("json"));
    /** Longest first line of code in the list. */
    private static final int CODE_WIDTH = 48;

    private final Supplier<InputStream> stdin;

    TaskCommand() {
        this(() -> System.in);
    }

    TaskCommand(Supplier<InputStream> stdin) {
        this.stdin = stdin;
    }

    @Override
    public String name() {
        return "task";
    }

    @Override
    public String usage() {
        return "dispatch [OPTIONS] (CODE | -f FILE | -) | status ID | wait ID [--timeout S] | list | cancel ID";
    }

    @Override
    public String summary() {
        return "Run code as background tasks: dispatch, status, wait, list, cancel";
    }

    @Override
    public List<String> description() {
        return List.of("Background tasks: code the daemon runs in its own sandbox each, a few at once (more wait in a queue),",
                "with the shared /workspace as working directory and the tool libraries they require at /tools. Tasks and",
                "their output are kept by the daemon, also across restarts.",
                "dispatch: send the code (CODE, the file of -f, or stdin with - or -f -; Python unless -t) and print the",
                "  task's id. --timeout S kills it after S seconds (the daemon's default: 300; at most 3600 unless its",
                "  [execution] timeout is longer); --tool LIB makes a library of the daemon's tools directory importable",
                "  (repeatable; see 'agentkernel tools'); --verbose adds the task's stderr and timings to its output.",
                "  With --wait: print 'task: ID' on stderr, then as 'wait' does (Ctrl-C stops the wait, not the task).",
                "wait ID: wait until the task ends (at most --timeout S seconds), print its output on stdout and its error",
                "  on stderr. Exit code: 0 completed, 1 failed, 124 timeout, 130 cancelled; 75 still running when the",
                "  wait ended (nothing printed but a note on stderr: wait again).",
                "status ID: the task now, without waiting. list: every task, newest first (--ids: only their ids).",
                "cancel ID: cancel it, killing its processes; exit 5 if it had already ended.",
                "--json prints the daemon's JSON (the task; for list {\"tasks\": [...]}) with the same exit codes.",
                "Exit 4 when there is no such task.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS_THEN_TASK;
    }

    @Override
    public List<String> words() {
        return ACTIONS;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder("t").longOpt("template").hasArg().argName("TEMPLATE")
                .desc("dispatch: the interpreter: python (default), node or bash").get());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("SECONDS")
                .desc("dispatch: kill the task after this long (default 300); wait: wait at most this long").get());
        o.addOption(Option.builder().longOpt("tool").hasArg().argName("LIB")
                .desc("dispatch: a tool library the task needs, from 'agentkernel tools' (repeatable)").get());
        o.addOption(Option.builder().longOpt("verbose").desc("dispatch: add the task's stderr and timings to its output").get());
        o.addOption(Option.builder("f").longOpt("file").hasArg().argName("FILE")
                .desc("dispatch: read the code from FILE (- for stdin)").get());
        o.addOption(Option.builder().longOpt("backend").hasArg().argName("NAME")
                .desc("dispatch: isolation backend: bwrap, runc, crun or gvisor (default: the daemon's)").get());
        o.addOption(Option.builder().longOpt("wait").desc("dispatch: wait until the task ends, as 'task wait' does").get());
        o.addOption(Option.builder().longOpt("json").desc("Print the daemon's JSON").get());
        o.addOption(Option.builder().longOpt("ids").desc("list: print only the ids, one a line").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("id=$(agentkernel task dispatch 'import time; time.sleep(5); print(42)')",
                "agentkernel task wait \"$id\"                  # 42, exit 0",
                "agentkernel task dispatch --wait -t bash 'ls /workspace'",
                "agentkernel task dispatch --timeout 600 --tool finance -f analysis.py",
                "agentkernel task wait \"$id\" --timeout 10 || echo \"exit $?\"   # 75 while it still runs",
                "agentkernel task list; agentkernel task status \"$id\" --json | jq .status",
                "agentkernel task cancel \"$id\"",
                "for id in $(agentkernel task list --ids); do agentkernel task status \"$id\"; done");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws IOException {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no action given: use dispatch, status ID, wait ID, list or cancel ID, "
                    + "e.g. agentkernel task dispatch 'print(1)'");
        }
        String action = words.getFirst();
        Set<String> allowed = ALLOWED.get(action);
        if (allowed == null) {
            throw new InvalidRequestException("unknown action '" + action + "': use dispatch, status ID, wait ID, list "
                    + "or cancel ID");
        }
        for (Option o : args.getOptions()) {
            if (o.getLongOpt() != null && !o.getLongOpt().equals("url") && !allowed.contains(o.getLongOpt())) {
                throw new InvalidRequestException("--" + o.getLongOpt() + " does not go with '" + action + "'"
                        + " (see 'agentkernel task --help')");
            }
        }
        boolean json = args.hasOption("json");
        return switch (action) {
            case "dispatch" -> dispatch(client, args, out, err);
            case "status" -> {
                TaskInfo task = client.getTask(id(words, action));
                if (json) {
                    out.println(CodeSessionJson.print(TaskJson.task(task)));
                } else {
                    details(task, Instant.now(), ZoneId.systemDefault()).forEach(out::println);
                }
                yield 0;
            }
            case "wait" -> {
                String id = id(words, action);
                Duration limit = waitLimit(args);
                TaskInfo ended;
                try (Progress progress = Progress.show(err, "waiting for task " + id)) {
                    ended = limit == null ? untilEnd(client, id) : client.waitForTask(id, limit);
                }
                yield report(ended, json, out, err);
            }
            case "list" -> {
                if (words.size() > 1) {
                    throw new InvalidRequestException("unexpected argument '" + words.get(1) + "' after 'list'");
                }
                if (json && args.hasOption("ids")) {
                    throw new InvalidRequestException("--ids and --json do not go together");
                }
                List<TaskInfo> all = client.listTasks();
                if (args.hasOption("ids")) {
                    all.forEach(t -> out.println(t.taskId()));
                } else if (json) {
                    out.println(CodeSessionJson.print(TaskJson.tasks(all)));
                } else if (all.isEmpty()) {
                    err.println("agentkernel: no tasks; dispatch one with 'agentkernel task dispatch CODE'");
                } else {
                    table(all, Instant.now()).forEach(out::println);
                }
                yield 0;
            }
            default -> cancel(client, id(words, action), json, out, err);
        };
    }

    private int dispatch(AgentKernel client, CommandLine args, PrintWriter out, PrintWriter err) throws IOException {
        TaskOptions options = TaskOptions.defaults().withVerbose(args.hasOption("verbose"));
        String template = args.getOptionValue("template");
        if (template != null) {
            if (template.isBlank()) {
                throw new InvalidRequestException("--template needs a value: python, node or bash");
            }
            options = options.withTemplate(template.strip());
        }
        String backend = args.getOptionValue("backend");
        if (backend != null) {
            options = options.withBackend(dev.agentkernel.model.SandboxRequest.requireBackendName(backend.strip()));
        }
        Double seconds = OptionValues.number(args, "timeout", "seconds");
        if (seconds != null) {
            if (!(seconds > 0)) { // the daemon checks the upper limit (an hour unless configured) and says it
                throw new InvalidRequestException("--timeout must be a positive number of seconds, got "
                        + args.getOptionValue("timeout"));
            }
            options = options.withTimeout(Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))));
        }
        String[] tools = args.getOptionValues("tool");
        if (tools != null) {
            for (String tool : tools) {
                if (tool.isBlank()) {
                    throw new InvalidRequestException("--tool needs a library's name, e.g. --tool finance "
                            + "(see 'agentkernel tools')");
                }
                options = options.withRequiredTool(tool.strip());
            }
        }
        String code = code(args);
        TaskInfo task = client.dispatchTask(code, options);
        if (!args.hasOption("wait")) {
            if (args.hasOption("json")) {
                out.println(CodeSessionJson.print(TaskJson.task(task)));
            } else {
                out.println(task.taskId());
            }
            return 0;
        }
        err.println("task: " + task.taskId());
        err.flush();
        TaskInfo ended;
        try (Progress progress = Progress.show(err, "waiting for task " + task.taskId())) {
            ended = untilEnd(client, task.taskId());
        }
        return report(ended, args.hasOption("json"), out, err);
    }

    /** Waits until the task ends (its own timeout ends it). */
    private static TaskInfo untilEnd(AgentKernel client, String id) {
        try (TaskManager tasks = client.taskManager()) { // dispatches nothing: closing it cancels nothing
            return tasks.waitForTask(id);
        }
    }

    private static int cancel(AgentKernel client, String id, boolean json, PrintWriter out, PrintWriter err)
            throws IOException {
        Cancellation c = client.cancelTask(id);
        if (json) {
            out.println(CodeSessionJson.print(TaskJson.cancellation(c)));
            return c.cancelled() ? 0 : ExitCodes.CONFLICT;
        }
        if (!c.cancelled()) {
            throw new ConflictException(c.message());
        }
        err.println("agentkernel: " + c.message());
        return 0;
    }

    /**
     * Prints a task after a wait (as JSON; or its output on stdout and its error on stderr; or,
     * still running, a note) and returns the exit code of its status.
     */
    static int report(TaskInfo task, boolean json, PrintWriter out, PrintWriter err) throws IOException {
        if (json) {
            out.println(CodeSessionJson.print(TaskJson.task(task)));
        } else if (task.isFinal()) {
            out.print(task.output());
            out.flush();
            task.error().ifPresent(e -> err.println(e.stripTrailing()));
        } else {
            err.println("agentkernel: task " + task.taskId() + " is still " + (task.queued() ? "queued" : "running")
                    + "; wait again with 'agentkernel task wait " + task.taskId() + "'");
        }
        out.flush();
        err.flush();
        return ExitCodes.ofTask(task.status());
    }

    private static Duration waitLimit(CommandLine args) {
        Double seconds = OptionValues.number(args, "timeout", "seconds");
        if (seconds == null) {
            return null;
        }
        if (!(seconds > 0)) {
            throw new InvalidRequestException("--timeout must be a positive number of seconds, got "
                    + args.getOptionValue("timeout"));
        }
        return Duration.ofMillis(Math.max(1, Math.round(Math.min(seconds, 1e12) * 1000)));
    }

    private static String id(List<String> words, String action) {
        if (words.size() < 2) {
            throw new InvalidRequestException("no task id given: try 'agentkernel task " + action
                    + " ID' (ids from 'agentkernel task list')");
        }
        if (words.size() > 2) {
            throw new InvalidRequestException("unexpected argument '" + words.get(2) + "' after '" + action + " "
                    + words.get(1) + "'");
        }
        return words.get(1);
    }

    /** The code of dispatch: CODE, the file of -f, or stdin for - (either way); not blank. */
    private String code(CommandLine args) throws IOException {
        return CodeSource.read(args.getArgList().subList(1, args.getArgList().size()), args.getOptionValue("file"), stdin, "agentkernel task dispatch");
    }

    /** The table's lines: a header, then one line per task. */
    static List<String> table(List<TaskInfo> tasks, Instant now) {
        List<List<String>> rows = new ArrayList<>();
        for (TaskInfo t : tasks) {
            rows.add(List.of(t.taskId(), status(t), t.createdAt().map(c -> SessionsCommand.duration(
                    Duration.between(c, now).isNegative() ? Duration.ZERO : Duration.between(c, now))).orElse("-"),
                    t.template().isEmpty() ? "-" : t.template(), t.code().map(TaskCommand::firstLine).orElse("-")));
        }
        return Tables.render(HEADER, rows);
    }

    /** One task, a field a line, then its output and error. */
    static List<String> details(TaskInfo t, Instant now, ZoneId zone) {
        List<String> lines = new ArrayList<>();
        lines.add("id:         " + t.taskId());
        lines.add("status:     " + status(t));
        lines.add("template:   " + (t.template().isEmpty() ? "-" : t.template()) + ", timeout "
                + SessionsCommand.duration(t.timeout()) + (t.verbose() ? ", verbose" : ""));
        lines.add("tools:      " + (t.requiredTools().isEmpty() ? "-" : String.join(", ", t.requiredTools())));
        lines.add("created:    " + t.createdAt().map(c -> Tables.time(c, zone) + " (" + SessionsCommand.duration(
                Duration.between(c, now).isNegative() ? Duration.ZERO : Duration.between(c, now)) + " ago)").orElse("-"));
        lines.add("started:    " + t.startedAt().map(s -> Tables.time(s, zone)).orElse("-"));
        lines.add("finished:   " + t.finishedAt().map(f -> Tables.time(f, zone)
                + t.startedAt().map(s -> " (ran " + SessionsCommand.duration(Duration.between(s, f)) + ")").orElse(""))
                .orElse("-"));
        lines.add("exit code:  " + t.exitCode().map(String::valueOf).orElse("-") + (t.attempts() > 1
                ? " (" + t.attempts() + " attempts)" : ""));
        t.code().ifPresent(c -> lines.add("code:       " + firstLine(c)));
        if (!t.output().isEmpty()) {
            lines.add("output:");
            t.output().lines().forEach(l -> lines.add("  " + l));
        }
        t.error().ifPresent(e -> {
            lines.add("error:");
            e.lines().forEach(l -> lines.add("  " + l));
        });
        return lines;
    }

    private static String status(TaskInfo t) {
        return t.queued() ? "queued" : t.status().id();
    }

    /** The first line that is not blank, shortened to {@link #CODE_WIDTH} characters. */
    static String firstLine(String code) {
        String line = code.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        boolean more = code.strip().lines().count() > 1;
        if (line.length() > CODE_WIDTH) {
            return line.substring(0, CODE_WIDTH - 3) + "...";
        }
        return more ? line + " ..." : line;
    }
}
