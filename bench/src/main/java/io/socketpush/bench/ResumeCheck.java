package io.socketpush.bench;

import java.util.List;

/**
 * What one resuming socket must have got: exactly the {@code missed} messages after its position, in order.
 * The bench publishes them one after the other per user, so message {@code k} (1..missed) has offset
 * {@code from + k}. Pure, for the bench's resume scenario and its test.
 */
final class ResumeCheck {
  /** A failure kind, counted per socket (the first that applies). */
  enum Outcome { OK, NOT_RECOVERED, MISSING, EXTRA, OUT_OF_ORDER, TIMED_OUT }

  /** One replayed frame: its offset and epoch (from the headers) and the message's sequence number. */
  record Frame(long offset, String epoch, long seq) {
  }

  private ResumeCheck() {
  }

  /**
   * @param recovered the auth reply's {@code recovered} for the stream (null: no reply)
   * @param fromOffset the position the socket resumed from
   * @param epoch the epoch of that position
   * @param frames every frame of the stream the socket received after its auth frame, in arrival order
   * @param missed how many messages were published while it was away (sequence numbers 1..missed)
   * @param timedOut whether the socket did not get {@code missed} frames in time
   */
  static Outcome check(Boolean recovered, long fromOffset, String epoch, List<Frame> frames, int missed, boolean timedOut) {
    if (!Boolean.TRUE.equals(recovered)) {
      return Outcome.NOT_RECOVERED;
    }
    if (frames.size() > missed) {
      return Outcome.EXTRA;
    }
    for (int k = 0; k < frames.size(); k++) {
      Frame f = frames.get(k);
      if (f.offset() != fromOffset + k + 1 || f.seq() != k + 1 || !epoch.equals(f.epoch())) {
        return Outcome.OUT_OF_ORDER;
      }
    }
    if (frames.size() < missed) {
      return timedOut ? Outcome.TIMED_OUT : Outcome.MISSING;
    }
    return Outcome.OK;
  }
}
