package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogEscapingTest {

    @Test
    void plainTextIsUnchanged() {
        String plain = "parked ORDER#1 for 'order-history': Ünïcode é ok";
        assertThat(LogEscaping.escape(plain)).isSameAs(plain);
        assertThat(LogEscaping.escape(null)).isNull();
    }

    @Test
    void controlCharactersBecomeEscapes() {
        assertThat(LogEscaping.escape("a\r\nb\tc\u001b[31md\u0000e\u007ff\u0085g\u2028h"))
                .isEqualTo("a\\r\\nb\\tc\\u001b[31md\\u0000e\\u007ff\\u0085g\\u2028h");
    }

    @Test
    void aBackslashInTheInputCannotPassForAnEscape() {
        // Literally backslash-n in a key, next to a real LF: the two must read differently.
        assertThat(LogEscaping.escape("x\\ny")).isEqualTo("x\\\\ny");
        assertThat(LogEscaping.escape("x\ny")).isEqualTo("x\\ny");
    }

    @Test
    void noCharacterOfTheOutputBreaksALine() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            all.append(c);
        }
        assertThat(LogEscaping.escape(all.toString()).chars())
                .noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029);
    }
}
