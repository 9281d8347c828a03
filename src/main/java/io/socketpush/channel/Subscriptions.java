package io.socketpush.channel;

import io.socketpush.cluster.PagedSets;
import io.socketpush.message.Page;
import io.vertx.core.Future;

/**
 * Channel subscriptions as hard state: one entry per (channel, user) pair in each direction, plus the list
 * of channels that have subscribers, all {@link PagedSets} in one distributed cache. Subscribing the
 * 100,000th user to a channel writes the same few small entries as subscribing the first.
 */
final class Subscriptions {
  private static final String CHANNELS = "channels";

  private final PagedSets sets;

  Subscriptions(PagedSets sets) {
    this.sets = sets;
  }

  static String subscribersOf(String channelId) {
    return "c:" + channelId;
  }

  static String subscriptionsOf(String userId) {
    return "u:" + userId;
  }

  /**
   * Subscribes; true if the user was not subscribed before. Both directions are written at once (each is
   * idempotent, so a subscribe cut short by a crash is repaired by calling it again).
   */
  Future<Boolean> subscribe(String userId, String channelId) {
    return change(userId, channelId, true);
  }

  /** Unsubscribes; true if the user was subscribed. */
  Future<Boolean> unsubscribe(String userId, String channelId) {
    return change(userId, channelId, false);
  }

  /**
   * Both directions at once; the channel is listed when its first subscriber came and unlisted when its last left.
   * True if the pair changed.
   */
  private Future<Boolean> change(String userId, String channelId, boolean add) {
    Future<PagedSets.Change> channelSide = add ? sets.add(subscribersOf(channelId), userId) : sets.remove(subscribersOf(channelId), userId);
    Future<PagedSets.Change> userSide = add ? sets.add(subscriptionsOf(userId), channelId) : sets.remove(subscriptionsOf(userId), channelId);
    return Future.all(channelSide, userSide).compose(v -> {
      PagedSets.Change c = channelSide.result();
      boolean first = c.changed() && add && c.count() == 1;
      boolean last = c.changed() && !add && c.count() == 0;
      Future<Void> listed = first ? listChannel(channelId) : last ? unlistChannel(channelId) : Future.succeededFuture();
      return listed.map(c.changed());
    });
  }

  /** Adds the channel to the channel list; takes it out again if it emptied meanwhile. */
  private Future<Void> listChannel(String channelId) {
    return sets.add(CHANNELS, channelId)
        .compose(x -> sets.count(subscribersOf(channelId)))
        .compose(n -> n == 0 ? sets.remove(CHANNELS, channelId).mapEmpty() : Future.succeededFuture());
  }

  /** Removes the channel from the channel list; puts it back if it got a subscriber meanwhile. */
  private Future<Void> unlistChannel(String channelId) {
    return sets.remove(CHANNELS, channelId)
        .compose(x -> sets.count(subscribersOf(channelId)))
        .compose(n -> n > 0 ? sets.add(CHANNELS, channelId).mapEmpty() : Future.succeededFuture());
  }

  static String presentOf(String channelId) {
    return "p:" + channelId;
  }

  /**
   * Marks the user present in the channel (connected and subscribed): the channel's present set in the grid, which
   * outlives its owner, so occupied/vacated and join/leave survive a ring change. {@code changed} false: it was
   * present already (no second join); {@code count} 1 after a change: the channel just became occupied.
   */
  Future<PagedSets.Change> join(String userId, String channelId) {
    return sets.add(presentOf(channelId), userId);
  }

  /** Marks the user no longer present; {@code count} 0 after a change: the channel was just vacated. */
  Future<PagedSets.Change> leave(String userId, String channelId) {
    return sets.remove(presentOf(channelId), userId);
  }

  /** How many users the channel's present set holds. */
  Future<Long> presentCount(String channelId) {
    return sets.count(presentOf(channelId));
  }

  Future<Page> subscribers(String channelId, String cursor, int limit) {
    return sets.page(subscribersOf(channelId), cursor, limit);
  }

  Future<Page> subscriptions(String userId, String cursor, int limit) {
    return sets.page(subscriptionsOf(userId), cursor, limit);
  }

  Future<Page> channels(String cursor, int limit) {
    return sets.page(CHANNELS, cursor, limit);
  }
}
