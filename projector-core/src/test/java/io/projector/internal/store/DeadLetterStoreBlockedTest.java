package io.projector.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.ParkingLot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** The shards of one worker share one read of the dead-letter partition per refresh, never a stale one after a park. */
class DeadLetterStoreBlockedTest {

    /** The dead-letter partition, counting how often it is read. */
    private static final class Partition implements DynamoDbClient {
        int queries;
        List<Map<String, AttributeValue>> items = List.of(item("p", "K#1"));

        @Override
        public QueryResponse query(QueryRequest request) {
            queries++;
            return QueryResponse.builder().items(items).count(items.size()).build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shardsRefreshingWithinTheIntervalShareOneRead() {
        Partition partition = new Partition();
        DeadLetterStore store = new DeadLetterStore(partition, "rm", EngineKeys.of("app"));
        for (int shard = 0; shard < 50; shard++) {
            assertThat(store.blockedItems(10_000, 1_000 + shard * 100)).containsExactly(ParkingLot.blockKey("p", "K#1"));
        }
        assertThat(partition.queries).isEqualTo(1);
        store.blockedItems(10_000, 12_000);
        assertThat(partition.queries).as("read again once the view is older than asked").isEqualTo(2);
    }

    @Test
    void aShardTakingOverAndAParkOnThisWorkerForceAFreshRead() {
        Partition partition = new Partition();
        DeadLetterStore store = new DeadLetterStore(partition, "rm", EngineKeys.of("app"));
        store.blockedItems(10_000, 1_000);
        store.blockedItems(0, 1_001);
        assertThat(partition.queries).isEqualTo(2);
        partition.items = List.of(item("p", "K#1"), item("p", "K#2"));
        store.parked();
        assertThat(store.blockedItems(10_000, 1_002)).contains(ParkingLot.blockKey("p", "K#2"));
        assertThat(partition.queries).isEqualTo(3);
    }

    private static Map<String, AttributeValue> item(String projection, String sourceKey) {
        return Map.of("projection", AttributeValue.fromS(projection), "sourceKey", AttributeValue.fromS(sourceKey));
    }
}
