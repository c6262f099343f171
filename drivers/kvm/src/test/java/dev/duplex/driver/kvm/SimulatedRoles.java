package dev.duplex.driver.kvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The engine's {@code exec} role controller for the live pair tests' network-less guests: roles,
 * switchover and sync are simulated in a state file, health is the guest's own word on its serial log.
 */
final class SimulatedRoles {
    private SimulatedRoles() {}

    /** The exec role controller's settings, with its scripts written into the test's folder. */
    static Map<String, String> controller(Path dir, String uri, Path roles) throws IOException {
        // The guests have no network: the application's roles are simulated by these scripts.
        Path rolesCommand = script(dir, "roles.sh", """
                #!/bin/sh
                # roles-command <pair> <member>: the member's role from the state file
                awk -v m="$2" '$1 == m { print $2 }' '%s'
                """.formatted(roles));
        Path switchover = script(dir, "switchover.sh", """
                #!/bin/sh
                # switchover-command <pair> <member> <role>: record the member's new role
                set -e
                grep -v "^$2 " '%1$s' > '%1$s.tmp' || true
                echo "$2 $3" >> '%1$s.tmp'
                mv '%1$s.tmp' '%1$s'
                """.formatted(roles));
        Path sync = script(dir, "sync.sh", """
                #!/bin/sh
                # sync-command <pair> <standby> SBY: no replication between network-less guests
                echo in-sync
                """);
        // Healthy only once the guest itself reported its version (and, for v2, the marker it read
        // from its database disk) on the serial log named in its domain's XML.
        Path health = script(dir, "health.sh", """
                #!/bin/sh
                # health-command <pair> <member>; DUPLEX_VM_REF is the uuid of the member's domain
                XML=$(virsh -q -c '%s' dumpxml "$DUPLEX_VM_REF" 2>&1) || { echo "no domain $DUPLEX_VM_REF: $XML"; exit 1; }
                LOG=$(printf '%%s\\n' "$XML" | sed -n "s/.*<source path='\\([^']*vm-serial\\.log\\)'.*/\\1/p" | head -n 1)
                [ -n "$LOG" ] && [ -f "$LOG" ] || { echo "no serial log yet ($LOG)"; exit 1; }
                LINE=$(tr -d '\\r' < "$LOG" | grep -a '^DUPLEX version=' | tail -n 1)
                tr -d '\\r' < "$LOG" | grep -aq '^DUPLEX ready' || { echo "booting: ${LINE:-nothing reported yet}"; exit 1; }
                VERSION=$(echo "$LINE" | sed -n 's/^DUPLEX version=\\([^ ]*\\).*/\\1/p')
                MARKER=$(echo "$LINE" | sed -n 's/.* marker=\\([^ ]*\\).*/\\1/p')
                [ -n "$VERSION" ] || { echo "no version reported: $LINE"; exit 1; }
                if [ "$VERSION" != v1 ] && { [ -z "$MARKER" ] || [ "$MARKER" = none ]; }; then
                    echo "version $VERSION found no database marker: $LINE"; exit 1
                fi
                echo "version=$VERSION"
                echo "marker=$MARKER"
                """.formatted(uri));
        return Map.of("type", "exec", "roles-command", rolesCommand.toString(), "switchover-command", switchover.toString(),
                "sync-command", sync.toString(), "health-command", health.toString(), "timeout-ms", "20000");
    }

    private static Path script(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

}
