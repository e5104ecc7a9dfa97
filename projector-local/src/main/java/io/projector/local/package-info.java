/**
 * An embedded DynamoDB Local for the demo, {@code --local} and the tests; never on a worker image's
 * classpath.
 */
package io.projector.local;
