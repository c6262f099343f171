package dev.duplex.engine.upgrade;

import static java.util.Objects.requireNonNull;

import dev.duplex.api.VolumeLink;
import dev.duplex.engine.inventory.LinkRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A member as it was when its upgrade job was created: what a health-check failure or a rollback
 * restores. Journaled in the job's parameters, so it survives the orchestrator.
 *
 * @param member the member's (inventory) name
 * @param system 0 or 1
 * @param endpoint its endpoint
 * @param vmRef the driver id of its VM
 * @param vmName the driver name of its VM
 * @param image the inventory name of its image
 * @param imageRef the driver id of its image
 * @param links its links, by volume inventory name
 */
record MemberBefore(String member, int system, String endpoint, String vmRef, String vmName, String image, String imageRef,
        List<LinkRecord> links) {
    MemberBefore {
        requireNonNull(member, "member is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(vmRef, "vmRef is null");
        requireNonNull(vmName, "vmName is null");
        requireNonNull(image, "image is null");
        requireNonNull(imageRef, "imageRef is null");
        links = List.copyOf(requireNonNull(links, "links is null"));
    }

    void writeTo(Map<String, String> parameters) {
        String p = "old." + system + ".";
        parameters.put(p + "member", member);
        parameters.put(p + "endpoint", endpoint);
        parameters.put(p + "vm-ref", vmRef);
        parameters.put(p + "vm-name", vmName);
        parameters.put(p + "image", image);
        parameters.put(p + "image-ref", imageRef);
        parameters.put(p + "links", encode(links));
    }

    static MemberBefore readFrom(Map<String, String> parameters, int system) {
        String p = "old." + system + ".";
        return new MemberBefore(get(parameters, p + "member"), system, get(parameters, p + "endpoint"), get(parameters, p + "vm-ref"),
                get(parameters, p + "vm-name"), get(parameters, p + "image"), get(parameters, p + "image-ref"),
                decode(get(parameters, p + "links")));
    }

    private static String get(Map<String, String> parameters, String key) {
        String value = parameters.get(key);
        if (value == null) {
            throw new IllegalStateException("the job's parameters lack '" + key + "'; it was not created by this version of the upgrade engine");
        }
        return value;
    }

    /** {@code volume|mountPath|MODE} per link, joined by newlines (names and paths hold no newline or '|'). */
    static String encode(List<LinkRecord> links) {
        List<String> lines = new ArrayList<>();
        for (LinkRecord link : links) {
            if ((link.volume() + link.mountPath()).matches(".*[|\\n].*")) {
                throw new IllegalArgumentException("link " + link + " has a '|' or a newline in its volume name or mount path");
            }
            lines.add(link.volume() + "|" + link.mountPath() + "|" + link.mode().name());
        }
        return String.join("\n", lines);
    }

    static List<LinkRecord> decode(String text) {
        List<LinkRecord> links = new ArrayList<>();
        if (text.isEmpty()) {
            return links;
        }
        for (String line : text.split("\n")) {
            String[] parts = line.split("\\|", -1);
            if (parts.length != 3) {
                throw new IllegalStateException("bad link in the job's parameters: '" + line + "'");
            }
            links.add(new LinkRecord(parts[0], parts[1], VolumeLink.Mode.valueOf(parts[2])));
        }
        return links;
    }
}
