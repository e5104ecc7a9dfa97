package io.projector.runner;

import io.projector.worker.DeadLetterPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** What dead letters keep and for how long: the flags of every command that runs the engine (run, backfill, replay, rebuild). */
@SettingGroup
final class DeadLetterOptions {

    @Option(names = "--dead-letter-retention-days", defaultValue = "14",
            description = "Days a dead letter is kept before the read-model table's TTL deletes it (env PROJECTOR_DEAD_LETTER_RETENTION_DAYS; "
                    + "default ${DEFAULT-VALUE}; 1 to 365).")
    int retentionDays;

    @Option(names = "--dead-letter-images", defaultValue = "full",
            description = "full: letters keep the change's old and new images, and can be re-driven; none: keys, sequence number "
                    + "and reason only (env PROJECTOR_DEAD_LETTER_IMAGES; default ${DEFAULT-VALUE}).")
    String images;

    @Option(names = "--dead-letter-redact", split = ",",
            description = "Comma-separated top-level attributes whose values letters replace by <redacted> in both images; such letters "
                    + "are not re-driven (env PROJECTOR_DEAD_LETTER_REDACT; default: none).")
    List<String> redact;

    /**
     * The policy, or one line naming the setting that is wrong.
     *
     * @param setting names a setting (its key) as the user gave it: flag, variable or file line
     */
    DeadLetterPolicy policy(UnaryOperator<String> setting) {
        if (retentionDays < 1 || retentionDays > 365) {
            throw new IllegalArgumentException(setting.apply("dead-letter-retention-days") + " must be between 1 and 365, was " + retentionDays);
        }
        String mode = images == null ? "full" : images.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("full") && !mode.equals("none")) {
            throw new IllegalArgumentException(setting.apply("dead-letter-images") + " must be full or none, was '" + images + "'");
        }
        Set<String> names = NameList.of(redact, setting, "dead-letter-redact", "attribute name");
        if (mode.equals("none") && !names.isEmpty()) {
            throw new IllegalArgumentException(setting.apply("dead-letter-redact") + " redacts images, but "
                    + setting.apply("dead-letter-images") + " is none: letters keep no images to redact; give one of the two");
        }
        return new DeadLetterPolicy(Duration.ofDays(retentionDays), mode.equals("full"), names);
    }
}
