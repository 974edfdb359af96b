package dev.agentkernel.cli;

import dev.agentkernel.model.InvalidRequestException;
import org.apache.commons.cli.CommandLine;

/** Typed option values with one-line errors naming the option and what it expects. */
final class OptionValues {
    private OptionValues() {
    }

    static Long wholeNumber(CommandLine args, String option, String unit) {
        String text = args.getOptionValue(option);
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("--" + option + " expects a whole number of " + unit + ", got '" + text + "'");
        }
    }

    static Double number(CommandLine args, String option, String unit) {
        String text = args.getOptionValue(option);
        if (text == null) {
            return null;
        }
        try {
            double value = Double.parseDouble(text.strip());
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("--" + option + " expects a number of " + unit + ", got '" + text + "'");
        }
    }

    /**
     * The values of a repeatable directory option, each absolute and normalized.
     *
     * @throws InvalidRequestException naming the option for a value that is not an existing directory
     */
    static java.util.List<java.nio.file.Path> directories(CommandLine args, String option) {
        java.util.List<java.nio.file.Path> dirs = new java.util.ArrayList<>();
        String[] given = args.getOptionValues(option);
        if (given != null) {
            for (String dir : given) {
                java.nio.file.Path path = java.nio.file.Path.of(dir).toAbsolutePath().normalize();
                if (!java.nio.file.Files.isDirectory(path)) {
                    throw new InvalidRequestException("--" + option + " " + dir + ": no such directory");
                }
                dirs.add(path);
            }
        }
        return dirs;
    }
}
