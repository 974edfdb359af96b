package dev.agentkernel.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The JSON types a loosely typed component ({@code Object}) takes, e.g. {@code {"array", "object"}}
 * or {@code {"array", "string"}} (arrays then hold strings).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface JsonTypes {
    /** JSON Schema type names. */
    String[] value();
}
