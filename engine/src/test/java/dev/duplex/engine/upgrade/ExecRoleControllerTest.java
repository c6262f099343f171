package dev.duplex.engine.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.api.role.HealthStatus;
import dev.duplex.api.role.PairContext;
import dev.duplex.api.role.ResyncStatus;
import dev.duplex.api.role.Role;
import dev.duplex.api.role.RoleController;
import dev.duplex.api.role.RoleControllerException;
import dev.duplex.engine.role.RoleControllers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec role controller against real shell scripts (it lives in engine.role; tested here, beside its only user). */
class ExecRoleControllerTest {
    @TempDir
    Path dir;

    private final PairContext pair = new PairContext("kv", List.of(
            new PairContext.Member("kv-0", 0, "lab", "vm-1", Map.of("port", "8080")),
            new PairContext.Member("kv-1", 1, "lab", "vm-2", Map.of("port", "8081"))), Map.of());

    private String script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        return "sh " + file;
    }

    private RoleController controller(Map<String, String> extra) throws IOException {
        Map<String, String> settings = new HashMap<>();
        settings.put("type", "exec");
        settings.put("roles-command", script("roles.sh", "cat " + dir + "/role-$2 2>/dev/null || echo SBY"));
        settings.put("switchover-command", script("switch.sh",
                "echo \"$1 $2 $3 $DUPLEX_OPERATION $DUPLEX_ROLE $DUPLEX_MEMBERS\" >> " + dir + "/switch.log; echo $3 > " + dir + "/role-$2"));
        settings.put("sync-command", script("sync.sh", "cat " + dir + "/sync"));
        settings.putAll(extra);
        return new RoleControllers().create(settings);
    }

    @Test
    void rolesAreReadPerMemberStrictly() throws IOException {
        Files.writeString(dir.resolve("role-kv-0"), "ACT\n");
        RoleController controller = controller(Map.of());
        assertEquals(Map.of("kv-0", Role.ACT, "kv-1", Role.SBY), controller.roles(pair));

        Files.writeString(dir.resolve("role-kv-1"), "I am the standby, I think\n");
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller.roles(pair));
        assertEquals("kv-1", e.member());
        assertTrue(e.getMessage().contains("Role controller exec for member kv-1") && e.getMessage().contains("I am the standby"),
                e.getMessage());
    }

    @Test
    void aFailingCommandNamesItsExitCodeAndOutput() throws IOException {
        RoleController controller = controller(Map.of("roles-command", script("broken.sh", "echo oops >&2; exit 3")));
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller.roles(pair));
        assertTrue(e.getMessage().contains("exited with 3") && e.getMessage().contains("oops"), e.getMessage());
    }

    @Test
    void switchoverDemotesTheOldActiveThenPromotesTheNewWithArgumentsAndEnvironment() throws IOException {
        RoleController controller = controller(Map.of());
        controller.switchover(pair, "kv-1");
        assertEquals(List.of("kv kv-0 SBY switchover SBY kv-0,kv-1", "kv kv-1 ACT switchover ACT kv-0,kv-1"),
                Files.readAllLines(dir.resolve("switch.log")));
        assertEquals(Map.of("kv-0", Role.SBY, "kv-1", Role.ACT), controller.roles(pair));
    }

    @Test
    void syncAnswersAreParsedStrictly() throws IOException {
        RoleController controller = controller(Map.of());
        Files.writeString(dir.resolve("sync"), "in-sync\n");
        assertEquals(ResyncStatus.inSync(), controller.resyncStatus(pair, "kv-1"));
        Files.writeString(dir.resolve("sync"), "lag 17\n");
        assertEquals(ResyncStatus.lagging(17), controller.resyncStatus(pair, "kv-1"));
        Files.writeString(dir.resolve("sync"), "unknown replication paused\n");
        assertEquals(ResyncStatus.State.UNKNOWN, controller.resyncStatus(pair, "kv-1").state());
        Files.writeString(dir.resolve("sync"), "lag lots\n");
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller.resyncStatus(pair, "kv-1"));
        assertTrue(e.getMessage().contains("'lag lots'") && e.getMessage().contains("expected 'in-sync'"), e.getMessage());
    }

    @Test
    void healthIsTheExitCodeWithAnOptionalVersion() throws IOException {
        RoleController controller = controller(Map.of("health-command",
                script("health.sh", "[ \"$DUPLEX_MEMBER\" = kv-0 ] && { echo version=v2; exit 0; }; echo 'db not open'; exit 1")));
        HealthStatus healthy = controller.health(pair, "kv-0");
        assertTrue(healthy.healthy());
        assertEquals(Optional.of("v2"), healthy.version());
        HealthStatus sick = controller.health(pair, "kv-1");
        assertFalse(sick.healthy());
        assertTrue(sick.detail().contains("db not open"), sick.detail());
    }

    @Test
    void aHangingCommandTimesOut() throws IOException {
        RoleController controller = controller(Map.of("roles-command", script("slow.sh", "sleep 5"), "timeout-ms", "200"));
        RoleControllerException e = assertThrows(RoleControllerException.class, () -> controller.roles(pair));
        assertTrue(e.getMessage().contains("did not finish within 200 ms"), e.getMessage());
    }

    @Test
    void missingSettingsAndUnknownTypesAreNamed() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new RoleControllers().create(Map.of("type", "exec", "roles-command", "true")));
        assertTrue(missing.getMessage().contains("'switchover-command'"), missing.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new RoleControllers().create(Map.of("type", "carrier-pigeon")));
        assertTrue(unknown.getMessage().contains("carrier-pigeon") && unknown.getMessage().contains("[exec, http]"), unknown.getMessage());
    }
}
