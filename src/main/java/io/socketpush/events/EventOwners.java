package io.socketpush.events;

import io.socketpush.cluster.HashRing;
import io.socketpush.config.NodeConfig.Role;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which events this node delivers: those of the keys it owns, a user's ({@code user:<id>}) on the user ring, a
 * channel's ({@code channel:<id>}) on the channel ring. Read on every poll, so a ring change moves a key's queue to
 * its new owner.
 */
final class EventOwners implements Predicate<String> {
  private static final String USER = EventSink.userKey("");
  private static final String CHANNEL = EventSink.channelKey("");

  private final String nodeId;
  private final Function<Role, HashRing> rings;

  EventOwners(String nodeId, Function<Role, HashRing> rings) {
    this.nodeId = nodeId;
    this.rings = rings;
  }

  /** Whether this node delivers the events of {@code eventKey}. */
  @Override
  public boolean test(String eventKey) {
    if (eventKey.startsWith(USER)) {
      return rings.apply(Role.USER).owns(nodeId, eventKey.substring(USER.length()));
    }
    if (eventKey.startsWith(CHANNEL)) {
      return rings.apply(Role.CHANNEL).owns(nodeId, eventKey.substring(CHANNEL.length()));
    }
    return false;
  }
}
