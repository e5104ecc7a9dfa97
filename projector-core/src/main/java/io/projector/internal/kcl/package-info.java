/**
 * Not API. The KCL and DynamoDB Streams adapter glue: the scheduler, one record processor per shard
 * mirroring the KCL lifecycle one callback to one method, initial leases. Depends on the stages up to
 * {@code shard}.
 */
package io.projector.internal.kcl;
