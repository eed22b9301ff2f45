package io.llmproxy.simulator.core;

/**
 * A fault injected into a streamed answer after half of its content events (at least one).
 */
public enum StreamFault {
    /** The provider's own mid-stream error event, then the stream ends. */
    MIDSTREAM_ERROR,
    /** The connection's body simply ends: no terminating event. */
    CUT
}
