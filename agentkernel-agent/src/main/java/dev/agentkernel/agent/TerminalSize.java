package dev.agentkernel.agent;

import dev.agentkernel.model.InvalidRequestException;

/**
 * The size of a pseudo-terminal in character cells.
 *
 * @param rows lines, 1 to 65535
 * @param cols columns, 1 to 65535
 */
public record TerminalSize(int rows, int cols) {

    /** The classic 24 x 80. */
    public static final TerminalSize DEFAULT = new TerminalSize(24, 80);

    /** Validates. @throws InvalidRequestException for a size outside 1..65535 */
    public TerminalSize {
        if (rows < 1 || rows > 0xffff || cols < 1 || cols > 0xffff) {
            throw new InvalidRequestException("terminal size must be 1 to 65535 rows and columns, got "
                    + rows + " x " + cols);
        }
    }
}
