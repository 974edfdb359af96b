package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /attach/ID/resize}.
 *
 * @param rows the window's rows, 1 to 1000
 * @param cols the window's columns, 1 to 1000
 */
public record ResizeRequest(@JsonProperty(required = true) Integer rows, @JsonProperty(required = true) Integer cols) {

    public ResizeRequest {
        rows = size(Check.required(rows, "rows", "{\"rows\": 24, \"cols\": 80}"), "rows");
        cols = size(Check.required(cols, "cols", "{\"rows\": 24, \"cols\": 80}"), "cols");
    }

    static Integer size(Integer value, String field) {
        if (value < 1 || value > 1000) {
            throw Check.bad(field + " must be a whole number from 1 to 1000");
        }
        return value;
    }
}
