package io.socketpush.stream;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * What a publish returns: the sockets reached and the position the owner gave the message in its stream
 * ({@code {"sockets": n, "epoch": "...", "offset": "..."}}; the offset travels as a string, a 64-bit number).
 */
@DataObject
public final class PublishResult {
  private final int sockets;
  private final String epoch;
  private final long offset;

  public PublishResult(int sockets, String epoch, long offset) {
    this.sockets = sockets;
    this.epoch = epoch;
    this.offset = offset;
  }

  /** Data-object constructor. */
  public PublishResult(JsonObject json) {
    this.sockets = json.getInteger("sockets", 0);
    this.epoch = json.getString("epoch");
    Object o = json.getValue("offset");
    this.offset = o == null ? 0 : Long.parseLong(String.valueOf(o));
  }

  /** Sockets the message reached now. */
  public int sockets() {
    return sockets;
  }

  /** The stream's epoch. */
  public String epoch() {
    return epoch;
  }

  /** The message's offset in the stream. */
  public long offset() {
    return offset;
  }

  /** The message's position. */
  public Position position() {
    return new Position(epoch, offset);
  }

  public JsonObject toJson() {
    return new JsonObject().put("sockets", sockets).put("epoch", epoch).put("offset", String.valueOf(offset));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublishResult p && p.sockets == sockets && p.offset == offset && java.util.Objects.equals(p.epoch, epoch);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(sockets, epoch, offset);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
