package io.socketpush.cluster;

/**
 * Builds every event-bus address socket-push uses and names every map and cache it opens; no address or map-name
 * string literal lives anywhere else.
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
  /** Service names in the addresses of the sharded services ({@code socketpush.<service>.<nodeId>}). */
  public static final String AUTH = "auth";
  public static final String USER = "user";
  public static final String PRESENCE = "presence";
  public static final String CHANNEL = "channel";
  public static final String INTEREST = "interest";
  public static final String PRESENCE_CHANGE = "presencechange";
  public static final String CLUSTER = "cluster";

  // Names of the maps and caches (the distributed ones are configured in conf/infinispan.xml).
  /** Distributed map nodeId -> descriptor (JSON) of the nodes in the cluster (Membership's registry). */
  public static final String NODES_MAP = "socketpush.nodes";
  /** Distributed map of the runtime config (the cluster service's setConfig/distributeConfig). */
  public static final String CONFIG_MAP = "socketpush.config";
  /** Distributed map of sessions: userId -> session ids. */
  public static final String SESSIONS_MAP = "socketpush.auth.sessions";
  /**
   * Distributed cache of the subscriptions: one entry per (channel, user) pair in each direction (see
   * channel.Subscriptions). Until 2026-11 two caches held one growing JSON value per channel and per user.
   */
  public static final String SUBSCRIPTIONS_MAP = "socketpush.subscriptions";
  /** The distributed cache holding every stream's history. */
  public static final String STREAMS_MAP = "socketpush.streams";
  /** The distributed cache of the webhook outbox. */
  public static final String EVENTS_MAP = "socketpush.events";

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
