package io.projector.runner;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.Arrays;

/**
 * {@code %eex} in the text log pattern: the stack trace as logback prints it (its frames on lines of
 * their own, each starting with a tab), but every exception message in it, causes and suppressed
 * ones included, with its control characters escaped: an exception's text is as foreign as a key.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return super.throwableProxyToString(escaped(proxy));
    }

    private static IThrowableProxy escaped(IThrowableProxy proxy) {
        return proxy == null ? null : new Escaped(proxy);
    }

    /** The proxy with its message escaped; the rest as it was. */
    private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {

        @Override
        public String getMessage() {
            return LogEscaping.escape(proxy.getMessage());
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            // A cyclic cause points back up the chain: logback stops there, and so must the wrapping.
            return proxy.isCyclic() ? proxy.getCause() : escaped(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            return suppressed == null ? null : Arrays.stream(suppressed).map(EscapedThrowableConverter::escaped).toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
