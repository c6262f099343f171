package dev.duplex.engine.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A crash of a local-driver VM's host, for the failover benchmark: every process of the VM killed
 * at once. Only the local driver runs a VM as processes of this machine, marked with its id.
 */
final class LocalVmCrash {
    private LocalVmCrash() {}

    /**
     * Kills every process of the VM (SIGKILL to its process group), as a crash of its host would,
     * and waits until they are gone. The local driver gives a VM's processes {@code DUPLEX_VM_ID}.
     */
    static void killProcessGroup(String vmId, String name) throws IOException {
        List<Long> pids = vmProcesses(vmId);
        if (pids.isEmpty()) {
            throw new IllegalStateException("No process of VM " + name + " (id " + vmId + ") found in /proc; is it running?");
        }
        Map<Long, Long> groups = new LinkedHashMap<>();
        for (long pid : pids) {
            processGroup(pid).ifPresent(group -> groups.put(group, group));
        }
        for (long group : groups.keySet()) {
            try {
                Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + group).redirectErrorStream(true).start();
                kill.getInputStream().readAllBytes();
                kill.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!vmProcesses(vmId).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("VM " + name + "'s processes " + vmProcesses(vmId) + " outlived SIGKILL by 10 s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Live (not zombie) processes whose environment holds {@code DUPLEX_VM_ID=vmId}. */
    private static List<Long> vmProcesses(String vmId) throws IOException {
        byte[] marker = ("DUPLEX_VM_ID=" + vmId + "\0").getBytes(StandardCharsets.UTF_8);
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    if (state != 'Z' && contains(Files.readAllBytes(entry.resolve("environ")), marker)) {
                        pids.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked, or is not ours to read
                }
            }
        }
        return pids;
    }

    private static Optional<Long> processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[2])); // state, ppid, pgrp
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue; // only at the start of a variable
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
