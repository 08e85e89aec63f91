/**
 * Millrace's server-side application API: what Flash Media Server's server-side ActionScript did
 * ({@code application.onConnect}, {@code client.call}, {@code SharedObject.get}, {@code Stream.get}), in Java.
 *
 * <h2>Shape</h2>
 * An application is a class implementing {@link io.millrace.api.Application} with a public no-argument
 * constructor, packaged in a jar in {@code apps/<name>/}. The server makes <em>one object per instance</em>
 * ({@code rtmp://host/app/instance}, default {@code _definst_}), so its fields are that instance's state.
 *
 * <h2>Threads</h2>
 * Every callback of one instance (hooks, {@link io.millrace.api.Remote} methods, timers from
 * {@link io.millrace.api.Instance#schedule}, shared object listeners, answers of
 * {@link io.millrace.api.Client#call}) runs on that instance's own serial executor, one at a time and never
 * on a network thread: application code needs no locks, and a slow callback delays only its own instance.
 * The objects of this API may be used from any thread; what they do is handed to the right thread.
 *
 * <h2>Values</h2>
 * Values crossing the wire (call arguments and results, shared object properties, message arguments) are
 * AMF values in plain Java: {@code null}, {@link java.lang.Boolean}, {@link java.lang.Double} (any
 * {@link java.lang.Number} is sent as a number), {@link java.lang.String}, {@link java.util.Map
 * Map&lt;String, Object&gt;} (objects and associative arrays), {@link java.util.List List&lt;Object&gt;}
 * (arrays), {@link java.util.Date} and {@code byte[]} (AMF3 ByteArray). AMF0 and AMF3 clients are told apart
 * by the server; the application sees the same values from both.
 *
 * <p>This module has no dependencies: no Netty, no server internals.
 */
package io.millrace.api;
