/**
 * The AWS CDK app that deploys a worker: its stack and the properties it takes.
 */
package io.projector.deploy;
