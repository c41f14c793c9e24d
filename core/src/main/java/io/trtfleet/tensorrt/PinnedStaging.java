package io.trtfleet.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Page-locked host buffers that an {@link EngineRunner}'s inputs go through on their way to the GPU:
 * pageable memory would make every upload synchronous and bounce through a driver buffer. Two slots,
 * used in turn, so that the next batch's bytes can be copied in while the GPU still uploads from the
 * other; a slot is written again only once the event recorded behind its last upload has completed.
 * Buffers grow on demand and are freed in {@link #close}.
 */
final class PinnedStaging implements AutoCloseable {

  static final int SLOTS = 2;

  private final List<Map<String, BytePointer>> buffers = new ArrayList<>();
  private final CUevent_st[] uploaded = new CUevent_st[SLOTS];
  private final boolean[] recorded = new boolean[SLOTS];
  private int next;

  PinnedStaging() {
    try {
      for (int s = 0; s < SLOTS; s++) {
        buffers.add(new HashMap<>());
        CUevent_st e = new CUevent_st();
        TensorRt.check(cudaEventCreate(e), "cudaEventCreate");
        uploaded[s] = e;
      }
    } catch (RuntimeException e) {
      throw TensorRt.closedAfter(e, this::close);
    }
  }

  /** The slot after {@code slot}, in turn. */
  static int nextSlot(int slot) {
    return (slot + 1) % SLOTS;
  }

  /** The slot for the next batch, once the upload that last read it has finished. */
  int acquire() {
    int slot = next;
    next = nextSlot(slot);
    if (recorded[slot]) {
      TensorRt.check(cudaEventSynchronize(uploaded[slot]), "cudaEventSynchronize(staging slot " + slot + ")");
      recorded[slot] = false;
    }
    return slot;
  }

  /** Slot {@code slot}'s buffer for input {@code name}, at least {@code bytes} long (its old contents lost when grown). */
  BytePointer buffer(int slot, String name, long bytes) {
    Map<String, BytePointer> slotBuffers = buffers.get(slot);
    BytePointer b = slotBuffers.get(name);
    if (b != null && b.capacity() >= bytes) {
      return b;
    }
    if (b != null) {
      slotBuffers.remove(name);
      TensorRt.check(cudaFreeHost(b), "cudaFreeHost(" + name + ")");
    }
    Pointer p = new Pointer();
    TensorRt.check(cudaMallocHost(p, Math.max(bytes, 256)), "cudaMallocHost(" + bytes + ") for input " + name);
    b = new BytePointer(p).capacity(Math.max(bytes, 256));
    slotBuffers.put(name, b);
    return b;
  }

  /** Marks the end of slot {@code slot}'s uploads on {@code stream}: the slot is reused only after it. */
  void uploaded(int slot, CUstream_st stream) {
    TensorRt.check(cudaEventRecord(uploaded[slot], stream), "cudaEventRecord(staging slot " + slot + ")");
    recorded[slot] = true;
  }

  /** Frees every buffer and event; throws the first failure after trying them all. */
  @Override
  public void close() {
    IllegalStateException failure = null;
    for (Map<String, BytePointer> slotBuffers : buffers) {
      for (Map.Entry<String, BytePointer> b : slotBuffers.entrySet()) {
        int rc = cudaFreeHost(b.getValue());
        if (rc != 0 && failure == null) {
          failure = new IllegalStateException("cudaFreeHost(" + b.getKey() + ") failed: CUDA error " + rc);
        }
      }
      slotBuffers.clear();
    }
    for (int s = 0; s < SLOTS; s++) {
      if (uploaded[s] != null) {
        int rc = cudaEventDestroy(uploaded[s]);
        if (rc != 0 && failure == null) {
          failure = new IllegalStateException("cudaEventDestroy failed: CUDA error " + rc);
        }
        uploaded[s] = null;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
