package io.trtfleet.calibrationdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A numeric array read from a {@code .npy} file: its element type, its shape (C order, outer first)
 * and the raw values. Read values one at a time with {@link #getDouble(long)} / {@link #getFloat(long)}
 * / {@link #getLong(long)}; the byte buffer is read-only and never handed out.
 */
public final class NpyArray {

  /** The element types {@code .npy} files use that this reader supports (descr without the byte order). */
  public enum Type {
    U1("u1", 1, false, true), I1("i1", 1, false, true),
    U2("u2", 2, false, true), I2("i2", 2, false, true),
    U4("u4", 4, false, false), I4("i4", 4, false, false), I8("i8", 8, false, false),
    F4("f4", 4, true, true), F8("f8", 8, true, false);

    private final String code;
    private final int bytes;
    private final boolean floating;
    private final boolean exactInFloat;

    Type(String code, int bytes, boolean floating, boolean exactInFloat) {
      this.code = code;
      this.bytes = bytes;
      this.floating = floating;
      this.exactInFloat = exactInFloat;
    }

    public int bytes() {
      return bytes;
    }

    public boolean floating() {
      return floating;
    }

    /** Every value of the type is a float32 value (so float32 arithmetic on it is exact before rounding). */
    public boolean exactInFloat() {
      return exactInFloat;
    }

    public String code() {
      return code;
    }

    static Type of(String code) {
      for (Type t : values()) {
        if (t.code.equals(code)) {
          return t;
        }
      }
      return null;
    }
  }

  private final String descr;
  private final Type type;
  private final long[] shape;
  private final ByteBuffer data;
  private final long count;

  NpyArray(String descr, Type type, ByteOrder order, long[] shape, ByteBuffer data) {
    this.descr = descr;
    this.type = type;
    this.shape = shape.clone();
    this.data = data.asReadOnlyBuffer().order(order);
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    this.count = n;
  }

  /** The dtype as written in the header, e.g. {@code <f4} or {@code |u1}. */
  public String descr() {
    return descr;
  }

  public Type type() {
    return type;
  }

  public long[] shape() {
    return shape.clone();
  }

  public long count() {
    return count;
  }

  public double getDouble(long index) {
    int at = Math.toIntExact(index * type.bytes);
    return switch (type) {
      case U1 -> data.get(at) & 0xFF;
      case I1 -> data.get(at);
      case U2 -> data.getShort(at) & 0xFFFF;
      case I2 -> data.getShort(at);
      case U4 -> data.getInt(at) & 0xFFFFFFFFL;
      case I4 -> data.getInt(at);
      case I8 -> data.getLong(at);
      case F4 -> data.getFloat(at);
      case F8 -> data.getDouble(at);
    };
  }

  /** The value as float32; exact for the types where {@link Type#exactInFloat()}. */
  public float getFloat(long index) {
    return type == Type.F4 ? data.getFloat(Math.toIntExact(index * 4)) : (float) getDouble(index);
  }

  /** The value of an integer array. */
  public long getLong(long index) {
    if (type.floating) {
      throw new IllegalStateException("getLong on a " + descr + " array");
    }
    return type == Type.I8 ? data.getLong(Math.toIntExact(index * 8)) : (long) getDouble(index);
  }

  @Override
  public String toString() {
    return "NpyArray(" + descr + Arrays.toString(shape) + ")";
  }
}
