package dev.agentkernel.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The command line of a harness that takes whole-number options and {@code --markdown FILE}:
 * {@code --only} and {@code --root} (passed by {@code scripts/bench.sh}) are skipped, {@code -h}
 * and {@code --help} print the usage, anything else is a usage error (exit 2).
 */
final class BenchArgs {

    private final String usage;
    private final Map<String, IntConsumer> numbers = new LinkedHashMap<>();
    private Path markdown;

    /** @param usage what {@code --help} prints */
    BenchArgs(String usage) {
        this.usage = usage;
    }

    /** Declares {@code --name N}, given to {@code setter}. */
    BenchArgs number(String name, IntConsumer setter) {
        numbers.put(name, setter);
        return this;
    }

    /**
     * Reads {@code args}.
     *
     * @return false when the usage was printed (the harness has nothing to do)
     */
    boolean parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (numbers.containsKey(arg) && i + 1 < args.length) {
                numbers.get(arg).accept(Integer.parseInt(args[++i]));
            } else if (arg.equals("--markdown") && i + 1 < args.length) {
                markdown = Path.of(args[++i]);
            } else if ((arg.equals("--only") || arg.equals("--root")) && i + 1 < args.length) {
                i++;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(usage);
                return false;
            } else {
                System.err.println("bench: unknown option " + arg + "\n" + usage);
                System.exit(2);
            }
        }
        return true;
    }

    /** The file whose section the harness rewrites, if given. */
    Optional<Path> markdown() {
        return Optional.ofNullable(markdown);
    }
}
