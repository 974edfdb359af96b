package dev.agentkernel.cli;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.SecretInfo;
import dev.agentkernel.model.InvalidRequestException;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code agentkernel secret set|ls|rm}: the daemon's secrets. A value never comes from the command
 * line (it would stay in the shell's history and be visible to {@code ps}): {@code set} reads it
 * from {@code --value-file}, else from stdin when stdin is not a terminal, else at a prompt that
 * does not echo it. Nothing prints a value.
 */
final class SecretCommand extends DaemonClientCommand {

    static final List<String> ACTIONS = List.of("set", "ls", "rm");
    static final List<String> HEADER = List.of("NAME", "CREATED", "UPDATED");
    /** Which options each action takes ({@code url} and {@code help} go with all). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "set", Set.of("value-file"),
            "ls", Set.of("quiet"),
            "rm", Set.of());
    /** The largest value the daemon takes, bytes. */
    private static final int MAX_VALUE = 64 * 1024;
    private static final String NEVER_ON_THE_COMMAND_LINE = "a secret's value is never taken on the command line (the"
            + " shell's history and 'ps' would show it): pipe it in (printf %s \"$VALUE\" | agentkernel secret set NAME),"
            + " use --value-file PATH, or type it at the prompt";

    private final Supplier<InputStream> stdin;
    private final Supplier<Console> console;

    SecretCommand() {
        this(() -> System.in, System::console);
    }

    /** For tests: where stdin and the terminal come from. */
    SecretCommand(Supplier<InputStream> stdin, Supplier<Console> console) {
        this.stdin = stdin;
        this.console = console;
    }

    @Override
    public String name() {
        return "secret";
    }

    @Override
    public String usage() {
        return "set [--value-file PATH] NAME | ls [-q] | rm NAME...";
    }

    @Override
    public String summary() {
        return "Set, list or remove secrets that sandboxes use without seeing them";
    }

    @Override
    public List<String> description() {
        return List.of("Secrets are kept by the daemon, encrypted at rest (the key is STATE/secrets.key, outside its database).",
                "A sandbox a secret is granted to (its create request's \"secrets\": \"NAME:host\") sees only a placeholder;",
                "the daemon's proxy puts the value in its place in requests to that host only.",
                "set reads the value from --value-file PATH, else from stdin when it is not a terminal, else at a prompt",
                "that does not echo it; one final newline is dropped. A value is never taken on the command line.",
                "set replaces the value of an existing secret. ls shows names and dates, never values.",
                FINDING);
    }

    @Override
    public Arguments arguments() {
        return Arguments.WORDS;
    }

    @Override
    public List<String> words() {
        return ACTIONS;
    }

    @Override
    Options commandOptions() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("value-file").hasArg().argName("PATH")
                .desc("set: read the value from this file (one final newline is dropped)").get());
        o.addOption(Option.builder("q").longOpt("quiet").desc("ls: print only the names").get());
        return o;
    }

    @Override
    public List<String> examples() {
        return List.of("agentkernel secret set OPENAI_API_KEY            # prompts, without echo",
                "printf %s \"$OPENAI_API_KEY\" | agentkernel secret set OPENAI_API_KEY",
                "agentkernel secret set GITHUB_TOKEN --value-file ~/.config/gh-token",
                "agentkernel secret ls; agentkernel secret rm OPENAI_API_KEY");
    }

    @Override
    int run(AgentKernel client, DaemonEndpoint daemon, CommandLine args, PrintWriter out, PrintWriter err)
            throws IOException {
        List<String> words = args.getArgList();
        if (words.isEmpty()) {
            throw new InvalidRequestException("no action given: use set NAME, ls or rm NAME, e.g. agentkernel secret set"
                    + " OPENAI_API_KEY");
        }
        String action = words.getFirst();
        Set<String> allowed = ALLOWED.get(action);
        if (allowed == null) {
            throw new InvalidRequestException("unknown action '" + action + "': use set NAME, ls or rm NAME");
        }
        for (Option o : args.getOptions()) {
            if (o.getLongOpt() != null && !o.getLongOpt().equals("url") && !allowed.contains(o.getLongOpt())) {
                throw new InvalidRequestException("--" + o.getLongOpt() + " does not go with '" + action + "'"
                        + " (see 'agentkernel secret --help')");
            }
        }
        List<String> names = words.subList(1, words.size());
        switch (action) {
            case "set" -> {
                if (names.size() > 1 || names.stream().anyMatch(n -> n.contains("="))) {
                    throw new InvalidRequestException(NEVER_ON_THE_COMMAND_LINE);
                }
                if (names.isEmpty()) {
                    throw new InvalidRequestException("no secret name given: agentkernel secret set NAME");
                }
                String name = names.getFirst();
                String value = args.hasOption("value-file") ? fromFile(Path.of(args.getOptionValue("value-file")))
                        : readValue(name, err);
                out.println("agentkernel: set secret " + client.secrets().set(name, value).name());
            }
            case "ls" -> {
                if (!names.isEmpty()) {
                    throw new InvalidRequestException("unexpected argument '" + names.getFirst() + "' after 'ls'");
                }
                List<SecretInfo> all = client.secrets().list();
                if (args.hasOption("quiet")) {
                    all.forEach(s -> out.println(s.name()));
                } else if (all.isEmpty()) {
                    err.println("agentkernel: no secrets; set one with 'agentkernel secret set NAME'");
                } else {
                    table(all, ZoneId.systemDefault()).forEach(out::println);
                }
            }
            default -> {
                if (names.isEmpty()) {
                    throw new InvalidRequestException("no secret given: agentkernel secret rm NAME...");
                }
                for (String name : names) {
                    client.secrets().remove(name);
                    out.println("agentkernel: removed secret " + name);
                }
            }
        }
        return 0;
    }

    /** The table of {@code ls}. */
    static List<String> table(List<SecretInfo> secrets, ZoneId zone) {
        List<List<String>> rows = new ArrayList<>();
        for (SecretInfo s : secrets) {
            rows.add(List.of(s.name(), s.createdAt().map(t -> Tables.time(t, zone)).orElse("-"),
                    s.updatedAt().map(t -> Tables.time(t, zone)).orElse("-")));
        }
        return Tables.render(HEADER, rows);
    }

    /** From stdin when it is not a terminal, else at a prompt without echo (asked twice). */
    private String readValue(String name, PrintWriter err) throws IOException {
        Console terminal = console.get();
        if (terminal == null || !terminal.isTerminal()) {
            try (InputStream in = stdin.get()) {
                return value(in.readNBytes(MAX_VALUE + 3), "stdin");
            }
        }
        char[] first = terminal.readPassword("Value of secret %s (not echoed): ", name);
        char[] again = null;
        try {
            if (first == null || first.length == 0) {
                throw new InvalidRequestException("no value typed: the secret needs a value");
            }
            again = terminal.readPassword("Again, to confirm: ");
            if (again == null || !Arrays.equals(first, again)) {
                throw new InvalidRequestException("the two values typed differ; nothing was set");
            }
            return new String(first);
        } finally {
            Arrays.fill(first == null ? new char[0] : first, '\0');
            Arrays.fill(again == null ? new char[0] : again, '\0');
        }
    }

    private static String fromFile(Path file) throws IOException {
        try {
            if (Files.size(file) > MAX_VALUE + 2) {
                throw new InvalidRequestException("--value-file " + file + " is " + Files.size(file)
                        + " bytes; a secret's value has at most " + MAX_VALUE);
            }
            return value(Files.readAllBytes(file), "--value-file " + file);
        } catch (NoSuchFileException e) {
            throw new InvalidRequestException("--value-file " + file + " does not exist");
        }
    }

    /** The bytes as UTF-8 without one final newline ({@code \n} or {@code \r\n}). */
    static String value(byte[] bytes, String source) {
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
        }
        if (end == 0) {
            throw new InvalidRequestException("no value on " + source + ": the secret needs a value");
        }
        if (end > MAX_VALUE) {
            throw new InvalidRequestException("the value on " + source + " is more than " + MAX_VALUE
                    + " bytes; a secret's value has at most " + MAX_VALUE);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException("the value on " + source + " is not UTF-8 text; encode binary values"
                    + " (e.g. base64) first");
        }
    }
}
