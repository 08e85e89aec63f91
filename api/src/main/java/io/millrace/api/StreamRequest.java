package io.millrace.api;

/**
 * A play or publish asked for by a client.
 *
 * @param name  the stream name without its query ({@code mp4:movie.mp4}, {@code camera1})
 * @param query what followed {@code ?} in the name, or null
 * @param type  for a publish: {@code live}, {@code record} or {@code append}; for a play: {@code live},
 *              {@code recorded} or {@code any}, from the start argument (-1, 0 or more, -2)
 */
public record StreamRequest(String name, String query, String type) {
}
