package io.millrace.server.app;

import io.millrace.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AppHostTest {
    @TempDir
    Path data;

    private AppHost host(ServerConfig.Hosting hosting) {
        return new AppHost(new ServerConfig.ApplicationConfig("app", ServerConfig.AppType.LIVE,
                ServerConfig.AppSecurity.OPEN, ServerConfig.SwfVerification.off(), hosting),
                AppRuntime.shared(), data, AppHost.Extensions.NONE);
    }

    @Test
    void atTheInstanceLimitAnIdleInstanceMakesRoomAndABusyOneDoesNot() {
        AppHost h = host(ServerConfig.Hosting.NONE);
        h.maxInstances = 2;
        AppInstance a = h.acquire("a");
        h.connectDone(a); // no client came: a waits out its idle time
        AppInstance b = h.acquire("b"); // b has a connect in progress: busy
        assertThat(h.instances()).containsExactlyInAnyOrder(a, b);

        AppInstance c = h.acquire("c");
        assertThat(c).isNotNull();
        assertThat(h.instances()).containsExactlyInAnyOrder(b, c);
        assertThat(a.isStopped()).isTrue();

        assertThat(h.acquire("d")).as("b and c both busy").isNull();
        assertThat(h.acquire("b")).as("an instance already there is always reachable").isSameAs(b);
    }

    @Test
    void codeThatDoesNotLoadRejectsConnectsInsteadOfStoppingTheServer() throws Exception {
        Path folder = Files.createDirectories(data.resolve("apps/app"));
        AppHost h = host(new ServerConfig.Hosting(folder, "com.example.Missing", 600_000, List.of(), Map.of()));
        AppInstance i = h.acquire("_definst_");
        java.util.concurrent.CompletableFuture<Decisions.Outcome> outcome = new java.util.concurrent.CompletableFuture<>();
        i.connect(null, outcome::complete);
        Decisions.Outcome o = outcome.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(Decisions.Reject.class);
        assertThat(((Decisions.Reject) o).description()).contains("is not available").contains("holds no jar");
    }
}
