/**
 * What an operator needs: Prometheus metrics ({@link io.socketpush.ops.NodeMetrics}), liveness and
 * readiness ({@link io.socketpush.ops.NodeHealth}), runtime log levels ({@link io.socketpush.ops.LogControl}),
 * the admin routes serving them ({@link io.socketpush.management.OpsRoutes}), the launcher that turns metrics on
 * ({@link io.socketpush.ops.Launcher}) and the generated option docs ({@link io.socketpush.ops.ConfigDocs}).
 */
package io.socketpush.ops;
