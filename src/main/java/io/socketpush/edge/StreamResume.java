package io.socketpush.edge;

import io.socketpush.cluster.Addresses;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.config.StreamRules;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.stream.Position;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads of stream history for this edge: the replay of a resuming socket ({@link #resume}) and the messages a gap
 * misses ({@link #readGap}, for {@link StreamGaps}). Confined to the edge verticle's event loop.
 */
final class StreamResume {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);
  /** Reads of a resume's history while the grid cannot serve them (a topology change), {@link Reread}. */
  static final int RESUME_READS = 3;
  static final long RESUME_REREAD_MS = 1_000;

  /** The outcome of a resume: per stream whether it recovered, and the replay to write after the auth reply. */
  record Resumed(JsonObject recovered, Runnable replay) {
  }

  private final Vertx vertx;
  private final String nodeId;
  private final RuntimeConfig config;
  private final SubscriptionMirror mirror;
  private final int maxGap;
  /** Where a replay ends: the edge's gap repair of the stream starts there. */
  private final StreamGaps gaps;
  /** Stream history; null: resume answers recovered:false. */
  private StreamStore streamStore;

  StreamResume(Vertx vertx, String nodeId, RuntimeConfig config, SubscriptionMirror mirror, int maxGap, StreamGaps gaps) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.config = config;
    this.mirror = mirror;
    this.maxGap = maxGap;
    this.gaps = gaps;
  }

  void streams(StreamStore store) {
    this.streamStore = store;
  }

  /** Reads the messages a gap misses from history (none when the edge has no history store). */
  Future<StreamStore.History> readGap(String stream, long since, int limit) {
    if (streamStore == null) {
      return Future.failedFuture("no history store");
    }
    return streamStore.read(stream, config.get().streams().forStream(stream), since, limit);
  }

  /**
   * Resumes an authenticated socket's streams from the positions its auth frame carried: reads what it missed
   * from history (its own user stream and its subscribed channels only), and returns per stream whether that
   * worked, plus the replay to write once the auth reply is out. The socket's live deliveries of these streams
   * have been held back since before it became a recipient; the replay writes the history in order, then the
   * held ones it did not cover. A position of another epoch, older than the history, or ahead of it answers
   * false, and the stream goes live. Never fails: a history still unreadable after {@link #RESUME_READS} reads (a grid
   * timeout during a topology change is read again) counts as not recovered.
   */
  Future<Resumed> resume(ClientSession s, Map<String, Position> positions) {
    String u = s.userId();
    Map<String, Future<StreamStore.History>> reads = new LinkedHashMap<>();
    for (Map.Entry<String, Position> e : positions.entrySet()) {
      String stream = e.getKey();
      if (streamStore != null && mayResume(u, mirror.user(u), stream)) {
        StreamRules.Rule rule = config.get().streams().forStream(stream);
        long since = e.getValue().offset();
        reads.put(stream, Reread.withRetries(() -> streamStore.read(stream, rule, since, rule.historySize()), RESUME_READS,
            RESUME_REREAD_MS, (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run()), s::closed).otherwise(err -> {
          LOG.warn("[{}] history of {} unreadable ({} reads), {} goes live without replay: {}", nodeId, stream, RESUME_READS, s,
              err.getMessage());
          return null;
        }));
      }
    }
    return Future.join(new ArrayList<>(reads.values())).transform(ignored -> {
      JsonObject recovered = new JsonObject();
      List<Runnable> steps = new ArrayList<>();
      StreamCursors cursors = s.cursors();
      positions.forEach((stream, pos) -> {
        Future<StreamStore.History> read = reads.get(stream);
        StreamStore.History h = read == null ? null : read.result();
        boolean ok = h != null && pos.epoch().equals(h.epoch()) && h.complete() && pos.offset() <= h.top();
        recovered.put(stream, ok);
        if (read == null) {
          steps.add(() -> cursors.drop(stream).forEach(s::deliver));
        } else if (ok) {
          steps.add(() -> {
            for (StreamStore.Entry m : h.messages()) {
              s.deliver(EdgeOps.recFrame(stream, m.message(), new Position(h.epoch(), m.offset())).toString());
            }
            closeReplayGap(s, stream, h.epoch(), h.top());
          });
        } else {
          steps.add(() -> cursors.release(stream, null, -1).forEach(s::deliver));
        }
      });
      return Future.succeededFuture(new Resumed(recovered, () -> steps.forEach(Runnable::run)));
    });
  }

  /** A socket may resume its own user stream and the channels its user ({@code lu}, null: none here) is subscribed to. */
  static boolean mayResume(String userId, LocalUser lu, String stream) {
    if (stream.equals(Addresses.clientUser(userId))) {
      return true;
    }
    return stream.startsWith(Addresses.CLIENT_CHANNEL_PREFIX) && lu != null
        && lu.channels.contains(stream.substring(Addresses.CLIENT_CHANNEL_PREFIX.length()));
  }

  /**
   * Ends a socket's replay of a stream at {@code top}: messages stored after the history was read but never
   * delivered here (the owner learnt of this edge only later: the first held live delivery is beyond
   * {@code top + 1}) are read and written first, then the held live ones. The edge's gap repair starts from
   * {@code top} when it had no position for the stream, so a later jump is repaired too.
   */
  private void closeReplayGap(ClientSession s, String stream, String epoch, long top) {
    StreamCursors cursors = s.cursors();
    long first = cursors.firstHeld(stream, epoch);
    Future<StreamStore.History> missing = first > top + 1 && first - top - 1 <= maxGap
        ? readGap(stream, top, (int) (first - top - 1)).otherwise(err -> null) : Future.succeededFuture(null);
    missing.onComplete(ar -> {
      long last = top;
      StreamStore.History h = ar.result();
      if (h != null && epoch.equals(h.epoch())) {
        for (StreamStore.Entry m : h.messages()) {
          if (m.offset() > last && m.offset() < first) {
            s.deliver(EdgeOps.recFrame(stream, m.message(), new Position(epoch, m.offset())).toString());
            last = m.offset();
          }
        }
      }
      if (first > last + 1) {
        LOG.warn("[{}] {} resumed {} to {} but offsets {}..{} are not in history: skipped", nodeId, s, stream, last, last + 1, first - 1);
      }
      cursors.release(stream, epoch, last).forEach(s::deliver);
      gaps.seed(stream, epoch, last);
    });
  }
}
