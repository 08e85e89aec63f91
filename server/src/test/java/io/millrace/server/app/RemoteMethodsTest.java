package io.millrace.server.app;

import io.millrace.api.Client;
import io.millrace.api.Remote;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RemoteMethodsTest {

    public static class App {
        @Remote
        public String greet(Client c, String name, int times) {
            return (name + " ").repeat(times).trim() + (c == null ? "" : "!");
        }

        @Remote("sum")
        public double add(double a, Double b) {
            return a + (b == null ? 0 : b);
        }

        @Remote
        public Object echo(Object o) {
            return o;
        }

        @Remote
        public void fail() {
            throw new IllegalStateException("broken on purpose");
        }

        public String notRemote() {
            return "x";
        }
    }

    public static class Reserved {
        @Remote("play")
        public void play() {
        }
    }

    public static class Twice {
        @Remote("a")
        public void one() {
        }

        @Remote("a")
        public void two() {
        }
    }

    public static class BadParameter {
        @Remote
        public void take(Thread t) {
        }
    }

    final RemoteMethods methods = RemoteMethods.of(App.class);
    final App app = new App();

    @Test
    void onlyRemoteMethodsByTheirNames() {
        assertThat(methods.names()).containsExactlyInAnyOrder("greet", "sum", "echo", "fail");
    }

    @Test
    void argumentsConvertAsActionScriptSentThem() throws Throwable {
        assertThat(methods.invoke(app, "greet", null, List.of("hi", 2.0))).isEqualTo("hi hi");
        assertThat(methods.invoke(app, "sum", null, List.of(1.5))).as("a missing argument is null").isEqualTo(1.5);
        assertThat(methods.invoke(app, "sum", null, List.of(1.0, 2.0, "extra ignored"))).isEqualTo(3.0);
        assertThat(methods.invoke(app, "echo", null, List.of(Map.of("a", 1.0)))).isEqualTo(Map.of("a", 1.0));
        assertThat(methods.invoke(app, "greet", null, List.of(7.0, 1.0))).as("a number where a string is wanted").isEqualTo("7");
    }

    @Test
    void badCallsSayWhatIsWrong() {
        assertThatThrownBy(() -> methods.invoke(app, "greet", null, List.of("hi", 2.5)))
                .isInstanceOf(RemoteMethods.BadCall.class).hasMessage("greet: argument 2 is the number 2.5, not a whole number.");
        assertThatThrownBy(() -> methods.invoke(app, "greet", null, List.of("hi")))
                .isInstanceOf(RemoteMethods.BadCall.class).hasMessage("greet: argument 2 is missing (a whole number is needed).");
        assertThatThrownBy(() -> methods.invoke(app, "nope", null, List.of()))
                .isInstanceOf(RemoteMethods.BadCall.class).hasMessage("Method not found (nope).");
        assertThatThrownBy(() -> methods.invoke(app, "notRemote", null, List.of()))
                .isInstanceOf(RemoteMethods.BadCall.class);
    }

    @Test
    void anExceptionComesOutAsItself() {
        assertThatThrownBy(() -> methods.invoke(app, "fail", null, List.of()))
                .isInstanceOf(IllegalStateException.class).hasMessage("broken on purpose");
    }

    @Test
    void classesThatCannotWorkAreRefusedAtLoad() {
        assertThatThrownBy(() -> RemoteMethods.of(Reserved.class)).hasMessageContaining("'play' is a protocol command");
        assertThatThrownBy(() -> RemoteMethods.of(Twice.class)).hasMessageContaining("two @Remote methods named 'a'");
        assertThatThrownBy(() -> RemoteMethods.of(BadParameter.class)).hasMessageContaining("type Thread");
    }
}
