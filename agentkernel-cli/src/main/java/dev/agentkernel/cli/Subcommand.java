package dev.agentkernel.cli;

import java.io.PrintWriter;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** One {@code agentkernel} subcommand: its options, its help and what it does. */
interface Subcommand {

    /** The word that selects it, e.g. {@code run}. */
    String name();

    /** The usage line after {@code agentkernel NAME}, e.g. {@code [OPTIONS] [--] CMD [ARGS...]}. */
    String usage();

    /** One line for the command list. */
    String summary();

    /** Paragraphs shown under the usage line. */
    List<String> description();

    /** Its options; {@code -h/--help} is added by {@link Main}. */
    Options options();

    /** Whether option parsing stops at the first argument that is not an option. */
    default boolean stopsAtCommand() {
        return false;
    }

    /**
     * Whether the arguments are a sandbox's name, then options, then a command
     * ({@code exec NAME [-e K=V] [--] CMD...}): options are parsed before and after the name, and
     * parsing stops at the command.
     */
    default boolean nameThenCommand() {
        return false;
    }

    /** What the positional arguments are, for shell completion. */
    enum Arguments {
        /** None. */
        NONE,
        /** One sandbox name. */
        SANDBOX,
        /** Sandbox names. */
        SANDBOXES,
        /** A sandbox name, then a command. */
        SANDBOX_THEN_COMMAND,
        /** A new name (nothing to complete). */
        NEW_NAME,
        /** A command to run. */
        COMMAND,
        /** {@code SRC DST}, each a local path or {@code NAME:/path}. */
        COPY,
        /** One of {@link #words()}. */
        WORDS,
        /** One of {@link #words()}, then a code session's id. */
        WORDS_THEN_SESSION,
        /** One of {@link #words()}, then a task's id (after the actions of {@link TaskCommand#ID_ACTIONS}). */
        WORDS_THEN_TASK,
        /**
         * One of {@link #words()}, then snapshot names ({@link SnapshotCommand}: a sandbox's name after
         * {@code create}).
         */
        WORDS_THEN_SNAPSHOT
    }

    /** What the positional arguments are, for shell completion. */
    default Arguments arguments() {
        return Arguments.NONE;
    }

    /**
     * The words the first positional argument may be, when {@link #arguments()} is {@link Arguments#WORDS},
     * {@link Arguments#WORDS_THEN_SESSION}, {@link Arguments#WORDS_THEN_TASK} or {@link Arguments#WORDS_THEN_SNAPSHOT}.
     */
    default List<String> words() {
        return List.of();
    }

    /** Example invocations shown in {@code --help}. */
    List<String> examples();

    /**
     * Runs with the parsed arguments and returns the exit code.
     *
     * @throws dev.agentkernel.model.AgentKernelException for anything a user must fix or know
     */
    int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception;
}
