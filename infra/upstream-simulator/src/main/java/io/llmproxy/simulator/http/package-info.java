/**
 * Provider-neutral HTTP concerns of the simulator: the {@code x-sim-*} test knobs (latency, forced
 * error statuses) shared by every provider format.
 */
package io.llmproxy.simulator.http;
