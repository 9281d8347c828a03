/**
 * Java clients of the management API over HTTP: {@code Http<Service>} classes implementing the same service
 * interfaces as the event-bus proxies, for JVMs that do not join the cluster.
 */
package io.socketpush.client.http;
