package dev.agentkernel.core.run;

import dev.agentkernel.model.Termination;
import java.time.Duration;

/**
 * How a run ended.
 *
 * @param sandboxId   the sandbox's name
 * @param termination how the command ended
 * @param elapsed     wall-clock time from request to clean-up
 */
public record RunOutcome(String sandboxId, Termination termination, Duration elapsed) {
}
