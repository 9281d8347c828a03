package io.socketpush.bench;

import java.util.BitSet;

/**
 * What one recipient (socket) received of one stream (a user or a channel) during one run: the set of
 * sequence numbers seen, the number of frames and of duplicates. Loss is computed against the set of
 * sequence numbers the server accepted. Written from the socket's event loop, read after the run.
 */
public final class Tally {
  private final BitSet seen = new BitSet();
  private int received;
  private int duplicates;

  /** Records one received sequence number. */
  public synchronized void record(int seq) {
    received++;
    if (seq < 0) {
      return;
    }
    if (seen.get(seq)) {
      duplicates++;
    } else {
      seen.set(seq);
    }
  }

  public synchronized int received() {
    return received;
  }

  public synchronized int unique() {
    return seen.cardinality();
  }

  public synchronized int duplicates() {
    return duplicates;
  }

  /** Accepted sequence numbers this recipient never received. */
  public synchronized int lost(BitSet accepted) {
    BitSet missing = (BitSet) accepted.clone();
    missing.andNot(seen);
    return missing.cardinality();
  }

  /** Sequence numbers received that were never accepted (e.g. a publish that timed out but was delivered). */
  public synchronized int unexpected(BitSet accepted) {
    BitSet extra = (BitSet) seen.clone();
    extra.andNot(accepted);
    return extra.cardinality();
  }
}
