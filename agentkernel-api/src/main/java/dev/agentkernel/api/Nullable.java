package dev.agentkernel.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record component that is always on the wire but may be {@code null} there (JSON Schema
 * {@code ["T", "null"]}). A component that may be left out altogether is annotated
 * {@code @JsonInclude(NON_NULL)} instead.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface Nullable {
}
