package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ItemKey;
import io.projector.internal.store.LegacyEngineItems;
import io.projector.worker.ProjectorConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineKeysTest {

    private final EngineKeys orders = EngineKeys.of("orders-app");

    @Test
    void everyEngineItemOfAnApplicationStartsWithItsPrefix() {
        assertThat(orders.prefix()).isEqualTo("PROJECTOR#orders-app#");
        assertThat(orders.watermark("order-counters", "shardId-1")).isEqualTo(ItemKey.of("PROJECTOR#orders-app#WATERMARK#order-counters", "SHARD#shardId-1"));
        assertThat(orders.deadLetter("copy#shardId-1#0042")).isEqualTo(ItemKey.of("PROJECTOR#orders-app#DLQ", "copy#shardId-1#0042"));
        assertThat(orders.backfillPartition("copy")).isEqualTo("PROJECTOR#orders-app#BACKFILL#copy");
        assertThat(orders.backfillRunPartition(List.of("b", "a"))).isEqualTo("PROJECTOR#orders-app#BACKFILL#RUN#a+b");
        assertThat(orders.appliedPartition("copy", "0f")).isEqualTo("PROJECTOR#orders-app#APPLIED#copy#0f");
        assertThat(orders.shardReportPartition()).isEqualTo("PROJECTOR#orders-app#SHARD");
    }

    @Test
    void theShapesBeforeApplicationsAreTheOldKeysAndMoveByPrefix() {
        EngineKeys old = EngineKeys.beforeApplications();
        assertThat(old.watermark("copy", "s1")).isEqualTo(ItemKey.of("PROJECTOR#WATERMARK#copy", "SHARD#s1"));
        assertThat(old.deadLetterPartition()).isEqualTo("PROJECTOR#DLQ");
        assertThat(old.backfillPartition("copy")).isEqualTo("PROJECTOR#BACKFILL#copy");
        assertThat(old.appliedPartition("copy", "ab")).isEqualTo("PROJECTOR#APPLIED#copy#ab");
        assertThat(old.shardReportPartition()).isEqualTo("PROJECTOR#SHARD");
        // The migration rewrites only the prefix: each old partition lands on the application's key of the same kind.
        assertThat(LegacyEngineItems.newPartition(orders, old.watermarkPartition("copy"))).isEqualTo(orders.watermarkPartition("copy"));
        assertThat(LegacyEngineItems.newPartition(orders, old.deadLetterPartition())).isEqualTo(orders.deadLetterPartition());
        assertThat(LegacyEngineItems.newPartition(orders, old.backfillRunPartition(List.of("x")))).isEqualTo(orders.backfillRunPartition(List.of("x")));
        assertThat(LegacyEngineItems.newPartition(orders, old.appliedPartition("copy", "ab"))).isEqualTo(orders.appliedPartition("copy", "ab"));
        assertThat(LegacyEngineItems.newPartition(orders, old.shardReportPartition())).isEqualTo(orders.shardReportPartition());
    }

    @Test
    void noApplicationsPrefixIsThePrefixOfAnother() {
        // A LeadingKeys pattern PROJECTOR#<app>#* must not reach an application whose name starts with the same letters.
        assertThat(EngineKeys.of("orders-app-2").watermarkPartition("copy")).doesNotStartWith(orders.prefix());
    }

    @Test
    void aNameThatCannotStandInAKeyIsRefusedInOneLineNamingTheSetting() {
        assertThatThrownBy(() -> EngineKeys.requireApplication("orders#app", "--application-name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--application-name 'orders#app' may only hold 3 to 255 of a-z A-Z 0-9 _ . -")
                .hasMessageNotContaining("\n");
        for (String unsafe : List.of("orders*", "ord?rs", "a b c", "or")) {
            assertThatThrownBy(() -> EngineKeys.of(unsafe)).as(unsafe).hasMessageContaining("'" + unsafe + "' may only hold");
        }
        assertThatThrownBy(() -> EngineKeys.requireApplication("WATERMARK", "--application-name"))
                .hasMessageStartingWith("--application-name 'WATERMARK' is reserved");
        assertThatThrownBy(() -> EngineKeys.requireApplication(" ", "--application-name")).hasMessage("--application-name is required");
    }

    @Test
    void aWorkerConfigRefusesSuchANameToo() {
        assertThatThrownBy(() -> ProjectorConfig.builder().sourceTable("src").readModelTable("view").applicationName("a#b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("application name 'a#b' may only hold");
    }

    @Test
    void aReplayKeepsTheLiveApplicationsEngineItemsAndARebuildHasItsOwn() {
        ProjectorConfig live = ProjectorConfig.builder().sourceTable("src").readModelTable("view").applicationName("live").build();
        ProjectorConfig replay = live.replayAs("view", "live-replay-1");
        assertThat(replay.applicationName()).isEqualTo("live-replay-1");
        assertThat(replay.engineApplication()).isEqualTo("live");
        ProjectorConfig rebuild = live.retarget("view-2", "live-rebuild-view-2");
        assertThat(rebuild.engineApplication()).isEqualTo("live-rebuild-view-2");
    }
}
