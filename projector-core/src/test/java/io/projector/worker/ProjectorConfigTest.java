package io.projector.worker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Settings that cannot work are refused when the config is built, in one line naming them. */
class ProjectorConfigTest {

    @Test
    void theApplicationNameMustNotNameATableTheWorkerUsesOtherwise() {
        // The application name is the KCL lease table: sharing a name with the read model made the KCL read it as leases.
        assertThatThrownBy(() -> ProjectorConfig.builder().sourceTable("src").readModelTable("view").applicationName("view").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("application name 'view' names the KCL lease table, so it must differ from the read-model table");
        assertThatThrownBy(() -> ProjectorConfig.builder().sourceTable("src").readModelTable("view").applicationName("src").build())
                .hasMessageContaining("must differ from the source table");
    }

    @Test
    void aNegativeHandOffMarginIsRefused() {
        assertThatThrownBy(() -> ProjectorConfig.builder().sourceTable("src").readModelTable("view")
                .handOffMargin(java.time.Duration.ofSeconds(-1)).build())
                .hasMessageContaining("hand-off margin must be between 0 ms and 3600000 ms, was -1000 ms");
    }

    @Test
    void aLeaderLockShorterThanASecondIsRefused() {
        assertThatThrownBy(() -> ProjectorConfig.builder().sourceTable("src").readModelTable("view")
                .leaderLockDuration(java.time.Duration.ofMillis(500)).build())
                .hasMessageContaining("leader lock duration must be between 1000 ms and 600000 ms, was 500 ms");
    }

    @Test
    void theLeaderLockAndAssignmentIntervalDefaultsReplaceADeadLeaderInSeconds() {
        ProjectorConfig aws = ProjectorConfig.builder().sourceTable("src").readModelTable("view").build();
        org.assertj.core.api.Assertions.assertThat(aws.leaderLockDuration()).isEqualTo(java.time.Duration.ofSeconds(10));
        org.assertj.core.api.Assertions.assertThat(aws.leaseAssignmentInterval()).isEqualTo(java.time.Duration.ofSeconds(5));
        ProjectorConfig local = ProjectorConfig.builder().sourceTable("src").readModelTable("view").fastLocalTuning().build();
        org.assertj.core.api.Assertions.assertThat(local.leaderLockDuration()).isEqualTo(java.time.Duration.ofSeconds(3));
    }

    @Test
    void theStuckBatchTimeIsCheckedAndNamed() {
        assertThatThrownBy(() -> ProjectorConfig.builder().sourceTable("src").readModelTable("view")
                .stuckBatchAfter(java.time.Duration.ofMillis(10)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stuck batch time must be between 1000 ms and 86400000 ms, was 10 ms");
        org.assertj.core.api.Assertions.assertThat(ProjectorConfig.builder().sourceTable("src").readModelTable("view").build()
                .stuckBatchAfter()).isEqualTo(java.time.Duration.ofMinutes(5));
    }
}
