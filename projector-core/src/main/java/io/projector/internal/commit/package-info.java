/**
 * Not API. Turning a planned chunk into one DynamoDB transaction, and what surrounds a call to the
 * read model: retry, the circuit breaker, the classes of errors (transient, conflict). Depends on
 * {@code plan} and {@code store}.
 */
package io.projector.internal.commit;
