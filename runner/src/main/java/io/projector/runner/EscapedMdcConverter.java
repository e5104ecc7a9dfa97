package io.projector.runner;

import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** {@code %eX{key}} in the text log pattern: an MDC value (a shard id, a projection name) with its control characters escaped. */
public final class EscapedMdcConverter extends MDCConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return LogEscaping.escape(super.convert(event));
    }
}
