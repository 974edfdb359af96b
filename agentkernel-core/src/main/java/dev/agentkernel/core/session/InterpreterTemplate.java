package dev.agentkernel.core.session;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The interpreters a stateful code session can run, each with its driver program (a class-path
 * resource extracted by {@link DriverFiles}) and the command line that starts the driver.
 */
public enum InterpreterTemplate {
    /** Python 3 ({@code python3 -u python_driver.py}); stdlib only. */
    PYTHON("python", "python:3.12-alpine", "python_driver.py", "python3", "-u"),
    /** Node.js ({@code node node_driver.js}); no npm packages. */
    NODE("node", "node:22-alpine", "node_driver.js", "node"),
    /** Bash ({@code bash --noprofile --norc bash_driver.sh}); bash 4.3 or newer. */
    BASH("bash", "bash:5.2", "bash_driver.sh", "bash", "--noprofile", "--norc");

    private final String id;
    private final String image;
    private final String driverFileName;
    private final List<String> interpreter;

    InterpreterTemplate(String id, String image, String driverFileName, String... interpreter) {
        this.id = id;
        this.image = image;
        this.driverFileName = driverFileName;
        this.interpreter = List.of(interpreter);
    }

    /**
     * The image the template's sandboxes run on unless {@code AGENTKERNEL_DEFAULT_IMAGE} names
     * another (see {@link dev.agentkernel.core.policy.PolicyResolver#configuredDefaultImage()}).
     */
    public String image() {
        return image;
    }

    /** The template's name in the API: {@code python}, {@code node} or {@code bash}. */
    public String id() {
        return id;
    }

    /** The driver's file name, e.g. {@code python_driver.py}. */
    public String driverFileName() {
        return driverFileName;
    }

    /** The interpreter executable looked up on {@code PATH}, e.g. {@code python3}. */
    public String executable() {
        return interpreter.getFirst();
    }

    /**
     * The command line that starts the driver, given where the driver file is visible to the
     * process that runs it, e.g. {@code [python3, -u, /.ak/session/python_driver.py]}.
     */
    public List<String> command(String driverPath) {
        Objects.requireNonNull(driverPath, "driverPath");
        return java.util.stream.Stream.concat(interpreter.stream(), java.util.stream.Stream.of(driverPath)).toList();
    }

    /**
     * The command line for a driver in {@code driverDir} (for example the directory returned by
     * {@link DriverFiles#extractTo}, or the place a sandbox mounts it).
     */
    public List<String> commandInDirectory(String driverDir) {
        String dir = driverDir.endsWith("/") ? driverDir : driverDir + "/";
        return command(dir + driverFileName);
    }

    /** The class-path resource holding the driver. */
    String resourceName() {
        return DriverFiles.RESOURCE_PREFIX + driverFileName;
    }

    /**
     * The template with the given API name (case-insensitive; {@code python3}, {@code javascript},
     * {@code js}, {@code nodejs} and {@code sh} are accepted as aliases).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static InterpreterTemplate fromName(String name) {
        String n = Objects.requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "python", "python3", "py" -> PYTHON;
            case "node", "nodejs", "javascript", "js" -> NODE;
            case "bash", "sh", "shell" -> BASH;
            default -> throw new IllegalArgumentException("unknown template '" + name + "' (expected python, node or bash)");
        };
    }
}
