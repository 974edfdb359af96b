package dev.agentkernel.client;

import java.util.Objects;

/**
 * Why code in a code session failed ({@link CodeResult#error()}): what it raised, or one of
 * the server's own kinds ({@link #TIMEOUT}, {@link #INTERPRETER_DIED},
 * {@link #OUTPUT_TOO_LARGE}).
 *
 * @param type      the exception's type, e.g. {@code ZeroDivisionError} (Python) or {@code TypeError}
 *                  (Node.js); for bash {@code ExitStatus} when the last command's status was not 0;
 *                  or one of the server's kinds
 * @param message   its message, e.g. {@code division by zero}
 * @param traceback the interpreter's traceback or stack, empty when it has none
 */
public record CodeError(String type, String message, String traceback) {

    /** The execution passed its timeout and was interrupted; the session keeps its state. */
    public static final String TIMEOUT = "Timeout";
    /**
     * The code ended the interpreter (or it could not be interrupted): a fresh one replaced it,
     * files are kept, variables are lost ({@link CodeResult#stateLost()}).
     */
    public static final String INTERPRETER_DIED = "InterpreterDied";
    /** The code printed more than the server keeps. */
    public static final String OUTPUT_TOO_LARGE = "OutputTooLarge";

    /** Checks for nulls. */
    public CodeError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(traceback, "traceback");
    }

    /**
     * Whether the execution passed its timeout.
     *
     * @return whether the type is {@link #TIMEOUT}
     */
    public boolean timedOut() {
        return TIMEOUT.equals(type);
    }

    /**
     * Whether the interpreter died and was replaced.
     *
     * @return whether the type is {@link #INTERPRETER_DIED}
     */
    public boolean interpreterDied() {
        return INTERPRETER_DIED.equals(type);
    }

    /**
     * What an interactive interpreter would print: the traceback when there is one, else
     * {@code type: message} (or the type alone when there is no message).
     *
     * @return the error for people, without a trailing newline
     */
    public String describe() {
        if (!traceback.isBlank()) {
            return traceback.stripTrailing();
        }
        return message.isBlank() ? type : type + ": " + message;
    }
}
