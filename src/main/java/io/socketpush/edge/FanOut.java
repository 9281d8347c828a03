package io.socketpush.edge;

import io.socketpush.cluster.Addresses;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.List;

/**
 * Local fan-out of the deliveries this edge's inbox receives: one frame, decoded once, written to every local
 * recipient of the stream, in stream order ({@link StreamGaps} holds what comes after a gap until it is repaired).
 * Confined to the edge verticle's event loop.
 */
final class FanOut {
  private final SubscriptionMirror mirror;
  private final StreamGaps gaps;
  private final EdgeStats stats;

  FanOut(SubscriptionMirror mirror, StreamGaps gaps, EdgeStats stats) {
    this.mirror = mirror;
    this.gaps = gaps;
    this.stats = stats;
  }

  /** A delivery of a user stream message; the number of sockets it reached (held ones count). */
  int toUser(String userId, Buffer encoded, String epoch, long offset) {
    LocalUser lu = mirror.user(userId);
    if (lu == null) {
      return 0;
    }
    String stream = Addresses.clientUser(userId);
    String frame = encoded.toString(); // decoded once, written to every socket
    StreamGaps.Verdict v = gaps.accept(stream, epoch, offset, frame);
    if (v != StreamGaps.Verdict.WRITE) {
      return v == StreamGaps.Verdict.HELD ? lu.sockets.size() : 0; // written in order after the gap, or written before
    }
    return write(mirror.socketsOf(userId), frame, stream, epoch, offset);
  }

  /** A delivery of a channel stream message; the number of sockets it reached (held ones count). */
  int toChannel(String channelId, Buffer encoded, String epoch, long offset) {
    ClientSession[] targets = mirror.channelTargets(channelId);
    if (targets.length == 0) {
      return 0;
    }
    String stream = Addresses.clientChannel(channelId);
    String frame = encoded.toString(); // decoded once, written to every socket
    StreamGaps.Verdict v = gaps.accept(stream, epoch, offset, frame);
    if (v != StreamGaps.Verdict.WRITE) {
      return v == StreamGaps.Verdict.HELD ? targets.length : 0; // written in order after the gap, or written before
    }
    // an array snapshot: a slow consumer closed during the loop changes the sets, not this array
    return write(Arrays.asList(targets), frame, stream, epoch, offset);
  }

  /** Writes a repaired or released delivery to the stream's current local recipients. */
  void writeRepaired(String stream, StreamGaps.Item item) {
    List<ClientSession> sockets = List.of();
    if (stream.startsWith(Addresses.CLIENT_CHANNEL_PREFIX)) {
      sockets = Arrays.asList(mirror.channelTargets(stream.substring(Addresses.CLIENT_CHANNEL_PREFIX.length())));
    } else if (stream.startsWith(Addresses.CLIENT_USER_PREFIX)) {
      sockets = mirror.socketsOf(stream.substring(Addresses.CLIENT_USER_PREFIX.length()));
    }
    write(sockets, item.frame(), stream, item.epoch(), item.offset());
  }

  /** Writes one stream frame to {@code sockets} (a snapshot); the number written. */
  private int write(List<ClientSession> sockets, String frame, String stream, String epoch, long offset) {
    int n = 0;
    for (ClientSession s : sockets) {
      if (s.deliver(frame, stream, epoch, offset)) {
        n++;
      }
    }
    return stats.delivered(n);
  }
}
