package io.socketpush.delivery;

import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Internal: how edges tell a key's owner which edges hold its sockets. One contract, bound twice: the user
 * owners' presence registry (key: a userId; an edge holds a socket of that user) and the channel owners'
 * interest registry (key: a channelId; an edge holds a local subscriber of it). Soft state behind an
 * {@link EdgeRegistry}, rebuilt from the edges' announcements. Not part of the management API.
 */
@ProxyGen
@VertxGen
public interface RegistryService {

  /**
   * Edge {@code nodeId} now holds at least one socket of {@code key}. Answers whether the owner waits for this edge's
   * {@link #ready} before it announces the key: a presence attach that brings a user online while online/offline
   * matter (webhooks, channel presence) holds the user's online until every edge attaching it can deliver its
   * channels' frames, so a socket gets its own join. Interest answers false.
   */
  Future<Boolean> attach(String key, String nodeId);

  /**
   * Edge {@code nodeId} finished attaching {@code key}: its sockets of the key are in its subscription mirror and its
   * interest in their channels is at the channels' owners. Releases a held online (see {@link #attach}); without it
   * the owner releases the online after a deadline. Interest: nothing to do.
   */
  Future<Void> ready(String key, String nodeId);

  /** Edge {@code nodeId} no longer holds a socket of {@code key}. */
  Future<Void> detach(String key, String nodeId);

  /**
   * The complete list of keys of this shard held by edge {@code nodeId} (entries of that edge not listed are
   * dropped), sent on every ring change of the edge and periodically. Answers the top position of each listed
   * key's stream this owner wrote ({@code "user.<id>"} or {@code "channel.<id>"}: {@code "<epoch>:<offset>"}), so
   * the edge reads from history what was acknowledged while this owner did not know it (the one ring-change
   * handover, DESIGN "Streams").
   */
  Future<JsonObject> announce(String nodeId, List<String> keys);

  /** Edge node ids holding sockets of {@code key}. */
  Future<List<String>> edgesOf(String key);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static RegistryService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new RegistryServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
