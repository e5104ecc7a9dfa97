package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.ReadModelVerifier;
import io.projector.worker.CommitPolicy;
import io.projector.worker.Projector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The worker in the guarded commit mode, on DynamoDB Local through the KCL: the read model is
 * exact, each item carries its own guard, and a crash that lost both the checkpoints and the
 * watermarks (the whole stream sent again, as a stale owner would) changes nothing; deletes leave
 * tombstones that the verifier does not see and that the worker sweeps after their grace.
 */
class GuardedCommitIT {

    private static final String POSITION = "projector:position";
    private static final String DELETED = "projector:deleted";

    @Test
    void theWholeStreamSentAgainChangesNothing() {
        inBothPackings(this::theWholeStreamSentAgainChangesNothing);
    }

    private void theWholeStreamSentAgainChangesNothing(CommitPolicy.Packing packing) {
        TestDynamo.Setup t = TestDynamo.tables("guarded-" + packing.name().toLowerCase(java.util.Locale.ROOT));
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        SourceWriter writer = new SourceWriter(t.source(), 17, 40);
        // More than a full batch of 1,000: a shard behind folds it and the next into one window.
        writer.write(1500);
        CommitPolicy guarded = CommitPolicy.GUARDED.withPacking(packing);
        Transactions firstTransactions = new Transactions(t.readModel());

        try (Projector first = t.start(List.of(new CopyProjection()), b -> b.commit(guarded).readModelInterceptor(firstTransactions))) {
            // The items land before the window's progress mark and its count: wait for both.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches() && first.stats().chunksCommitted() > 0);
            // A full batch of 1,000 and the rest: the shard was behind, so both went in one window.
            assertThat(first.stats().chunksCommitted()).as("windows for %d records", first.stats().eventsSeen()).isEqualTo(1);
        }
        // Packed: the window in transactions of up to 100 (here the whole window and its mark in one); single: none.
        assertThat(firstTransactions.count() > 0).as("sent in packs").isEqualTo(packing == CommitPolicy.Packing.PACKED);
        List<Map<String, AttributeValue>> items = readModelItems(t);
        assertThat(items).filteredOn(i -> i.get("PK").s().startsWith("COPY#")).isNotEmpty()
                .allSatisfy(i -> assertThat(i).containsKey(POSITION));
        assertThat(items).filteredOn(i -> i.get("PK").s().startsWith("COPY#") && i.containsKey(DELETED))
                .as("the deleted copies are tombstones until their grace passes").isNotEmpty()
                .allSatisfy(i -> assertThat(i).doesNotContainKeys("value", "amount").containsKey("expiresAt"));
        Map<String, AttributeValue> group = TestDynamo.get(t.readModel(), "GROUP#g1", "SUM");
        assertThat(group.keySet()).anyMatch(name -> name.startsWith("projector:marker:shardId-"));

        // Lose every checkpoint and every watermark: the next owner sends the whole stream again.
        TestDynamo.client().scanPaginator(b -> b.tableName(t.application())).items().forEach(lease ->
                TestDynamo.client().updateItem(b -> b.tableName(t.application()).key(Map.of("leaseKey", lease.get("leaseKey")))
                        .updateExpression("SET checkpoint = :c, checkpointSubSequenceNumber = :z")
                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("TRIM_HORIZON"), ":z", AttributeValue.fromN("0")))));
        Map<String, String> marks = watermarks(t);
        assertThat(marks).isNotEmpty();
        items.stream().filter(GuardedCommitIT::isWatermark)
                .forEach(i -> TestDynamo.client().deleteItem(b -> b.tableName(t.readModel())
                        .key(Map.of("PK", i.get("PK"), "SK", i.get("SK")))));
        assertThat(watermarks(t)).as("the watermarks are gone").isEmpty();

        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Transactions resent = new Transactions(t.readModel());
        try (Projector second = t.start(List.of(new CopyProjection()), b -> b.commit(guarded).meterRegistry(registry).readModelInterceptor(resent))) {
            // Every resent request is refused by its guard, so the read model never differs, not even midway.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(TestDynamo.get(t.readModel(), "GROUP#g1", "SUM")).isEqualTo(group);
                assertThat(watermarks(t)).isEqualTo(marks);
            });
            assertThat(TestDynamo.get(t.readModel(), "GROUP#g1", "SUM")).as("no increment applied twice").isEqualTo(group);
            assertThat(verifier.verify(t.source(), t.readModel()).differences()).isEmpty();
            // Packed, every pack is refused by its conditions and sent again write by write, each refused and counted.
            assertThat(registry.get("projector.guarded.refused").functionCounter().count()).as("the resent writes, refused")
                    .isGreaterThanOrEqualTo(items.stream().filter(i -> !i.get("PK").s().startsWith("PROJECTOR#")).count());
            assertThat(resent.count() > 0).as("resent in packs").isEqualTo(packing == CommitPolicy.Packing.PACKED);
        }
    }

    @Test
    void tombstonesAreSweptAfterTheirGrace() {
        inBothPackings(this::tombstonesAreSweptAfterTheirGrace);
    }

    private void tombstonesAreSweptAfterTheirGrace(CommitPolicy.Packing packing) {
        TestDynamo.Setup t = TestDynamo.tables("guarded-sweep-" + packing.name().toLowerCase(java.util.Locale.ROOT));
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        for (int i = 0; i < 20; i++) {
            TestDynamo.putThing(t.source(), "T#" + i, "THING", "g" + i % 3, "v" + i, i);
        }
        for (int i = 0; i < 20; i += 2) {
            TestDynamo.deleteThing(t.source(), "T#" + i, "THING");
        }
        CommitPolicy policy = new CommitPolicy(CommitPolicy.Mode.GUARDED, 4, Duration.ofSeconds(1)).withPacking(packing);
        try (Projector worker = t.start(List.of(new CopyProjection()), b -> b.commit(policy))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> readModelItems(t).stream().noneMatch(i -> i.containsKey(DELETED)));
            assertThat(readModelItems(t)).filteredOn(i -> i.get("PK").s().startsWith("COPY#")).hasSize(10);
        }
    }

    /**
     * Both ways of pruning: single requests learn the markers an item holds from the old item each
     * update returns (AWS's way); packed updates, which get no item back, remove finished shards'
     * markers blind.
     */
    @Test
    void theMarkerOfAFinishedShardIsRemovedByALaterUpdateOfTheCounter() {
        inBothPackings(this::theMarkerOfAFinishedShardIsRemovedByALaterUpdateOfTheCounter);
    }

    private void theMarkerOfAFinishedShardIsRemovedByALaterUpdateOfTheCounter(CommitPolicy.Packing packing) {
        TestDynamo.Setup t = TestDynamo.tables("guarded-prune-" + packing.name().toLowerCase(java.util.Locale.ROOT));
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        CommitPolicy policy = new CommitPolicy(CommitPolicy.Mode.GUARDED, 4, Duration.ofSeconds(1)).withPacking(packing);
        int[] n = {0};
        Runnable write = () -> {
            for (int i = 0; i < 5; i++, n[0]++) {
                TestDynamo.putThing(t.source(), "T#" + n[0], "THING", "g0", "v", 1);
            }
        };
        write.run();
        try (Projector worker = t.start(List.of(new CopyProjection()), b -> b.commit(policy))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> verifier.verify(t.source(), t.readModel()).matches());
            java.util.Set<String> parent = markerShards(t);
            assertThat(parent).hasSize(1);

            TestDynamo.rollOverShards(t.source());
            write.run();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches() && markerShards(t).size() == 2);
            // The parent is read to its end; once its grace has passed, the counter's next updates drop its marker.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                write.run();
                return !markerShards(t).containsAll(parent);
            });
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> verifier.verify(t.source(), t.readModel()).matches());
            assertThat(markerShards(t)).hasSize(1).doesNotContainAnyElementsOf(parent);
            assertThat(TestDynamo.get(t.readModel(), "GROUP#g0", "SUM")).containsEntry("count", AttributeValue.fromN(Integer.toString(n[0])));
        }
    }

    @Test
    void aProjectionNamedTransactionalCommitsInTransactionsBesideGuardedOnes() {
        TestDynamo.Setup t = TestDynamo.tables("guarded-mixed");
        List<io.projector.Projection> projections = List.of(new CopyProjection(), new TallyProjection());
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), projections, "type");
        new SourceWriter(t.source(), 23, 20).write(300);
        CommitPolicy policy = new CommitPolicy(CommitPolicy.Mode.GUARDED, 8, Duration.ofMinutes(5), java.util.Set.of("tally"));
        try (Projector worker = t.start(projections, b -> b.commit(policy))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> verifier.verify(t.source(), t.readModel()).matches());
        }
        List<Map<String, AttributeValue>> items = readModelItems(t);
        assertThat(items).filteredOn(i -> i.get("PK").s().startsWith("GROUP#")).isNotEmpty()
                .allSatisfy(i -> assertThat(i.keySet()).anyMatch(name -> name.startsWith("projector:marker:")));
        assertThat(items).filteredOn(i -> i.get("PK").s().startsWith("TALLY#")).isNotEmpty()
                .allSatisfy(i -> assertThat(i.keySet()).noneMatch(name -> name.startsWith("projector:")));
        assertThat(watermarks(t).keySet()).anyMatch(k -> k.contains("#WATERMARK#tally ")).anyMatch(k -> k.contains("#WATERMARK#copy "));

        CommitPolicy unknown = new CommitPolicy(CommitPolicy.Mode.GUARDED, 8, Duration.ofMinutes(5), java.util.Set.of("tallies"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.start(projections, b -> b.commit(unknown)).close())
                .hasMessageContaining("transactional projections [tallies] are not among the projections run [copy, tally]");
    }

    @Test
    void aChangeWhoseCopyIsRefusedIsParkedWholeAndTwoProjectionsSharingACounterCountEveryOtherChangeOnce() {
        inBothPackings(this::aChangeWhoseCopyIsRefusedIsParkedWhole);
    }

    private void aChangeWhoseCopyIsRefusedIsParkedWhole(CommitPolicy.Packing packing) {
        TestDynamo.Setup t = TestDynamo.tables("guarded-refused-" + packing.name().toLowerCase(java.util.Locale.ROOT));
        // The copy doubles the value: the source item fits DynamoDB's 400 KB, its copy does not.
        io.projector.Projection copies = projection("doubled", e -> e.newImage().map(i -> List.<io.projector.Write>of(
                io.projector.Write.put("COPY#" + i.string("PK"), "COPY").with("value", i.string("value") + i.string("value")))).orElse(List.of()));
        io.projector.Projection a = projection("a", e -> List.of(io.projector.Write.increment("SHARED", "ALL", "n", 1)));
        io.projector.Projection b = projection("b", e -> List.of(io.projector.Write.increment("SHARED", "ALL", "n", 1)));
        TestDynamo.putThing(t.source(), "T#1", "THING", "g", "small", 1);
        TestDynamo.putThing(t.source(), "T#2", "THING", "g", "x".repeat(250_000), 1);
        TestDynamo.putThing(t.source(), "T#3", "THING", "g", "small", 1);
        try (Projector worker = t.start(List.of(copies, a, b), c -> c.commit(CommitPolicy.GUARDED.withPacking(packing)))) {
            io.projector.ops.DeadLetters letters = new io.projector.ops.DeadLetters(TestDynamo.client(), t.readModel(), t.application(),
                    List.of(copies, a, b));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                    .until(() -> letters.list(null).size() >= 3 && !TestDynamo.get(t.readModel(), "COPY#T#3", "COPY").isEmpty());
            assertThat(letters.list(null)).extracting(io.projector.ops.DeadLetter::projection).containsExactlyInAnyOrder("doubled", "a", "b");
            assertThat(letters.list(null)).allSatisfy(d -> assertThat(d.sourceKey()).startsWith("PK=T#2|"));
            // T#1 and T#3, once by each projection; the parked T#2 by none, so that a re-drive applies it once.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .until(() -> AttributeValue.fromN("4").equals(TestDynamo.get(t.readModel(), "SHARED", "ALL").get("n")));
            assertThat(TestDynamo.get(t.readModel(), "COPY#T#2", "COPY")).isEmpty();
        }
    }

    @Test
    void aCounterUpdateMeetingACopyWrittenInAnEarlierWindowParksItsChange() {
        inBothPackings(this::aCounterUpdateMeetingACopyParksItsChange);
    }

    private void aCounterUpdateMeetingACopyParksItsChange(CommitPolicy.Packing packing) {
        TestDynamo.Setup t = TestDynamo.tables("guarded-mixed-windows-" + packing.name().toLowerCase(java.util.Locale.ROOT));
        // One item, put by one change and incremented by a later one: the styles meet across windows.
        io.projector.Projection mixed = projection("mixed", e -> e.newImage().map(i -> "put".equals(i.string("value"))
                ? List.<io.projector.Write>of(io.projector.Write.put("SAME", "ITEM").with("v", 1))
                : List.<io.projector.Write>of(io.projector.Write.increment("SAME", "ITEM", "n", 1))).orElse(List.of()));
        TestDynamo.putThing(t.source(), "T#1", "THING", "g", "put", 1);
        try (Projector worker = t.start(List.of(mixed), c -> c.commit(CommitPolicy.GUARDED.withPacking(packing)))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                    .until(() -> !TestDynamo.get(t.readModel(), "SAME", "ITEM").isEmpty());
            TestDynamo.putThing(t.source(), "T#2", "THING", "g", "increment", 1);
            io.projector.ops.DeadLetters letters = new io.projector.ops.DeadLetters(TestDynamo.client(), t.readModel(), t.application(),
                    List.of(mixed));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> !letters.list(null).isEmpty());
            assertThat(letters.list(null)).singleElement().satisfies(d -> {
                assertThat(d.sourceKey()).startsWith("PK=T#2|");
                assertThat(d.reason()).contains("read-model item").contains("is a copy").contains("--commit-mode transactional");
            });
            assertThat(TestDynamo.get(t.readModel(), "SAME", "ITEM")).containsKey("v").doesNotContainKey("n");
            assertThat(worker.stats().haltedShards()).isEmpty();
        }
    }

    /**
     * Runs a test once with single requests and once packed into transactions, side by side on tables
     * of their own: the two mostly wait on the stream, so together they take little longer than one.
     */
    private static void inBothPackings(java.util.function.Consumer<CommitPolicy.Packing> test) {
        java.util.concurrent.CompletableFuture<Void> packed = java.util.concurrent.CompletableFuture.runAsync(
                () -> test.accept(CommitPolicy.Packing.PACKED));
        Throwable single = null;
        try {
            test.accept(CommitPolicy.Packing.SINGLE);
        } catch (Throwable e) {
            single = e;
        }
        try {
            packed.join();
        } catch (java.util.concurrent.CompletionException e) {
            AssertionError failed = new AssertionError("packed: " + e.getCause().getMessage(), e.getCause());
            if (single != null) {
                failed.addSuppressed(single);
            }
            throw failed;
        }
        if (single instanceof RuntimeException r) {
            throw r;
        }
        if (single instanceof Error r) {
            throw r;
        }
    }

    /** Counts the TransactWriteItems requests that reach one table: the packs of a guarded worker. */
    private static final class Transactions implements software.amazon.awssdk.core.interceptor.ExecutionInterceptor {
        private final String table;
        private final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();

        Transactions(String table) {
            this.table = table;
        }

        @Override
        public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                    software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
            if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest r
                    && r.transactItems().stream().anyMatch(i -> i.put() != null && table.equals(i.put().tableName())
                            || i.update() != null && table.equals(i.update().tableName()))) {
                count.incrementAndGet();
            }
        }

        long count() {
            return count.get();
        }
    }

    private static io.projector.Projection projection(String name, java.util.function.Function<io.projector.ChangeEvent, List<io.projector.Write>> fn) {
        return new io.projector.Projection() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public java.util.Set<String> entityTypes() {
                return java.util.Set.of("Thing");
            }

            @Override
            public List<io.projector.Write> project(io.projector.ChangeEvent event) {
                return fn.apply(event);
            }
        };
    }

    private static java.util.Set<String> markerShards(TestDynamo.Setup t) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        TestDynamo.get(t.readModel(), "GROUP#g0", "SUM").keySet().stream().filter(k -> k.startsWith("projector:marker:"))
                .forEach(k -> out.add(k.substring("projector:marker:".length())));
        return out;
    }

    private static List<Map<String, AttributeValue>> readModelItems(TestDynamo.Setup t) {
        return TestDynamo.client().scanPaginator(b -> b.tableName(t.readModel()).consistentRead(true)).items().stream().toList();
    }

    private static boolean isWatermark(Map<String, AttributeValue> item) {
        return item.get("PK").s().startsWith("PROJECTOR#") && item.get("PK").s().contains("#WATERMARK#");
    }

    /** Each watermark's sequence number, by its key. */
    private static Map<String, String> watermarks(TestDynamo.Setup t) {
        Map<String, String> out = new java.util.TreeMap<>();
        readModelItems(t).stream().filter(GuardedCommitIT::isWatermark)
                .forEach(i -> out.put(i.get("PK").s() + " " + i.get("SK").s(), i.get("sequenceNumber").s()));
        return out;
    }
}
