package dev.agentkernel.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command-line options of {@link ApiBench}. */
final class ApiOptions {

    static final String USAGE = """
            usage: ApiBench [options]   (normally: scripts/bench.sh --only api [options], as root)
              --warmup N         warm-up rounds, every variant once each, dropped (default 20)
              --rounds N         measured rounds of the warm `fast: true` /run and the raw bwrap baseline (default 200)
              --cold-rounds N    measured cold `fast: false` /run and breakdown rows, spread evenly over the rounds
                                 (default 100)
              --pause-ms N       idle time before every timed request, after the pool is full again (default 50)
              --back-to-back N   sequential `fast: true` requests without any pause (default 200)
              --batch SIZES      /batch/run sizes, comma-separated (default 100,500); a size above the API's cap
                                 is tried once as one request, then sent as concurrent requests of at most the cap
              --batch-repeats N  times each batch size is run (default 3)
              --clients N        concurrent /run clients (virtual threads, one HTTP connection each; default 8)
              --per-client N     sequential requests per client (default 50)
              --pool-size N      the daemon's warm pool per key (default 4, the daemon's default)
              --no-breakdown     skip the in-process rows that split the warm and cold paths into parts
              --trace            print every timed request to stderr (also: -Dbench.trace=true)
              --markdown FILE    rewrite this benchmark's section of FILE (e.g. BENCHMARKS.md)
              --note TEXT        a note to print with the results (e.g. about the machine's load)
              --root DIR         accepted for scripts/bench.sh; unused
              --only api         accepted for scripts/bench.sh
            """;

    int warmup = 20;
    int rounds = 200;
    int coldRounds = 100;
    int pauseMs = 50;
    int backToBack = 200;
    List<Integer> batchSizes = List.of(100, 500);
    int batchRepeats = 3;
    int clients = 8;
    int perClient = 50;
    int poolSize = 4;
    boolean breakdown = true;
    boolean trace = Boolean.getBoolean("bench.trace");
    Path markdown;
    String note;
    boolean help;

    static ApiOptions parse(String[] args) {
        ApiOptions o = new ApiOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--warmup" -> o.warmup = count(arg, value(args, ++i, arg), 0);
                case "--rounds" -> o.rounds = count(arg, value(args, ++i, arg), 1);
                case "--cold-rounds" -> o.coldRounds = count(arg, value(args, ++i, arg), 1);
                case "--pause-ms" -> o.pauseMs = count(arg, value(args, ++i, arg), 0);
                case "--back-to-back" -> o.backToBack = count(arg, value(args, ++i, arg), 0);
                case "--batch" -> {
                    List<Integer> sizes = new ArrayList<>();
                    String list = value(args, ++i, arg);
                    for (String s : list.split(",")) {
                        if (!s.isBlank()) {
                            sizes.add(count(arg, s.trim(), 1));
                        }
                    }
                    o.batchSizes = List.copyOf(sizes);
                }
                case "--batch-repeats" -> o.batchRepeats = count(arg, value(args, ++i, arg), 1);
                case "--clients" -> o.clients = count(arg, value(args, ++i, arg), 0);
                case "--per-client" -> o.perClient = count(arg, value(args, ++i, arg), 1);
                case "--pool-size" -> o.poolSize = count(arg, value(args, ++i, arg), 1);
                case "--no-breakdown" -> o.breakdown = false;
                case "--trace" -> o.trace = true;
                case "--markdown" -> o.markdown = Path.of(value(args, ++i, arg)).toAbsolutePath().normalize();
                case "--note" -> o.note = value(args, ++i, arg);
                case "--root" -> value(args, ++i, arg);
                case "--only" -> {
                    String only = value(args, ++i, arg);
                    if (!only.equals("api")) {
                        throw new IllegalArgumentException("ApiBench runs only --only api, not " + only);
                    }
                }
                case "-h", "--help" -> o.help = true;
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (o.coldRounds > o.rounds) {
            throw new IllegalArgumentException("--cold-rounds (" + o.coldRounds + ") cannot exceed --rounds ("
                    + o.rounds + "): the cold rows are spread over the rounds");
        }
        return o;
    }

    /** The command that reproduces this run's section. */
    String reproduce() {
        StringBuilder sb = new StringBuilder("scripts/bench.sh --only api");
        sb.append(" --warmup ").append(warmup).append(" --rounds ").append(rounds)
                .append(" --cold-rounds ").append(coldRounds).append(" --pause-ms ").append(pauseMs)
                .append(" --back-to-back ").append(backToBack)
                .append(" --batch ").append(String.join(",", batchSizes.stream().map(String::valueOf).toList()))
                .append(" --batch-repeats ").append(batchRepeats)
                .append(" --clients ").append(clients).append(" --per-client ").append(perClient)
                .append(" --pool-size ").append(poolSize);
        if (!breakdown) {
            sb.append(" --no-breakdown");
        }
        return sb.toString();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int count(String option, String text, int min) {
        try {
            int n = Integer.parseInt(text);
            if (n < min) {
                throw new IllegalArgumentException(option + " must be at least " + min);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not " + text);
        }
    }
}
