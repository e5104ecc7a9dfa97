package io.projector.testkit;

import io.projector.AttributeValues;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.internal.plan.ChangeEventDecoder;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.MalformedRecordException;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.SourceKeys;
import io.projector.internal.plan.TransactionLimits;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Tests projections without DynamoDB: feed source changes, then look at the read model they
 * produce. Changes go through the engine's own planner (routing, per-item coalescing, chunking),
 * and the read model applies the planned mutations with DynamoDB's semantics.
 *
 * <pre>{@code
 * ProjectionTestKit kit = ProjectionTestKit.of(new OrderHistoryProjection());
 * kit.put(Map.of("PK", "ORDER#1", "SK", "ORDER", "type", "Order", "customerId", "c1", ...));
 * assertThat(kit.item("CUSTOMER#c1", "ORDER#2024-01-01#1")).isPresent();
 * }</pre>
 *
 * <p>{@link #put} and {@link #delete} keep a copy of the source table, so they emit INSERT, MODIFY
 * or REMOVE with the right old image, as the stream would. {@link #applyJson} feeds stream records
 * written as JSON, as DynamoDB Streams or a Lambda event gives them. {@link #apply} feeds an event
 * as it is: {@link ChangeEvents} builds one (insert, modify, remove; keys, images, entity types and
 * rising sequence numbers filled in), for what the kit's copy of the source cannot produce or to
 * call a projection directly:
 *
 * <pre>{@code
 * ChangeEvents events = ChangeEvents.create();                // PK, SK, type; sequence numbers from 1
 * Map<String, Object> order = Map.of("PK", "ORDER#1", "SK", "ORDER", "type", "Order", "customerId", "c1", "total", 30);
 * assertThat(projection.project(events.insert(order))).hasSize(1);
 * kit.apply(events.remove(order));                            // a REMOVE of an item the kit never saw
 * }</pre>
 *
 * <p>{@link ReadModelCheck} compares the kit's read model with a recomputation from the final
 * source items, by the rule {@code projector verify} applies to real tables.
 */
public final class ProjectionTestKit {

    private final List<Projection> projections;
    private final ChunkPlanner planner;
    private final InMemoryReadModel readModel = new InMemoryReadModel();
    private final Map<ItemKey, Map<String, AttributeValue>> source = new LinkedHashMap<>();
    private final String partitionKey;
    private final String sortKey;
    private final String entityTypeAttribute;
    private final ChangeEventDecoder decoder;
    private final List<ChangeEvent> pending = new ArrayList<>();
    private BigInteger nextSequence = BigInteger.valueOf(100);
    private Instant clock = Instant.parse("2024-01-01T00:00:00Z");
    private boolean batching;
    private boolean strict = true;
    private final ParkingLot parking = ParkingLot.empty();
    private final List<ProjectionFailedException> parked = new ArrayList<>();
    private int commits;

    private ProjectionTestKit(List<Projection> projections, String partitionKey, String sortKey, String entityTypeAttribute) {
        this.projections = List.copyOf(projections);
        this.planner = new ChunkPlanner(projections, TransactionLimits.DYNAMODB);
        this.partitionKey = partitionKey;
        this.sortKey = sortKey;
        this.entityTypeAttribute = entityTypeAttribute;
        this.decoder = new ChangeEventDecoder(entityTypeAttribute);
    }

    /** Source items keyed by {@code PK} and {@code SK}, entity type in {@code type}. */
    public static ProjectionTestKit of(Projection... projections) {
        return new ProjectionTestKit(List.of(projections), "PK", "SK", "type");
    }

    /** A kit for a source table with other key or entity-type attribute names. */
    public static ProjectionTestKit of(List<Projection> projections, String partitionKey, String sortKey, String entityTypeAttribute) {
        return new ProjectionTestKit(projections, partitionKey, sortKey, entityTypeAttribute);
    }

    /** Writes a source item (INSERT, or MODIFY when its key exists). Values as in {@link AttributeValues#of}. */
    public ProjectionTestKit put(Map<String, ?> item) {
        Map<String, AttributeValue> image = toAttributes(item);
        ItemKey key = sourceKey(image);
        Map<String, AttributeValue> old = source.get(key);
        emit(old == null ? ChangeType.INSERT : ChangeType.MODIFY, key, old, image);
        // Only a change the projections accepted becomes part of the source, so a failed put can be retried as it was.
        source.put(key, image);
        return this;
    }

    /** Deletes a source item (REMOVE with its last image); deleting a missing item emits nothing, as in DynamoDB. */
    public ProjectionTestKit delete(String pk, String sk) {
        ItemKey key = ItemKey.of(pk, sk);
        Map<String, AttributeValue> old = source.get(key);
        if (old != null) {
            emit(ChangeType.REMOVE, key, old, null);
            source.remove(key);
        }
        return this;
    }

    /** Feeds a change event as it is, without touching the kit's copy of the source. */
    public ProjectionTestKit apply(ChangeEvent event) {
        pending.add(event);
        if (!batching) {
            flush();
        }
        return this;
    }

    /**
     * Feeds stream records written as JSON in the shape DynamoDB Streams ({@code GetRecords}) and
     * Lambda events use: one record object, an array of records, or an object with a
     * {@code Records} array. For example:
     *
     * <pre>{@code
     * kit.applyJson("""
     *     {"eventName": "INSERT",
     *      "dynamodb": {"Keys": {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}},
     *                   "NewImage": {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}, "type": {"S": "Order"},
     *                                "status": {"S": "PAID"}, "total": {"N": "30"}}}}
     *     """);
     * }</pre>
     *
     * <p>Attribute values are DynamoDB JSON ({@code {"S":"x"}}, {@code {"N":"1"}}, {@code {"BOOL":true}},
     * {@code {"NULL":true}}, {@code {"L":[...]}}, {@code {"M":{...}}}, {@code {"SS":[...]}},
     * {@code {"NS":[...]}}, {@code {"B":"<base64>"}}, {@code {"BS":[...]}}); see {@link StreamRecordJson}.
     * Each record is decoded by the engine's own decoder, so a record a worker could not decode
     * fails here with the same message, as a {@link MalformedStreamRecordException}; invalid JSON fails with an
     * {@link IllegalArgumentException}. Nothing is applied unless every record decodes.
     *
     * <p>A record without {@code SequenceNumber} gets the kit's next sequence number, one without
     * {@code ApproximateCreationDateTime} the kit's clock; a record with a sequence number moves the
     * kit's counter past it, so later changes come after it in stream order. The records of an
     * array are planned as one stream batch, as a worker plans one {@code GetRecords} page; within
     * {@link #batch} they join the enclosing batch.
     *
     * <p>The records do <em>not</em> change the kit's copy of the source table: a later
     * {@link #put} or {@link #delete} of the same item does not see them (as with {@link #apply}).
     */
    public ProjectionTestKit applyJson(String json) {
        List<ChangeEvent> events = new ArrayList<>();
        for (Record record : StreamRecordJson.parse(json)) {
            ChangeEvent event = decoded(completed(record));
            BigInteger after = event.sequenceNumber().value().add(BigInteger.ONE);
            if (after.compareTo(nextSequence) > 0) {
                nextSequence = after;
            }
            events.add(event);
        }
        if (batching) {
            events.forEach(this::apply);
        } else {
            batch(() -> events.forEach(this::apply));
        }
        return this;
    }

    /** The change event the engine's decoder makes of {@code record}; its refusal comes as the kit's own exception type. */
    private ChangeEvent decoded(Record record) {
        try {
            return decoder.decode(record);
        } catch (MalformedRecordException e) {
            throw new MalformedStreamRecordException(e.getMessage(), e);
        }
    }

    /** The record with the kit's next sequence number and clock where it has none. */
    private Record completed(Record record) {
        StreamRecord body = record.dynamodb();
        if (body == null) {
            return record;     // the decoder says what is missing
        }
        StreamRecord.Builder b = body.toBuilder();
        if (body.sequenceNumber() == null) {
            b.sequenceNumber(nextSequence.toString());
            nextSequence = nextSequence.add(BigInteger.ONE);
        }
        if (body.approximateCreationDateTime() == null) {
            clock = clock.plusMillis(1);
            b.approximateCreationDateTime(clock);
        }
        return record.toBuilder().dynamodb(b.build()).build();
    }

    /**
     * Runs {@code changes} as one stream batch: their writes are planned together, coalesced per
     * item and cut into chunks exactly as a worker would.
     */
    public ProjectionTestKit batch(Runnable changes) {
        batching = true;
        try {
            changes.run();
        } finally {
            batching = false;
        }
        flush();
        return this;
    }

    /** The read-model item, if there is one. */
    public Optional<Item> item(String pk, String sk) {
        Map<String, AttributeValue> item = readModel.get(ItemKey.of(pk, sk));
        return item == null ? Optional.empty() : Optional.of(Item.of(item, "read-model item " + pk + " | " + sk));
    }

    /** Every read-model item, ordered by PK then SK. */
    public Map<ItemKey, Item> items() {
        Map<ItemKey, Item> out = new LinkedHashMap<>();
        readModel.items().forEach((k, v) -> out.put(k, Item.of(v, "read-model item " + k)));
        return out;
    }

    /** The read-model items whose PK is {@code pk}, as a Query on PK would return them. */
    public List<Item> query(String pk) {
        List<Item> out = new ArrayList<>();
        items().forEach((k, v) -> {
            if (k.pk().equals(pk)) {
                out.add(v);
            }
        });
        return out;
    }

    /** The transactions the engine would have committed so far. */
    public int commits() {
        return commits;
    }

    /**
     * From now on, a change a projection cannot project is parked, as a worker would park it,
     * instead of failing the test; see {@link #parked()}. By default the kit is strict: the first
     * such change throws its {@link ProjectionFailedException}.
     */
    public ProjectionTestKit parkingFailures() {
        strict = false;
        return this;
    }

    /** The changes parked so far (after {@link #parkingFailures()}), each as the failure that parked it. */
    public List<ProjectionFailedException> parked() {
        return List.copyOf(parked);
    }

    private void flush() {
        List<ChangeEvent> events = List.copyOf(pending);
        pending.clear();
        if (events.isEmpty()) {
            return;
        }
        List<Chunk> chunks = planner.plan(events, Map.of(), parking, null);
        List<ProjectionFailedException> failures = new ArrayList<>();
        chunks.forEach(c -> c.parked().forEach(p ->
                failures.add(new ProjectionFailedException(p.projection(), p.event(), p.reason(), null))));
        if (strict && !failures.isEmpty()) {
            throw failures.get(0);
        }
        for (Chunk chunk : chunks) {
            if (chunk.needsCommit()) {
                commits++;
                chunk.mutations().values().forEach(readModel::apply);
                chunk.parked().forEach(p -> parking.block(p.projection(), SourceKeys.of(p.event().keys().asMap())));
            }
        }
        parked.addAll(failures);
    }

    private ProjectionTestKit emit(ChangeType type, ItemKey key, Map<String, AttributeValue> old, Map<String, AttributeValue> now) {
        Map<String, AttributeValue> keys = Map.of(partitionKey, AttributeValue.fromS(key.pk()), sortKey, AttributeValue.fromS(key.sk()));
        String where = key.toString();
        Optional<Item> oldImage = Optional.ofNullable(old).map(m -> Item.of(m, "old image of " + where));
        Optional<Item> newImage = Optional.ofNullable(now).map(m -> Item.of(m, "new image of " + where));
        String entityType = newImage.or(() -> oldImage).map(this::entityTypeOf).orElse("");
        String previousEntityType = oldImage.map(this::entityTypeOf).orElse("");
        clock = clock.plusMillis(1);
        SequenceNumber seq = new SequenceNumber(nextSequence);
        nextSequence = nextSequence.add(BigInteger.ONE);
        return apply(new ChangeEvent(type, Item.of(keys, "keys of " + where), oldImage, newImage, entityType,
                seq, clock, previousEntityType));
    }

    private String entityTypeOf(Item image) {
        AttributeValue v = image.asMap().get(entityTypeAttribute);
        return v != null && v.s() != null ? v.s() : "";
    }

    private ItemKey sourceKey(Map<String, AttributeValue> image) {
        AttributeValue pk = image.get(partitionKey);
        AttributeValue sk = image.get(sortKey);
        if (pk == null || pk.s() == null || sk == null || sk.s() == null) {
            throw new IllegalArgumentException("a source item needs string attributes '" + partitionKey + "' and '" + sortKey + "': " + image);
        }
        return ItemKey.of(pk.s(), sk.s());
    }

    private static Map<String, AttributeValue> toAttributes(Map<String, ?> item) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        item.forEach((k, v) -> out.put(k, AttributeValues.of(v)));
        return out;
    }

    List<Projection> projections() {
        return projections;
    }
}
