/**
 * socket-push: a clustered real-time push server on Vert.x.
 */
@ModuleGen(name = "socketpush", groupPackage = "io.socketpush")
package io.socketpush;

import io.vertx.codegen.annotations.ModuleGen;
