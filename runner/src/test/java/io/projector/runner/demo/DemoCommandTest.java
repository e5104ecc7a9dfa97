package io.projector.runner.demo;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A wrong number stops {@code projector demo} with one line, before DynamoDB Local starts. */
class DemoCommandTest {

    private final StringWriter err = new StringWriter();

    private int demo(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all);
    }

    @Test
    void lagSamplesMustBePositive() {
        assertThat(demo("--data-dir", "target/demo-never-started", "--lag-samples", "0")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--lag-samples must be at least 1, was 0");
    }

    @Test
    void ordersMustBePositive() {
        assertThat(demo("--data-dir", "target/demo-never-started", "--orders", "0")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--customers, --orders and --users must be at least 1");
    }
}
