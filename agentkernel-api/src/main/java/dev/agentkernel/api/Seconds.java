package dev.agentkernel.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a number of seconds as the published clients do: whole seconds as an integer ({@code 120}),
 * anything else with its fraction ({@code 0.5}). For the {@code timeout} fields of requests, which the
 * records hold as {@link Double}.
 */
public final class Seconds extends StdSerializer<Double> {

    private static final long serialVersionUID = 1L;

    /** The serializer (Jackson makes it from the annotation). */
    public Seconds() {
        super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        double v = value;
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            gen.writeNumber((long) v);
        } else {
            gen.writeNumber(v);
        }
    }
}
