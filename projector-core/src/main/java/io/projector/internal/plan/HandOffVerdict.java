package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import java.util.Map;
import java.util.Optional;

/**
 * How a projection treats one change during a backfill's hand-off: the {@link HandOffRule}'s
 * decision against the item's marker, the marker it moves and the change the projection is given.
 * Outside a hand-off the change is applied as it is and no marker moves.
 *
 * @param action what to do with the change
 * @param marker the item's marker (null outside a hand-off)
 * @param next   the marker's next value (null outside a hand-off)
 * @param reason why the change breaks the version contract (VIOLATION only)
 * @param seen   the change as the projection is to see it
 */
record HandOffVerdict(HandOffRule.Action action, MarkerKey marker, AppliedVersion next, String reason, ChangeEvent seen) {

    /** The verdict for this projection's change; {@code markers} holds the items' markers as planned so far. */
    static HandOffVerdict of(HandOff handOff, String projection, String sourceKey, ChangeEvent event, Map<MarkerKey, AppliedVersion> markers) {
        if (!handOff.judges(projection, event)) {
            return new HandOffVerdict(HandOffRule.Action.APPLY, null, null, null, event);
        }
        MarkerKey marker = new MarkerKey(projection, sourceKey);
        HandOffRule.Decision d = handOff.scan()
                ? handOff.rule(projection).forScan(markers.get(marker), event)
                : handOff.rule(projection).forStream(markers.get(marker), event);
        ChangeEvent seen = d.action() == HandOffRule.Action.APPLY_AS_INSERT ? asInsert(event) : event;
        return new HandOffVerdict(d.action(), marker, d.next(), d.reason(), seen);
    }

    /** The change as a projection sees it when the read model holds nothing of the item: its new image arriving. */
    private static ChangeEvent asInsert(ChangeEvent event) {
        if (event.type() == ChangeType.INSERT) {
            return event;
        }
        return new ChangeEvent(ChangeType.INSERT, event.keys(), Optional.empty(), event.newImage(), event.entityType(),
                event.sequenceNumber(), event.approximateCreationTime(), "");
    }
}
