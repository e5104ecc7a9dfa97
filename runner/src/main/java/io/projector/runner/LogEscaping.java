package io.projector.runner;

/**
 * Makes a logged value stay inside its line: control characters (CR, LF, TAB, the C0 and C1 ranges,
 * DEL, and the Unicode line and paragraph separators) are written as escapes ({@code \r}, {@code \n},
 * {@code \t}, {@code \}{@code u001b}), and a backslash is doubled so that an escape in the input cannot
 * pass for one made here. Without it a source key holding "\r\n" starts what looks like a new log
 * line in text format; JSON lines escape by themselves.
 */
final class LogEscaping {

    private LogEscaping() {
    }

    static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '\\' || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
