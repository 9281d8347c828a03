package io.socketpush.cluster;

/**
 * Builds every event-bus address socket-push uses; no address string literal lives anywhere else.
 */
public final class Addresses {
  public static final String PREFIX = "socketpush.";
  /** Client-protocol address that authenticates a socket. */
  public static final String CLIENT_AUTH = PREFIX + "auth";
  /** Client-protocol address a token-authenticated socket sends a fresh connection token to before its exp. */
  public static final String CLIENT_REFRESH = PREFIX + "refresh";
  /** Client-protocol address that joins a private channel with a subscription token. */
  public static final String CLIENT_SUBSCRIBE = PREFIX + "subscribe";
  /** Client address prefix for a user's own messages: {@code user.<userId>}. */
  public static final String CLIENT_USER_PREFIX = "user.";
  /** Client address prefix for channel messages: {@code channel.<channelId>}. */
  public static final String CLIENT_CHANNEL_PREFIX = "channel.";
  /** Cluster-wide publish address carrying node heartbeats and leave notices. */
  public static final String MEMBERSHIP = PREFIX + "membership";
  /** Cluster-wide publish address announcing runtime config changes. */
  public static final String CONFIG_CHANGED = PREFIX + "config.changed";

  private Addresses() {
  }

  /** Address of one node's instance of a service ({@code auth}, {@code user}, ...). */
  public static String service(String service, String nodeId) {
    return PREFIX + service + "." + nodeId;
  }

  /** Inbox of one edge node. */
  public static String edgeInbox(String nodeId) {
    return PREFIX + "edge." + nodeId;
  }

  /** Client address of a user's own messages. */
  public static String clientUser(String userId) {
    return CLIENT_USER_PREFIX + userId;
  }

  /** Client address of a channel. */
  public static String clientChannel(String channelId) {
    return CLIENT_CHANNEL_PREFIX + channelId;
  }
}
