package io.projector.runner;

import io.projector.worker.CommitPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** How the read model is written: the flags of every command that runs a worker (run, backfill --run-worker, replay, rebuild). */
@SettingGroup
final class CommitOptions {

    @Option(names = "--commit-mode", defaultValue = "transactional",
            description = "transactional: each chunk of changes with its watermarks is one DynamoDB transaction (up to 100 items); "
                    + "guarded: each read-model item is one conditional write that guards itself, no transaction, about half the write "
                    + "units; items then carry projector:* attributes and deletes leave tombstones for --tombstone-grace-ms "
                    + "(env PROJECTOR_COMMIT_MODE; default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--in-flight-writes", defaultValue = "16",
            description = "guarded: how many writes the worker sends at once, its shards together (env PROJECTOR_IN_FLIGHT_WRITES; default ${DEFAULT-VALUE}; 1 to 256).")
    int inFlight;

    @Option(names = "--tombstone-grace-ms", defaultValue = "300000",
            description = "guarded: how long a deleted item's tombstone (projector:deleted = true) stays before the worker removes it; "
                    + "a worker paused longer than this could bring the item back (env PROJECTOR_TOMBSTONE_GRACE_MS; default ${DEFAULT-VALUE}, "
                    + "5 minutes; 1000 to 86400000).")
    long tombstoneGraceMs;

    @Option(names = "--transactional-projections", split = ",",
            description = "guarded: comma-separated projections that stay in transactions (one that writes an item both as a copy "
                    + "and as a counter, say); projections that share items must share a mode (env PROJECTOR_TRANSACTIONAL_PROJECTIONS; "
                    + "default: none).")
    List<String> transactional;

    @Option(names = "--guarded-packing", defaultValue = "auto",
            description = "guarded: how the conditional writes travel: single: one request per item (1 write unit per KB); packed: the same "
                    + "writes in transactions of up to 100 (2 write units per KB on AWS, but fewer requests: faster on DynamoDB Local, "
                    + "which is bound by requests); auto: packed on DynamoDB Local (--local, a loopback --endpoint), single on AWS "
                    + "(env PROJECTOR_GUARDED_PACKING; default ${DEFAULT-VALUE}).")
    String packing;

    /**
     * The policy, or one line naming the setting that is wrong.
     *
     * @param setting names a setting (its key) as the user gave it: flag, variable or file line
     */
    CommitPolicy policy(UnaryOperator<String> setting) {
        String name = mode == null ? "transactional" : mode.trim().toLowerCase(Locale.ROOT);
        CommitPolicy.Mode parsed = switch (name) {
            case "transactional" -> CommitPolicy.Mode.TRANSACTIONAL;
            case "guarded" -> CommitPolicy.Mode.GUARDED;
            default -> throw new IllegalArgumentException(setting.apply("commit-mode") + " must be transactional or guarded, was '" + mode + "'");
        };
        TuningOptions.checkRange(setting, "in-flight-writes", inFlight, 1, 256);
        TuningOptions.checkRange(setting, "tombstone-grace-ms", tombstoneGraceMs, 1_000, 86_400_000);
        Set<String> names = NameList.of(transactional, setting, "transactional-projections", "projection name");
        if (parsed == CommitPolicy.Mode.TRANSACTIONAL && !names.isEmpty()) {
            throw new IllegalArgumentException(setting.apply("transactional-projections") + " names projections for the guarded mode, but "
                    + setting.apply("commit-mode") + " is transactional: every projection already is; give one of the two");
        }
        String packingName = packing == null ? "auto" : packing.trim().toLowerCase(Locale.ROOT);
        CommitPolicy.Packing packed = switch (packingName) {
            case "auto" -> CommitPolicy.Packing.AUTO;
            case "single" -> CommitPolicy.Packing.SINGLE;
            case "packed" -> CommitPolicy.Packing.PACKED;
            default -> throw new IllegalArgumentException(setting.apply("guarded-packing") + " must be auto, single or packed, was '" + packing + "'");
        };
        if (parsed == CommitPolicy.Mode.TRANSACTIONAL && packed != CommitPolicy.Packing.AUTO) {
            throw new IllegalArgumentException(setting.apply("guarded-packing") + " is " + packingName + ", but " + setting.apply("commit-mode")
                    + " is transactional, which sends no guarded writes: drop it, or give --commit-mode guarded");
        }
        return new CommitPolicy(parsed, inFlight, Duration.ofMillis(tombstoneGraceMs), names, packed);
    }
}
