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

    /** Example invocations shown in {@code --help}. */
    List<String> examples();

    /**
     * Runs with the parsed arguments and returns the exit code.
     *
     * @throws dev.agentkernel.model.AgentKernelException for anything a user must fix or know
     */
    int run(CommandLine args, PrintWriter out, PrintWriter err) throws Exception;
}
