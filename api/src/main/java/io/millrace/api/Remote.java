package io.millrace.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method of an {@link Application} that clients may call with
 * {@code NetConnection.call(name, responder, args...)}.
 *
 * <p>The method may take a {@link Client} first (the caller); the remaining parameters take the call's
 * arguments in order, converted to {@code Object}, {@code String}, {@code double}/{@code Double},
 * {@code int}/{@code Integer}, {@code long}/{@code Long}, {@code boolean}/{@code Boolean}, {@code Map},
 * {@code List}, {@code Date} or {@code byte[]}. Missing arguments are {@code null} (a primitive parameter then
 * fails the call); extra arguments are ignored, as ActionScript did. Arguments that do not convert fail the
 * call with a description naming the parameter.
 *
 * <p>The return value goes back to the client's responder as {@code _result}; a
 * {@link java.util.concurrent.CompletionStage} is answered when it completes. An exception (thrown, or
 * completing the stage) goes back as {@code _error} with {@code NetConnection.Call.Failed} and the exception's
 * message as the description.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Remote {
    /** The name clients call (default: the method's name). */
    String value() default "";
}
