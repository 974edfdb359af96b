package dev.agentkernel.cli;

import java.io.PrintWriter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** Renders a subcommand's {@code --help}: usage, description, options, examples. */
final class HelpPrinter {
    private HelpPrinter() {
    }

    static void print(Subcommand command, Options options, PrintWriter out) {
        out.println(("Usage: agentkernel " + command.name() + " " + command.usage()).stripTrailing());
        out.println();
        command.description().forEach(out::println);
        out.println();
        out.println("Options:");
        for (Option option : options.getOptions()) {
            StringBuilder left = new StringBuilder("  ");
            left.append(option.getOpt() != null ? "-" + option.getOpt() : "   ");
            if (option.getLongOpt() != null) {
                left.append(option.getOpt() != null ? ", " : " ").append("--").append(option.getLongOpt());
            }
            if (option.hasArg()) {
                left.append(' ').append(option.getArgName() == null ? "VALUE" : option.getArgName());
            }
            out.printf("%-28s %s%n", left, option.getDescription());
        }
        if (!command.examples().isEmpty()) {
            out.println();
            out.println("Examples:");
            command.examples().forEach(e -> out.println("  " + e));
        }
    }
}
