/** The audit log: which events are recorded and the interface of their durable store. */
package dev.agentkernel.core.audit;
