package io.socketpush.edge;

import io.socketpush.stream.Position;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gap repair of the streams one edge delivers (DESIGN "Streams"): the edge remembers, per stream it delivers,
 * the last offset it wrote. A delivery of offset n+k after n (k > 1, same epoch) means the edge missed
 * n+1..n+k-1 (an owner died between storing and delivering, a ring change sent them elsewhere): it holds the
 * new delivery and every later one of that stream, reads the missing ones from history and writes them, then
 * the held ones, in order. A delivery at or below the last offset is one the edge already wrote (a repair
 * overtook it): dropped. A new epoch starts over (the history was lost; resuming clients are told so).
 * A gap larger than {@link #maxGap}, or a history that no longer holds it, is logged once and skipped: the
 * held deliveries go out and the stream continues from there. Confined to the edge's event loop.
 */
final class StreamGaps {
  private static final Logger LOG = LoggerFactory.getLogger(StreamGaps.class);
  /** Deliveries one stream may hold while its gap is read; more and the repair is abandoned. */
  static final int MAX_HELD = 10_000;
  /**
   * Reads of one repair while history answers fewer of the missing offsets than acknowledged ones must have (a read
   * that raced a grid rebalance, or an entry still being written): each waits {@link #RETRY_MS} x its number.
   */
  static final int MAX_READS = 6;
  static final long RETRY_MS = 250;

  /** Reads history: the messages of {@code stream} after offset {@code since}, at most {@code limit}. */
  interface Reader {
    Future<StreamStore.History> read(String stream, long since, int limit);
  }

  /** What to do with a live delivery: write it now, it is held behind a gap, or it was written already. */
  enum Verdict { WRITE, HELD, WRITTEN }

  /** One delivery to write: the stream's frame and its position. */
  record Item(String frame, String epoch, long offset) {
  }

  private static final class State {
    String epoch;
    long last;
    /** Non-null while a gap is being read: the deliveries held meanwhile, in arrival order. */
    List<Item> held;
    /** A top an owner named while a repair ran: caught up to when it ends. */
    long wanted;
  }

  private final String nodeId;
  private final int maxGap;
  private final Reader reader;
  private final FrameEncoder encoder;
  private final BiConsumer<String, Item> writer;
  private final Map<String, State> streams = new HashMap<>();
  private long repaired;
  private long unrepairable;

  /** Encodes a message read from history as the frame a live delivery of it would carry. */
  interface FrameEncoder {
    String encode(String stream, Object message, Position position);
  }

  /** Runs {@code task} after {@code delayMs} on the edge's event loop. */
  interface Scheduler {
    void later(long delayMs, Runnable task);
  }

  private final Scheduler scheduler;

  /**
   * @param writer writes one delivery of a stream to that stream's local recipients (called for repaired and
   *               released deliveries; live in-order deliveries are written by the caller)
   */
  StreamGaps(String nodeId, int maxGap, Reader reader, FrameEncoder encoder, BiConsumer<String, Item> writer,
      Scheduler scheduler) {
    this.scheduler = scheduler;
    this.nodeId = nodeId;
    this.maxGap = maxGap;
    this.reader = reader;
    this.encoder = encoder;
    this.writer = writer;
  }

  /**
   * A live delivery of {@code stream} at {@code epoch:offset}: WRITE if the caller writes it now (the next one in
   * order, or the stream's first), HELD if it waits behind a gap being repaired, WRITTEN if it was written before.
   */
  Verdict accept(String stream, String epoch, long offset, String frame) {
    if (epoch == null || offset < 0) {
      return Verdict.WRITE; // no position (history off for this stream): nothing to order by
    }
    State s = streams.get(stream);
    if (s == null || !epoch.equals(s.epoch)) {
      s = s == null ? new State() : s;
      if (s.held != null) {
        s.held.add(new Item(frame, epoch, offset)); // a repair is running: the new epoch waits its turn
        return Verdict.HELD;
      }
      s.epoch = epoch;
      s.last = offset;
      streams.put(stream, s);
      return Verdict.WRITE;
    }
    if (s.held != null) {
      s.held.add(new Item(frame, epoch, offset));
      if (s.held.size() > MAX_HELD) {
        LOG.warn("[{}] {}: more than {} deliveries held while its gap is read: writing them without the gap", nodeId, stream, MAX_HELD);
        unrepairable++;
        flush(stream, s);
      }
      return Verdict.HELD;
    }
    if (offset <= s.last) {
      return Verdict.WRITTEN; // written already (a repair wrote it before this late delivery arrived)
    }
    if (offset == s.last + 1) {
      s.last = offset;
      return Verdict.WRITE;
    }
    long missing = offset - s.last - 1;
    if (missing > maxGap) {
      unrepairable++;
      LOG.warn("[{}] {}: offsets {}..{} never arrived, more than the {} a repair reads: skipped", nodeId, stream, s.last + 1, offset - 1, maxGap);
      s.last = offset;
      return Verdict.WRITE;
    }
    List<Item> held = new ArrayList<>();
    held.add(new Item(frame, epoch, offset));
    repair(stream, s, held, missing);
    return Verdict.HELD;
  }

  /**
   * An owner answered this edge's announcement with the stream's top (DESIGN "Streams", the one ring-change
   * handover): when the edge delivers the stream and wrote less than {@code top} of the same epoch, the rest was
   * acknowledged while the owner did not know this edge (a new owner before the edge's announcement reached it)
   * and is read from history now. A repair already running catches up to {@code top} when it ends.
   */
  void catchUp(String stream, String epoch, long top) {
    State s = streams.get(stream);
    if (s == null || !epoch.equals(s.epoch) || top <= s.last) {
      return; // not delivered here, another epoch (the next delivery starts it over), or nothing missed
    }
    if (s.held != null) {
      s.wanted = Math.max(s.wanted, top);
      return;
    }
    long missing = top - s.last;
    if (missing > maxGap) {
      unrepairable++;
      LOG.warn("[{}] {}: offsets {}..{} never arrived, more than the {} a repair reads: skipped", nodeId, stream, s.last + 1, top, maxGap);
      s.last = top;
      return;
    }
    repair(stream, s, new ArrayList<>(), missing);
  }

  /** Reads the {@code missing} offsets after the stream's last from history and writes them, then the held ones. */
  private void repair(String stream, State s, List<Item> held, long missing) {
    s.held = held;
    read(stream, s, held, s.last + missing, 1);
  }

  /**
   * Reads from history what is still missing up to {@code target} (read number {@code attempt}). Every offset up to
   * the target was acknowledged, so stored: history answering fewer of them (a read racing a grid rebalance) is
   * read again, {@link #MAX_READS} times in all; only then, or when history cannot have them (another epoch,
   * expired, unreadable), are they skipped, counted and logged.
   */
  private void read(String stream, State s, List<Item> held, long target, int attempt) {
    long from = s.last;
    String epoch = s.epoch;
    reader.read(stream, from, (int) (target - from)).onComplete(ar -> {
      if (streams.get(stream) != s || s.held != held) {
        return; // forgotten meanwhile (no recipient left), or abandoned (too many held)
      }
      StreamStore.History h = ar.succeeded() ? ar.result() : null;
      if (h == null || !epoch.equals(h.epoch()) || !h.complete()) {
        unrepairable++;
        LOG.warn("[{}] {}: offsets {}..{} never arrived and history cannot supply them ({}): skipped", nodeId, stream, from + 1,
            target, ar.failed() ? ar.cause().getMessage() : h == null ? "no history" : !epoch.equals(h.epoch()) ? "another epoch" : "expired");
      } else {
        for (StreamStore.Entry e : h.messages()) {
          if (e.offset() == s.last + 1 && e.offset() <= target) {
            s.last = e.offset();
            repaired++;
            writer.accept(stream, new Item(encoder.encode(stream, e.message(), new Position(epoch, e.offset())), epoch, e.offset()));
          }
        }
        if (s.last < target && attempt < MAX_READS) {
          LOG.debug("[{}] {}: history gave up to {} of {}..{}: read again (read {})", nodeId, stream, s.last, from + 1, target, attempt);
          scheduler.later(RETRY_MS * attempt, () -> {
            if (streams.get(stream) == s && s.held == held) {
              read(stream, s, held, target, attempt + 1);
            }
          });
          return;
        }
        if (s.last < target) {
          unrepairable++;
          LOG.warn("[{}] {}: offsets {}..{} never arrived and history gave only up to {} after {} reads: skipped", nodeId, stream,
              from + 1, target, s.last, attempt);
        }
      }
      s.last = Math.max(s.last, target); // what history could not give is skipped, once, with the log line
      release(stream, s);
      if (s.held == null && epoch.equals(s.epoch) && s.wanted > s.last) {
        catchUp(stream, epoch, s.wanted);
      }
    });
  }

  /**
   * Ends a repair: the held deliveries go through {@link #accept} again, in offset order, so a further gap
   * among them starts the next repair (the rest then waits behind it).
   */
  private void release(String stream, State s) {
    List<Item> held = s.held;
    s.held = null;
    held = ordered(held);
    for (int k = 0; k < held.size(); k++) {
      Item i = held.get(k);
      if (accept(stream, i.epoch(), i.offset(), i.frame()) == Verdict.WRITE) {
        writer.accept(stream, i);
      } else if (s.held != null) {
        s.held.addAll(held.subList(k + 1, held.size()));
        return;
      }
    }
  }

  /** Abandons a repair: the held deliveries are written in order, gaps and all. */
  private void flush(String stream, State s) {
    List<Item> held = s.held;
    s.held = null;
    for (Item i : ordered(held)) {
      if (!i.epoch().equals(s.epoch) || i.offset() > s.last) {
        s.epoch = i.epoch();
        s.last = i.offset();
        writer.accept(stream, i);
      }
    }
  }

  /** Held deliveries by epoch (in the order the epochs arrived), each epoch's by offset. */
  private static List<Item> ordered(List<Item> held) {
    Map<String, List<Item>> byEpoch = new java.util.LinkedHashMap<>();
    for (Item i : held) {
      byEpoch.computeIfAbsent(i.epoch(), k -> new ArrayList<>()).add(i);
    }
    List<Item> out = new ArrayList<>(held.size());
    for (List<Item> items : byEpoch.values()) {
      items.sort(java.util.Comparator.comparingLong(Item::offset));
      out.addAll(items);
    }
    return out;
  }

  /**
   * A socket resumed the stream up to {@code epoch:top}: when this edge has no position for the stream yet, it
   * starts from there, so a first live delivery beyond {@code top + 1} is a gap to repair, not a new start.
   */
  void seed(String stream, String epoch, long top) {
    State s = streams.get(stream);
    if (s == null) {
      s = new State();
      s.epoch = epoch;
      s.last = top;
      streams.put(stream, s);
    }
  }

  /** The stream has no local recipient any more: its state goes (a later delivery starts over). */
  void forget(String stream) {
    streams.remove(stream);
  }

  /** Streams tracked (for stats and tests). */
  int tracked() {
    return streams.size();
  }

  /** Messages written from history to close gaps, since start. */
  long repaired() {
    return repaired;
  }

  /** Gaps that could not be closed (logged), since start. */
  long unrepairable() {
    return unrepairable;
  }
}
