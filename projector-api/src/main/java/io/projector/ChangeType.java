package io.projector;

/** What happened to a source item, as DynamoDB Streams names it. */
public enum ChangeType {
    INSERT,
    MODIFY,
    REMOVE
}
