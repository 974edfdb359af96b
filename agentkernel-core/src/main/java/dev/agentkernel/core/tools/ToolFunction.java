package dev.agentkernel.core.tools;

/**
 * A function a tool library offers.
 *
 * @param name        its name
 * @param signature   how it is called, e.g. {@code get_stock_data(ticker, days=30)}
 * @param description the first paragraph of its documentation (empty if none)
 */
public record ToolFunction(String name, String signature, String description) {
}
