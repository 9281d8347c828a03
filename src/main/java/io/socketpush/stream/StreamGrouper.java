package io.socketpush.stream;

import org.infinispan.distribution.group.Grouper;

/**
 * Puts every key of one stream (its entries {@code e|<stream>|<offset>}, its meta {@code m|<stream>}, its
 * idempotency keys {@code k|<stream>|<key>}) on the same owners, so a publish's batch is one write to one primary
 * and a resume's read one command to one owner. Configured on the {@value StreamStore#MAP} cache (conf/infinispan.xml,
 * {@code <groups enabled="true"><grouper class="io.socketpush.stream.StreamGrouper"/></groups>}); every member must
 * use the same grouping. Other keys (a user's away/seen marks) are placed by their own hash.
 */
public final class StreamGrouper implements Grouper<String> {

  @Override
  public Object computeGroup(String key, Object group) {
    return StreamStore.streamOf(key);
  }

  /** The older overload, which some Infinispan versions call. */
  @Override
  public String computeGroup(String key, String group) {
    return StreamStore.streamOf(key);
  }

  @Override
  public Class<String> getKeyType() {
    return String.class;
  }
}
